/*
 * What every bench/kernels program shares: the class chosen with -DCLASS=S|W|A|B (default A), a
 * wall-clock timer, and the report lines bench/kernels.sh reads (the same words NPB prints, so one
 * parser serves these kernels and resources/samples/npb-is).
 *
 * Built two ways from the same source: by `hexo build` (where popcorn_check_migrate() is a migration
 * point, declared by hexo.h) and natively by clang-16 -O2 (where it is nothing).
 */
#ifndef KBENCH_H
#define KBENCH_H
#include <stdio.h>
#include <time.h>

#ifndef __hexo__
#define popcorn_check_migrate() ((void)0)
#endif

#ifndef CLASS
#define CLASS A
#endif
#define KB_CLASS_S 1
#define KB_CLASS_W 2
#define KB_CLASS_A 3
#define KB_CLASS_B 4
#define KB_CLASS_PASTE(x) KB_CLASS_##x
#define KB_CLASS_OF(x) KB_CLASS_PASTE(x)
#define KB_CLASS KB_CLASS_OF(CLASS)
#if KB_CLASS < 1 || KB_CLASS > 4
#error "use -DCLASS=S, W, A or B (a plain letter)"
#endif
/* Picks the value for the class being built. */
#define KB_PICK(s, w, a, b) (KB_CLASS == 1 ? (s) : KB_CLASS == 2 ? (w) : KB_CLASS == 3 ? (a) : (b))
static const char kb_class_name = "?SWAB"[KB_CLASS];

/* Real-time clock, as NPB's timer: a checkpointed program resumed elsewhere keeps a meaningful clock. */
static inline double kb_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The report: kernel, class, the timed section's seconds, a result that must be the same bits on
 * every ISA (printed exactly), and whether the kernel's own check passed. */
static inline void kb_report(const char *kernel, double seconds, double result, int verified) {
    printf(" %s class %c\n", kernel, kb_class_name);
    printf(" Result = %.17g\n", result);
    printf(" Time in seconds = %.3f\n", seconds);
    printf(" Verification = %s\n", verified ? "SUCCESSFUL" : "UNSUCCESSFUL");
}
#endif
