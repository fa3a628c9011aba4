/* The smallest useful guest: one line on stdout, exit 0. Used by boot-time.sh. */
#include <stdio.h>

int main(void)
{
    printf("hello from hexo\n");
    return 0;
}
