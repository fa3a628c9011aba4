/*
 * wtime: seconds since the first call, as a double.
 *
 * Uses the real-time clock (clock_gettime(CLOCK_REALTIME), or gettimeofday
 * where that is missing) rather than a monotonic one: a unikernel may be
 * checkpointed on one machine and resumed on another, and only wall-clock
 * time means the same thing on both (provided the hosts' clocks agree).
 * The first reading is kept in a static variable, which travels with the
 * rest of memory when the program migrates.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L   /* clock_gettime, also under -std=c11 */
#endif
#include <time.h>
#include <sys/time.h>
#include "wtime.h"

static int    have_origin = 0;
static time_t origin_sec;

void wtime(double *t)
{
    time_t sec;
    long   usec;
#if defined(CLOCK_REALTIME)
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    sec = ts.tv_sec;
    usec = ts.tv_nsec / 1000;
#else
    struct timeval tv;
    gettimeofday(&tv, NULL);
    sec = tv.tv_sec;
    usec = (long)tv.tv_usec;
#endif
    if (!have_origin) {
        origin_sec = sec;
        have_origin = 1;
    }
    *t = (double)(sec - origin_sec) + 1.0e-6 * (double)usec;
}
