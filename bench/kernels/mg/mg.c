/*
 * MG after NPB 3.3's MG: V-cycle multigrid for the 3-D Poisson equation on a periodic n^3 grid whose
 * right-hand side is zero except for +1 and -1 at ten points each. The operators are the
 * specification's 27-point stencils: the residual (A), the smoother (S), full-weighting restriction (P)
 * and trilinear prolongation (Q). The charge positions come from a generator of our own, so the check is
 * that the residual's norm falls by 10^2 or more; the norm itself is the result.
 */
#include <math.h>
#include <stdlib.h>
#include "kbench.h"

#define LT    KB_PICK(5, 7, 8, 8)          /* finest grid 2^LT points per side */
#define NITER KB_PICK(4, 4, 4, 20)
#define NMAX  (1 << LT)

/* A grid of m^3 interior points with one ghost layer: (m+2)^3 doubles. */
typedef struct { int m; double *v; } grid;
#define AT(g, i, j, k) (g).v[((long)(k) * ((g).m + 2) + (j)) * ((g).m + 2) + (i)]

static grid new_grid(int m) { grid g = { m, calloc((size_t)(m + 2) * (m + 2) * (m + 2), sizeof(double)) }; return g; }

/* Periodic boundary: ghost layers copy the opposite face. */
static void wrap(grid g) {
    int m = g.m;
    for (int k = 1; k <= m; k++) for (int j = 1; j <= m; j++) { AT(g, 0, j, k) = AT(g, m, j, k); AT(g, m + 1, j, k) = AT(g, 1, j, k); }
    for (int k = 1; k <= m; k++) for (int i = 0; i <= m + 1; i++) { AT(g, i, 0, k) = AT(g, i, m, k); AT(g, i, m + 1, k) = AT(g, i, 1, k); }
    for (int j = 0; j <= m + 1; j++) for (int i = 0; i <= m + 1; i++) { AT(g, i, j, 0) = AT(g, i, j, m); AT(g, i, j, m + 1) = AT(g, i, j, 1); }
}

/* out = base + sign * (27-point stencil with weights c[0] centre, c[1] faces, c[2] edges, c[3] corners)(in). */
static void stencil(grid out, grid base, grid in, const double c[4], double sign) {
    int m = in.m;
    for (int k = 1; k <= m; k++)
        for (int j = 1; j <= m; j++)
            for (int i = 1; i <= m; i++) {
                double face = 0, edge = 0, corner = 0;
                for (int dk = -1; dk <= 1; dk++)
                    for (int dj = -1; dj <= 1; dj++) {
                        int d = (dk != 0) + (dj != 0);
                        double left = AT(in, i - 1, j + dj, k + dk), mid = AT(in, i, j + dj, k + dk), right = AT(in, i + 1, j + dj, k + dk);
                        if (d == 0) face += left + right;
                        else if (d == 1) { face += mid; edge += left + right; }
                        else { edge += mid; corner += left + right; }
                    }
                AT(out, i, j, k) = AT(base, i, j, k) + sign * (c[0] * AT(in, i, j, k) + c[1] * face + c[2] * edge + c[3] * corner);
            }
    wrap(out);
}

static const double A_OP[4] = { -8.0 / 3.0, 0.0, 1.0 / 6.0, 1.0 / 12.0 };
static const double S_OP[4] = { -3.0 / 8.0, 1.0 / 32.0, -1.0 / 64.0, 0.0 };

/* coarse = P fine: weights 1/2, 1/4, 1/8, 1/16 by distance class around fine point 2i-1. */
static void restrict_to(grid fine, grid coarse) {
    int m = coarse.m;
    for (int k = 1; k <= m; k++) for (int j = 1; j <= m; j++) for (int i = 1; i <= m; i++) {
        double s = 0;
        for (int dk = -1; dk <= 1; dk++) for (int dj = -1; dj <= 1; dj++) for (int di = -1; di <= 1; di++) {
            int d = (dk != 0) + (dj != 0) + (di != 0);
            s += AT(fine, 2 * i - 1 + di, 2 * j - 1 + dj, 2 * k - 1 + dk) * (0.5 / (1 << d));
        }
        AT(coarse, i, j, k) = s;
    }
    wrap(coarse);
}

