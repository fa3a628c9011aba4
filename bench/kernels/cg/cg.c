/*
 * CG-style kernel after NPB 3.3's CG: estimate the smallest eigenvalue of a large sparse symmetric
 * positive-definite matrix by inverse power iteration, each step solving A z = x with 25 iterations of
 * the conjugate gradient method (sparse matrix-vector products with irregular, indirect access).
 * The matrix is NPB's size and density class by class but generated here (random symmetric pattern,
 * diagonally dominant, eigenvalues in [1, 2.3)), so the check is the solver's own: every solve must
 * shrink the residual by 10^4 and the eigenvalue estimate must settle inside that range.
 */
#include <math.h>
#include <stdlib.h>
#include "kbench.h"

#define NA     KB_PICK(1400, 7000, 14000, 75000)
#define NZ     KB_PICK(49, 64, 121, 169)    /* off-diagonal entries per row, as NPB's (nonzer+1)^2 */
#define NITER  KB_PICK(15, 15, 15, 75)
#define SHIFT  KB_PICK(10.0, 12.0, 20.0, 60.0)
#define CGITMAX 25

static int *rowstart, *col;
static double *val;

static unsigned long long rng_state = 0x9e3779b97f4a7c15ull;
static unsigned long long rng(void) { /* xorshift64*: integer only, so every ISA draws the same matrix */
    rng_state ^= rng_state >> 12; rng_state ^= rng_state << 25; rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

/* Half the entries drawn per row above the diagonal, mirrored below, the diagonal dominant. */
static void make_matrix(void) {
    int half = NZ / 2;
    long pairs = (long)NA * half;
    int *pi = malloc(pairs * sizeof *pi), *pj = malloc(pairs * sizeof *pj);
    double *pv = malloc(pairs * sizeof *pv), *diag = calloc(NA, sizeof *diag);
    int *count = calloc(NA + 1, sizeof *count);
    for (long p = 0; p < pairs; p++) {
        int i = (int)(p / half), j = (int)(rng() % NA);
        if (j == i) j = (j + 1) % NA;
        pi[p] = i; pj[p] = j; pv[p] = (double)(rng() >> 11) * 0x1p-53;
        count[i]++; count[j]++;
        diag[i] += pv[p]; diag[j] += pv[p];
    }
    rowstart = malloc((NA + 1) * sizeof *rowstart);
    rowstart[0] = 0;
    for (int i = 0; i < NA; i++) rowstart[i + 1] = rowstart[i] + count[i] + 1;
    col = malloc(rowstart[NA] * sizeof *col);
    val = malloc(rowstart[NA] * sizeof *val);
    for (int i = 0; i < NA; i++) { /* the diagonal first, then the rest in drawing order */
        col[rowstart[i]] = i; val[rowstart[i]] = diag[i] + 1.0 + 0.1 * (i % 13);
        count[i] = rowstart[i] + 1;
    }
    for (long p = 0; p < pairs; p++) {
        int i = pi[p], j = pj[p];
        col[count[i]] = j; val[count[i]++] = -pv[p];
        col[count[j]] = i; val[count[j]++] = -pv[p];
    }
    free(pi); free(pj); free(pv); free(diag); free(count);
}

static void matvec(const double *in, double *out) {
    for (int i = 0; i < NA; i++) {
        double s = 0;
        for (int k = rowstart[i]; k < rowstart[i + 1]; k++) s += val[k] * in[col[k]];
        out[i] = s;
    }
}

static double dot(const double *a, const double *b) {
    double s = 0;
    for (int i = 0; i < NA; i++) s += a[i] * b[i];
    return s;
}

/* z ~ A^-1 x; returns the residual's norm divided by x's. */
static double conj_grad(const double *x, double *z, double *r, double *p, double *q) {
    for (int i = 0; i < NA; i++) { z[i] = 0; r[i] = x[i]; p[i] = x[i]; }
    double rho = dot(r, r), rho0 = rho;
    for (int it = 0; it < CGITMAX; it++) {
        matvec(p, q);
        double alpha = rho / dot(p, q);
        for (int i = 0; i < NA; i++) { z[i] += alpha * p[i]; r[i] -= alpha * q[i]; }
        double rho1 = dot(r, r), beta = rho1 / rho;
        rho = rho1;
        for (int i = 0; i < NA; i++) p[i] = r[i] + beta * p[i];
    }
    return sqrt(rho / rho0);
}

int main(void) {
    make_matrix();
    double *x = malloc(NA * sizeof *x), *z = malloc(NA * sizeof *z), *r = malloc(NA * sizeof *r);
    double *p = malloc(NA * sizeof *p), *q = malloc(NA * sizeof *q);
    for (int i = 0; i < NA; i++) x[i] = 1.0;
    /* As NPB CG: one untimed solve touches all code and data (x is not changed by it). */
    conj_grad(x, z, r, p, q);
    double t0 = kb_seconds(), zeta = 0, previous = 0, worst = 0;
    for (int it = 0; it < NITER; it++) {
        popcorn_check_migrate();
        double res = conj_grad(x, z, r, p, q);
        if (res > worst) worst = res;
        previous = zeta;
        zeta = SHIFT + 1.0 / dot(x, z);
        double norm = 1.0 / sqrt(dot(z, z));
        for (int i = 0; i < NA; i++) x[i] = norm * z[i];
    }
    double seconds = kb_seconds() - t0;
    int ok = worst < 1e-4 && zeta > SHIFT + 1.0 && zeta < SHIFT + 2.3 && fabs(zeta - previous) < 1e-3 * zeta;
    printf(" CG: n=%d, %d nonzeros, zeta %.15e, worst relative residual %.2e\n", NA, rowstart[NA], zeta, worst);
    kb_report("CG", seconds, zeta, ok);
    return ok ? 0 : 1;
}
