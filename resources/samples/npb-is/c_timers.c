/*
 * The NPB timer set: a small array of stopwatches that accumulate time
 * between timer_start(n) and timer_stop(n).
 */
#include "wtime.h"

#define NPB_NUM_TIMERS 64

static double started[NPB_NUM_TIMERS];
static double accumulated[NPB_NUM_TIMERS];

static double now(void)
{
    double t;
    wtime(&t);
    return t;
}

void timer_clear(int n)
{
    accumulated[n] = 0.0;
}

void timer_start(int n)
{
    started[n] = now();
}

void timer_stop(int n)
{
    accumulated[n] += now() - started[n];
}

double timer_read(int n)
{
    return accumulated[n];
}
