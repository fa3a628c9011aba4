/*
 * stress-args: command line, environment and exit status across a migration.
 *
 * Prints argc, every argument, and the HEXO_TEST environment variable, with
 * a migration point in between (argv and environ live in guest memory and
 * must come along), then exits with status 3.  argv[0] is the program name,
 * which depends on how the program is started, so only whether it is set is
 * printed.
 *
 * Expected output (expected.txt) is for:  HEXO_TEST=yes <program> a "b c"
 * i.e. two arguments, the second one containing a space; exit status 3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <hermit/migration.h>

int main(int argc, char **argv)
{
    const char *value;
    int i;

    printf("stress-args\n");
    printf("argc = %d\n", argc);
    printf("argv[0] is %s\n",
           argc > 0 && argv[0] != NULL && argv[0][0] != '\0' ? "set" : "empty");

    popcorn_check_migrate();

    for (i = 1; i < argc; i++) {
        printf("argv[%d] = \"%s\"\n", i, argv[i]);
        popcorn_check_migrate();
    }
    printf("argv[argc] is %s\n", argv[argc] == NULL ? "NULL" : "NOT NULL");

    value = getenv("HEXO_TEST");
    printf("HEXO_TEST = %s%s%s\n", value ? "\"" : "", value ? value : "(unset)",
           value ? "\"" : "");
    value = getenv("HEXO_SURELY_NOT_SET_4711");
    printf("unset variable: %s\n", value == NULL ? "NULL" : "NOT NULL");

    printf("exiting with status 3\n");
    exit(3);
}
