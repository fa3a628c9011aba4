/*
 * The NPB results block printed at the end of a benchmark run.
 */
#include <stdio.h>

void c_print_results(const char *name, char class_letter,
                     int n1, int n2, int n3, int niter,
                     double t, double mops, const char *optype,
                     int passed_verification,
                     const char *npbversion, const char *compiletime,
                     const char *cc, const char *clink, const char *c_lib,
                     const char *c_inc, const char *cflags,
                     const char *clinkflags)
{
    printf("\n\n %s Benchmark Completed.\n", name);
    printf(" Class           =                        %c\n", class_letter);

    /* IS has a single size: n2 == n3 == 0 means "print n1 alone". */
    if (n2 == 0 && n3 == 0)
        printf(" Size            =             %12d\n", n1);
    else
        printf(" Size            =           %4dx%4dx%4d\n", n1, n2, n3);

    printf(" Iterations      =             %12d\n", niter);
    printf(" Time in seconds =             %12.2f\n", t);
    printf(" Mop/s total     =             %12.2f\n", mops);
    printf(" Operation type  = %24s\n", optype);
    if (passed_verification < 0)
        printf(" Verification    =            NOT PERFORMED\n");
    else if (passed_verification)
        printf(" Verification    =               SUCCESSFUL\n");
    else
        printf(" Verification    =             UNSUCCESSFUL\n");
    printf(" Version         =             %12s\n", npbversion);
    printf(" Compile date    =             %12s\n", compiletime);

    printf("\n Compile options:\n");
    printf("    CC           = %s\n", cc);
    printf("    CLINK        = %s\n", clink);
    printf("    C_LIB        = %s\n", c_lib);
    printf("    C_INC        = %s\n", c_inc);
    printf("    CFLAGS       = %s\n", cflags);
    printf("    CLINKFLAGS   = %s\n", clinkflags);

    printf("\n hexo sample: NPB IS written from the NPB 3.3 specification.\n\n");
    fflush(stdout);
}
