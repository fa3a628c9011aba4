/*
 * Hypercall round trips, for hypercall.sh.
 *
 * In a hexo guest every clock_gettime() is one hypercall (WASI
 * clock_time_get -> the guest kernel -> HEXO_HC_CLOCK -> the VMM and back),
 * so timing a loop of them measures the round trip.  Built natively, the same
 * loop measures the Linux vDSO clock, and a loop of syscall(SYS_getppid)
 * measures a real kernel entry (native only).
 *
 * Usage: hypercall [CALLS]    (default 20000)
 * Prints "clock_gettime_ns_per_call X" and, natively, "syscall_ns_per_call Y".
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#if !defined(__wasm__)
#include <unistd.h>
#include <sys/syscall.h>
#endif

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    long calls = argc > 1 ? atol(argv[1]) : 20000;
    struct timespec ts;
    volatile long sink = 0;
    double t0, t1;
    long i;

    if (calls < 1)
        calls = 1;
    t0 = seconds();
    for (i = 0; i < calls; i++) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        sink += ts.tv_nsec;
    }
    t1 = seconds();
    printf("calls %ld\n", calls);
    printf("clock_gettime_ns_per_call %.1f\n", (t1 - t0) * 1e9 / calls);
#if !defined(__wasm__)
    t0 = seconds();
    for (i = 0; i < calls; i++)
        sink += syscall(SYS_getppid);
    t1 = seconds();
    printf("syscall_ns_per_call %.1f\n", (t1 - t0) * 1e9 / calls);
#endif
    return sink == 42 ? 1 : 0;
}