/* fine += Q coarse: each fine point averages the coarse points it lies between. */
static void prolong_into(grid coarse, grid fine) {
    int m = fine.m;
    for (int k = 1; k <= m; k++) for (int j = 1; j <= m; j++) for (int i = 1; i <= m; i++) {
        int ci = (i + 1) / 2, cj = (j + 1) / 2, ck = (k + 1) / 2;
        int ni = 1 + !(i & 1), nj = 1 + !(j & 1), nk = 1 + !(k & 1);
        double s = 0;
        for (int a = 0; a < nk; a++) for (int b = 0; b < nj; b++) for (int c = 0; c < ni; c++) s += AT(coarse, ci + c, cj + b, ck + a);
        AT(fine, i, j, k) += s / (ni * nj * nk);
    }
    wrap(fine);
}

static double norm2(grid g) {
    double s = 0;
    for (int k = 1; k <= g.m; k++) for (int j = 1; j <= g.m; j++) for (int i = 1; i <= g.m; i++) s += AT(g, i, j, k) * AT(g, i, j, k);
    return sqrt(s / ((double)g.m * g.m * g.m));
}

static void zero(grid g) { for (long n = 0; n < (long)(g.m + 2) * (g.m + 2) * (g.m + 2); n++) g.v[n] = 0; }

static grid u[LT + 1], r[LT + 1], v;

/* One V-cycle: r[LT] holds the residual v - A u[LT]; u[LT] gets the correction added. */
static void vcycle(void) {
    for (int l = LT; l > 1; l--) restrict_to(r[l], r[l - 1]);
    zero(u[1]);
    stencil(u[1], u[1], r[1], S_OP, 1.0);
    for (int l = 2; l <= LT; l++) {
        if (l < LT) zero(u[l]);
        prolong_into(u[l - 1], u[l]);
        /* The residual of the corrected solution: below the top u is this cycle's correction alone. */
        stencil(r[l], l < LT ? r[l] : v, u[l], A_OP, -1.0);
        stencil(u[l], u[l], r[l], S_OP, 1.0);
    }
}

int main(void) {
    for (int l = 1; l <= LT; l++) { u[l] = new_grid(1 << l); r[l] = new_grid(1 << l); }
    v = new_grid(NMAX);
    unsigned seed = 314159265u;
    for (int q = 0; q < 20; q++) {
        int p[3];
        for (int d = 0; d < 3; d++) { seed = seed * 1103515245u + 12345u; p[d] = 1 + (int)((seed >> 8) % NMAX); }
        AT(v, p[0], p[1], p[2]) = q < 10 ? 1.0 : -1.0;
    }
    wrap(v);
    /* As NPB MG: one untimed iteration touches all code and data, then the grids start again from zero. */
    stencil(r[LT], v, u[LT], A_OP, -1.0);
    vcycle();
    for (int l = 1; l <= LT; l++) { zero(u[l]); zero(r[l]); }
    double t0 = kb_seconds();
    stencil(r[LT], v, u[LT], A_OP, -1.0);
    double first = norm2(r[LT]);
    for (int it = 0; it < NITER; it++) {
        popcorn_check_migrate();
        vcycle();
        stencil(r[LT], v, u[LT], A_OP, -1.0);
    }
    double last = norm2(r[LT]), seconds = kb_seconds() - t0;
    int ok = last < first * 1e-2;
    printf(" MG: %d^3 grid, %d V-cycles, residual norm %.6e -> %.15e\n", NMAX, NITER, first, last);
    kb_report("MG", seconds, last, ok);
    return ok ? 0 : 1;
}
