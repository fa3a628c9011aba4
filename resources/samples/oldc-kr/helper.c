/* The other half of oldc-kr: functions main.c calls without a declaration. */
#include <string.h>

int checksum(int value)
{
    int c = 0;
    while (value > 0) {
        c += value % 10;
        value /= 10;
    }
    return c;
}

char *last_word(s)
char *s;
{
    char *space = strrchr(s, ' ');
    return space ? space + 1 : s;
}
