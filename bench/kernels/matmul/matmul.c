/*
 * Dense matrix multiply, C = A B with n x n doubles, in the i-k-j order a plain C programmer writes
 * (unit-stride inner loop). Checked against dot products computed directly for a few entries.
 */
#include <math.h>
#include <stdlib.h>
#include "kbench.h"

#define N KB_PICK(256, 512, 1024, 1536)

int main(void) {
    double *a = malloc((long)N * N * sizeof *a), *b = malloc((long)N * N * sizeof *b), *c = calloc((long)N * N, sizeof *c);
    for (long i = 0; i < N; i++)
        for (long j = 0; j < N; j++) { a[i * N + j] = (double)((i * 7 + j * 3) % 17) - 8.0; b[i * N + j] = (double)((i * 5 + j * 11) % 13) / 13.0; }
    double t0 = kb_seconds();
    for (long i = 0; i < N; i++) {
        if ((i & 63) == 0) popcorn_check_migrate();
        for (long k = 0; k < N; k++) {
            double aik = a[i * N + k];
            for (long j = 0; j < N; j++) c[i * N + j] += aik * b[k * N + j];
        }
    }
    double seconds = kb_seconds() - t0;
    int ok = 1;
    for (long s = 0; s < 16; s++) {
        long i = (s * 97) % N, j = (s * 389) % N;
        double d = 0;
        for (long k = 0; k < N; k++) d += a[i * N + k] * b[k * N + j];
        if (fabs(d - c[i * N + j]) > 1e-9 * (1.0 + fabs(d))) ok = 0;
    }
    double trace = 0;
    for (long i = 0; i < N; i++) trace += c[i * N + i];
    printf(" MATMUL: %dx%d doubles, %.2f Gflop/s\n", N, N, 2.0 * N * N * N / seconds / 1e9);
    kb_report("MATMUL", seconds, trace, ok);
    return ok ? 0 : 1;
}
