/*
 * FT after NPB 3.3's FT: the 3-D heat equation solved spectrally. A complex nx*ny*nz field of NPB
 * random numbers is transformed forward once; each time step multiplies every mode k by
 * exp(-4 alpha pi^2 |k|^2 t), transforms back and takes the specification's checksum (1024 elements
 * at (j, 3j, 5j) modulo the sizes). FFTs are radix-2, one line at a time through a contiguous buffer.
 * Check: forward then inverse transform of the initial field gives it back to 1e-12.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "kbench.h"

#define NX    KB_PICK(64, 128, 256, 512)
#define NY    KB_PICK(64, 128, 256, 256)
#define NZ    KB_PICK(64, 32, 128, 256)
#define NITER KB_PICK(6, 6, 6, 20)
#define NMAXD 512
#define ALPHA 1e-6

typedef struct { double re, im; } cplx;
#define AT(a, i, j, k) (a)[((long)(k) * NY + (j)) * NX + (i)]

static cplx line[NMAXD], roots[NMAXD];

/* In-place radix-2 transform of n points with roots[k] = exp(sign 2 pi i k / n) (unscaled). */
static void fft1(cplx *x, int n) {
    for (int i = 1, j = 0; i < n; i++) { /* bit reversal */
        int bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) { cplx t = x[i]; x[i] = x[j]; x[j] = t; }
    }
    for (int len = 2; len <= n; len <<= 1) {
        int step = n / len;
        for (int i = 0; i < n; i += len)
            for (int k = 0; k < len / 2; k++) {
                cplx w = roots[k * step], a = x[i + k], b = x[i + k + len / 2];
                cplx t = { w.re * b.re - w.im * b.im, w.re * b.im + w.im * b.re };
                x[i + k].re = a.re + t.re; x[i + k].im = a.im + t.im;
                x[i + k + len / 2].re = a.re - t.re; x[i + k + len / 2].im = a.im - t.im;
            }
    }
}

/* All lines along one axis: stride 1 (x), NX (y) or NX*NY (z). */
static void fft_axis(cplx *a, int axis, int sign) {
    int n = axis == 0 ? NX : axis == 1 ? NY : NZ;
    long stride = axis == 0 ? 1 : axis == 1 ? NX : (long)NX * NY;
    long lines = (long)NX * NY * NZ / n;
    for (int k = 0; k < n / 2; k++) { roots[k].re = cos(2 * M_PI * k / n); roots[k].im = sign * sin(2 * M_PI * k / n); }
    for (long l = 0; l < lines; l++) {
        long base = axis == 0 ? l * NX : axis == 1 ? (l / NX) * NX * NY + l % NX : l;
        for (int i = 0; i < n; i++) line[i] = a[base + i * stride];
        fft1(line, n);
        for (int i = 0; i < n; i++) a[base + i * stride] = line[i];
    }
}

static void fft3(cplx *a, int sign) { for (int axis = 0; axis < 3; axis++) fft_axis(a, axis, sign); }

/* The NPB generator (x' = 5^13 x mod 2^46), here in exact 64-bit integer arithmetic. */
static unsigned long long lcg = 314159265ull;
static double lcg_next(void) {
    lcg = (lcg * 1220703125ull) & ((1ull << 46) - 1);
    return (double)lcg * 0x1p-46;
}

/* Wave number of index i on an axis of n points: 0..n/2-1, then negative. */
static int wave(int i, int n) { return i < n / 2 ? i : i - n; }

int main(void) {
    long total = (long)NX * NY * NZ;
    cplx *u0 = malloc(total * sizeof *u0), *u1 = malloc(total * sizeof *u1), *orig = malloc(total * sizeof *orig);
    double fx[NMAXD], fy[NMAXD], fz[NMAXD];
    for (long n = 0; n < total; n++) { u0[n].re = lcg_next(); u0[n].im = lcg_next(); }
    memcpy(orig, u0, total * sizeof *u0);

    /* As NPB FT: an untimed transform touches all code and data before the clock starts. */
    memcpy(u1, u0, total * sizeof *u0);
    fft3(u1, -1);
    double t0 = kb_seconds(), sum_re = 0, sum_im = 0;
    fft3(u0, -1);
    memcpy(u1, u0, total * sizeof *u0);
    fft3(u1, 1);
    double err = 0;
    for (long n = 0; n < total; n++) err = fmax(err, fabs(u1[n].re / total - orig[n].re) + fabs(u1[n].im / total - orig[n].im));
    for (int t = 1; t <= NITER; t++) {
        popcorn_check_migrate();
        double c = -4.0 * ALPHA * M_PI * M_PI * t;
        for (int i = 0; i < NX; i++) fx[i] = exp(c * wave(i, NX) * wave(i, NX));
        for (int j = 0; j < NY; j++) fy[j] = exp(c * wave(j, NY) * wave(j, NY));
        for (int k = 0; k < NZ; k++) fz[k] = exp(c * wave(k, NZ) * wave(k, NZ));
        for (int k = 0; k < NZ; k++) for (int j = 0; j < NY; j++) for (int i = 0; i < NX; i++) {
            double f = fx[i] * fy[j] * fz[k];
            AT(u1, i, j, k).re = AT(u0, i, j, k).re * f;
            AT(u1, i, j, k).im = AT(u0, i, j, k).im * f;
        }
        fft3(u1, 1);
        double re = 0, im = 0;
        for (int j = 0; j < 1024; j++) { re += AT(u1, j % NX, 3 * j % NY, 5 * j % NZ).re; im += AT(u1, j % NX, 3 * j % NY, 5 * j % NZ).im; }
        printf(" FT: T = %2d checksum %.12e %.12e\n", t, re / total, im / total);
        sum_re += re / total; sum_im += im / total;
    }
    double seconds = kb_seconds() - t0;
    int ok = err < 1e-12;
    printf(" FT: %dx%dx%d, round-trip error %.2e\n", NX, NY, NZ, err);
    kb_report("FT", seconds, sum_re + sum_im, ok);
    return ok ? 0 : 1;
}
