/*
 * Times printed the way LP64 Linux programs print them: %ld and %lu for time_t, suseconds_t, clock_t
 * and int64_t, process CPU time from clock(), times() and getrusage(), across a migration point.
 * Lines starting with "timing:" hold measured values; every other line is the same on every machine.
 */
#include <stdio.h>
#include <stdint.h>
#include <time.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/resource.h>
#include <unistd.h>
#include <hermit/migration.h>

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
}

static volatile double sink;

static void spin(int n) {
    for (int i = 0; i < n; i++) sink += i * 0.5;
}

int main(void) {
    time_t fixed = 1700000000;             /* a 64-bit value through %ld, %lu and %lx */
    int64_t big = (int64_t)1 << 40;
    uint64_t ubig = 0xfedcba9876543210ull;
    struct timeval tv;
    struct timespec ts;
    struct tms t;

    printf("fixed %ld %lu %lx\n", fixed, fixed, fixed);
    printf("big %ld %10ld|%-12ld| %lx\n", big, big, big, big);
    printf("ubig %lu %lx\n", ubig, ubig);

    gettimeofday(&tv, NULL);
    clock_gettime(CLOCK_REALTIME, &ts);
    time_t now = time(NULL);
    printf("timing: gettimeofday %ld.%06ld\n", tv.tv_sec, tv.tv_usec);
    printf("timing: clock_gettime %ld.%09ld time %ld\n", ts.tv_sec, ts.tv_nsec, now);
    printf("gettimeofday is recent: %s, usec in range: %s\n", tv.tv_sec > 1600000000 ? "yes" : "no",
           tv.tv_usec >= 0 && tv.tv_usec < 1000000 ? "yes" : "no");
    printf("time agrees with gettimeofday: %s\n", now - tv.tv_sec >= 0 && now - tv.tv_sec < 5 ? "yes" : "no");

    clock_t c0 = clock();
    double r0 = cpu_seconds();
    spin(5000000);
    popcorn_check_migrate();               /* CPU time carries on across a migration */
    spin(5000000);
    clock_t c1 = clock();
    double r1 = cpu_seconds();
    clock_t ticks = times(&t);
    printf("timing: clock %ld -> %ld, rusage %.3f -> %.3f s, times %ld utime %ld\n", c0, c1, r0, r1, ticks, t.tms_utime);
    printf("CLOCKS_PER_SEC %ld, clock ticks per second %ld\n", (long)CLOCKS_PER_SEC, sysconf(_SC_CLK_TCK));
    printf("clock advanced: %s, rusage advanced: %s\n", c1 > c0 ? "yes" : "no", r1 > r0 ? "yes" : "no");
    clock_t s0 = clock();
    usleep(300000);
    clock_t s1 = clock();
    printf("sleeping is not CPU time: %s\n", s1 - s0 < CLOCKS_PER_SEC / 10 ? "yes" : "no");
    printf("clock and rusage agree: %s\n", (double)(c1 - c0) / CLOCKS_PER_SEC - (r1 - r0) < 0.05 &&
           (r1 - r0) - (double)(c1 - c0) / CLOCKS_PER_SEC < 0.05 ? "yes" : "no");
    return 0;
}
