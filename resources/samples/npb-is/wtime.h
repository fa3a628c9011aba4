/* Wall-clock time for the NPB timers. */
#ifndef NPB_WTIME_H
#define NPB_WTIME_H

/* Stores in *t the seconds elapsed since the first call. */
void wtime(double *t);

#endif
