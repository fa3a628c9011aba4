/*
 * EP, "embarrassingly parallel", from the NPB 3.3 specification: 2^M pairs of uniform numbers from
 * the NPB linear congruential generator (x' = 5^13 x mod 2^46, in double-precision arithmetic), the
 * pairs inside the unit circle turned into Gaussian deviates (Marsaglia's polar method), counted by
 * annulus and summed. Checked against the specification's sums.
 */
#include <math.h>
#include "kbench.h"

#define M  KB_PICK(24, 25, 28, 30)
#define MK 16                     /* pairs per batch: 2^MK */
#define NK (1 << MK)
#define NQ 10
static double x[2 * NK];

static const double R23 = 1.0 / 8388608.0, T23 = 8388608.0;
static const double R46 = R23 * R23, T46 = T23 * T23;

/* x = a * x mod 2^46 exactly, with 23-bit halves so no product exceeds 2^53; returns x / 2^46. */
static double lcg_next(double *x, double a) {
    double a1 = (int)(R23 * a), a2 = a - T23 * a1;
    double x1 = (int)(R23 * *x), x2 = *x - T23 * x1;
    double t1 = a1 * x2 + a2 * x1;
    double z = t1 - T23 * (int)(R23 * t1);
    double t3 = T23 * z + a2 * x2;
    *x = t3 - T46 * (int)(R46 * t3);
    return R46 * *x;
}

static void lcg_fill(int n, double *x, double a, double *out) {
    for (int i = 0; i < n; i++) out[i] = lcg_next(x, a);
}

int main(void) {
    const double A = 1220703125.0, S = 271828183.0;
    double q[NQ] = {0}, sx = 0, sy = 0;
    long batches = 1L << (M - MK);
    double t0 = kb_seconds();

    double an = A; /* A^(2 NK): the generator's jump from one batch to the next */
    for (int i = 0; i <= MK; i++) lcg_next(&an, an);
    for (long k = 0; k < batches; k++) {
        if ((k & 63) == 0) popcorn_check_migrate();
        double seed = S, jump = an;
        for (long kk = k; kk; kk >>= 1) { /* seed = S * an^k */
            if (kk & 1) lcg_next(&seed, jump);
            lcg_next(&jump, jump);
        }
        lcg_fill(2 * NK, &seed, A, x);
        for (int i = 0; i < NK; i++) {
            double x1 = 2.0 * x[2 * i] - 1.0, x2 = 2.0 * x[2 * i + 1] - 1.0;
            double t = x1 * x1 + x2 * x2;
            if (t <= 1.0) {
                double f = sqrt(-2.0 * log(t) / t), g1 = x1 * f, g2 = x2 * f;
                q[(int)fmax(fabs(g1), fabs(g2))] += 1.0;
                sx += g1;
                sy += g2;
            }
        }
    }
    double seconds = kb_seconds() - t0;

    double rx = KB_PICK(-3.247834652034740e3, -2.863319731645753e3, -4.295875165629892e3, 4.033815542441498e4);
    double ry = KB_PICK(-6.958407078382297e3, -6.320053679109499e3, -1.580732573678431e4, -2.660669192809235e4);
    int ok = fabs((sx - rx) / rx) <= 1e-8 && fabs((sy - ry) / ry) <= 1e-8;
    double pairs = 0;
    for (int i = 0; i < NQ; i++) pairs += q[i];
    printf(" EP: %.0f Gaussian pairs, sums %.15e %.15e\n", pairs, sx, sy);
    kb_report("EP", seconds, sx + sy, ok);
    return ok ? 0 : 1;
}
