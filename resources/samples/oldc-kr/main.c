/*
 * Old C, as programs of the original's era were written: K&R definitions, implicit int, functions
 * called before (or without) any declaration, hexo's and libc's alike. gcc and clang 3.7 built this
 * with warnings; so does hexo, and every call reaches the function it means.
 */
#include <stdio.h>
#include <string.h>

extern void kprintf(char *format, ...);   /* declared the way HermitCore's hello-world does */
char *last_word();                         /* old-style declaration: no parameter types */

static counter;                            /* implicit int */

accumulate(total, step)                    /* K&R definition, implicit int result */
int total;
int step;
{
    return total + step * step;
}

double scale(x, factor)                    /* K&R definition with a double parameter */
double x;
int factor;
{
    return x * factor;
}

main(argc, argv)
int argc;
char **argv;
{
    int i, sum = 0;
    printf("program %s with %d argument(s)\n", argv[0], argc - 1);
    for (i = 1; i <= 6; i++) {
        popcorn_check_migrate();           /* no header: hexo knows it anyway */
        sum = accumulate(sum, i);
        counter++;
        printf("step %d: sum %d, checksum %d\n", i, sum, checksum(sum));   /* defined in helper.c */
        sys_msleep(1);                     /* HermitCore's, undeclared */
    }
    printf("scaled %.2f\n", scale(1.25, counter));
    kprintf("kprintf says %s %d\n", "done", counter);
    printf("last word %s\n", last_word("old c still builds"));
    exit(0);                               /* no <stdlib.h> */
}
