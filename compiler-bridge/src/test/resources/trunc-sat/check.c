/*
 * hexo_trunc_sat.h against wasm's saturating conversions as the specification states them (NaN gives 0,
 * a value below / above the integer type's range gives its minimum / maximum, anything else is truncated
 * toward zero), computed here with long double-free, exact comparisons. Edge values first, then
 * pseudo-random bit patterns and scaled integers. Prints the number of inputs checked and of differences.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <math.h>
#include "hexo_trunc_sat.h"

/* -2^31, 2^31, -2^63, 2^63 are exact in float and double. */
static int32_t want_i32(double x) {
    if (x != x) return 0;
    if (x <= -2147483649.0) return INT32_MIN;
    if (x >= 2147483648.0) return INT32_MAX;
    return (int32_t)trunc(x);
}
static int64_t want_i64(double x) {
    if (x != x) return 0;
    if (x < -9223372036854775808.0) return INT64_MIN;
    if (x >= 9223372036854775808.0) return INT64_MAX;
    return (int64_t)trunc(x);
}

static uint64_t state = 88172645463325252ull;
static uint64_t next(void) { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state; }

int main(void) {
    static const double edges[] = {0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2147483647.0, 2147483647.9, 2147483648.0,
        -2147483648.0, -2147483648.9, -2147483649.0, 4294967296.0, 9223372036854775807.0, -9223372036854775808.0,
        9.3e18, -9.3e18, 1e300, -1e300, INFINITY, -INFINITY, NAN, -NAN, 0x1p-1074, -0x1p-1074};
    long checked = 0, differ = 0;
    for (long i = 0; i < 4000000; i++) {
        double d;
        float f;
        uint64_t bits = next();
        if (i < (long)(sizeof edges / sizeof edges[0])) d = edges[i];
        else if (i & 1) memcpy(&d, &bits, 8);
        else d = (double)(int64_t)bits / (double)(1ull << (next() & 63));
        f = (float)d;
        if (i & 2) { uint32_t b32 = (uint32_t)next(); memcpy(&f, &b32, 4); }
        volatile double vd = d; volatile float vf = f; /* no constant folding */
        d = vd; f = vf;
        checked++;
        differ += hexo_i32_trunc_sat_f64_s(d) != want_i32(d);
        differ += hexo_i64_trunc_sat_f64_s(d) != want_i64(d);
        differ += hexo_i32_trunc_sat_f32_s(f) != want_i32(f);
        differ += hexo_i64_trunc_sat_f32_s(f) != want_i64(f);
    }
    printf("%ld checked, %ld differ\n", checked, differ);
    return differ != 0;
}
