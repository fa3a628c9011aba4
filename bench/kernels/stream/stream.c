/*
 * Stream-style memory bandwidth: copy, scale, add and triad over three arrays far larger than any
 * cache, repeated. The result is checked against the values the same operations give on scalars.
 */
#include <math.h>
#include <stdlib.h>
#include "kbench.h"

#define N    (KB_PICK(1L << 20, 1L << 22, 1L << 24, 1L << 25))
#define REPS KB_PICK(10, 10, 20, 20)

int main(void) {
    double *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b), *c = malloc(N * sizeof *c);
    for (long i = 0; i < N; i++) { a[i] = 1.0; b[i] = 2.0; c[i] = 0.0; }
    const double q = 3.0;
    double t0 = kb_seconds();
    for (int r = 0; r < REPS; r++) {
        popcorn_check_migrate();
        for (long i = 0; i < N; i++) c[i] = a[i];
        for (long i = 0; i < N; i++) b[i] = q * c[i];
        for (long i = 0; i < N; i++) c[i] = a[i] + b[i];
        for (long i = 0; i < N; i++) a[i] = b[i] + q * c[i];
    }
    double seconds = kb_seconds() - t0;
    double ea = 1.0, eb = 2.0, ec = 0.0;
    for (int r = 0; r < REPS; r++) { ec = ea; eb = q * ec; ec = ea + eb; ea = eb + q * ec; }
    double err = 0;
    for (long i = 0; i < N; i++) err = fmax(err, fabs(a[i] - ea) + fabs(b[i] - eb) + fabs(c[i] - ec));
    int ok = err <= 1e-13 * ea;
    printf(" STREAM: 3 x %ld doubles, %d passes of copy/scale/add/triad, %.1f GB/s\n", (long)N, REPS,
           10.0 * 8 * N * REPS / seconds / 1e9);
    kb_report("STREAM", seconds, a[N / 2] + b[N / 3] + c[N - 1], ok);
    return ok ? 0 : 1;
}
