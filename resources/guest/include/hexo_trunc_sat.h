/*
 * wasm's saturating float-to-signed-int conversions (i32/i64.trunc_sat_f32/f64_s) with the ISA's own
 * instruction: the program is compiled to wasm with -mnontrapping-fptoint, so every C cast from floating
 * point to a signed integer is one of these. wasm2c's macros test NaN, the lower and the upper bound
 * before converting (seven instructions on x86-64 where native code has one); EP's random-number
 * generator does four per number. See compiler-bridge SaturatingConversions.java, which points the
 * macros here.
 *
 * Results are wasm's, bit for bit, on both ISAs: NaN gives 0, values below / above the range give its
 * minimum / maximum, everything else is truncated toward zero.
 * - AArch64: FCVTZS is exactly that operation.
 * - x86-64, 64-bit results: CVTTSD2SI/CVTTSS2SI truncate in range and return the "integer indefinite"
 *   value (the type's minimum) otherwise, which is also the correct result for one in-range input (the
 *   minimum itself); only when the minimum comes back is the input looked at again.
 * - x86-64, 32-bit results: the input's magnitude is checked first (a predicted branch, off the data path) and
 *   then converted by a plain C cast, which is defined there. That keeps the conversion visible to the
 *   back end as fptosi: a cast back to floating point, `(double)(int)x` (EP's random-number generator does
 *   three in its dependence chain per number), is then done in the vector registers (CVTTPD2DQ + CVTDQ2PD)
 *   as native code does, instead of a round trip through a general register (CVTTSD2SI + CVTSI2SD), whose
 *   latency made EP's generator 1.2-1.3x slower than native although the instruction counts were equal.
 *   The fix-up can't follow the conversion here: a phi between the conversion and the cast back hides
 *   the pair from the back end. There is no 64-bit packed conversion in SSE2, so the 64-bit ones keep
 *   the shorter check after the conversion.
 */
#ifndef HEXO_TRUNC_SAT_H
#define HEXO_TRUNC_SAT_H

#include <stdint.h>

#if defined(__x86_64__)
typedef double hexo_v2df __attribute__((vector_size(16)));
typedef float hexo_v4sf __attribute__((vector_size(16)));

#define HEXO_SAT_FIXUP(r, x, min, max) \
    (__builtin_expect((r) == (min), 0) ? ((x) != (x) ? 0 : (x) < 0 ? (min) : (max)) : (r))

/* x (a double) if its truncation fits in 32 bits, else the bound (or 0 for NaN), so that one plain
 * conversion follows on both paths (see above). One test of |x| (NaN fails it): two compares, one per
 * bound, left EP's generator 5 % slower than native; this one matches it. Inputs in (-2^31 - 1, -2^31]
 * take the slow path and get the minimum, which is their truncation. */
#define HEXO_SAT_CLAMP32(x)                                                                   \
    (__builtin_expect(__builtin_fabs(x) < 2147483648.0, 1) ? (x)                                \
     : (x) != (x) ? 0 : (x) < 0 ? -2147483648.0 : 2147483647.0)

static inline int32_t hexo_i32_trunc_sat_f64_s(double x) {
    return (int32_t)HEXO_SAT_CLAMP32(x);
}
static inline int64_t hexo_i64_trunc_sat_f64_s(double x) {
    int64_t r = __builtin_ia32_cvttsd2si64((hexo_v2df){x, 0});
    return HEXO_SAT_FIXUP(r, x, INT64_MIN, INT64_MAX);
}
static inline int32_t hexo_i32_trunc_sat_f32_s(float x) {
    double d = x; /* exact; a float can't hold the upper bound 2^31 - 1 */
    return (int32_t)HEXO_SAT_CLAMP32(d);
}
static inline int64_t hexo_i64_trunc_sat_f32_s(float x) {
    int64_t r = __builtin_ia32_cvttss2si64((hexo_v4sf){x, 0, 0, 0});
    return HEXO_SAT_FIXUP(r, x, INT64_MIN, INT64_MAX);
}
#elif defined(__aarch64__)
static inline int32_t hexo_i32_trunc_sat_f64_s(double x) {
    int32_t r;
    __asm__("fcvtzs %w0, %d1" : "=r"(r) : "w"(x));
    return r;
}
static inline int64_t hexo_i64_trunc_sat_f64_s(double x) {
    int64_t r;
    __asm__("fcvtzs %x0, %d1" : "=r"(r) : "w"(x));
    return r;
}
static inline int32_t hexo_i32_trunc_sat_f32_s(float x) {
    int32_t r;
    __asm__("fcvtzs %w0, %s1" : "=r"(r) : "w"(x));
    return r;
}
static inline int64_t hexo_i64_trunc_sat_f32_s(float x) {
    int64_t r;
    __asm__("fcvtzs %x0, %s1" : "=r"(r) : "w"(x));
    return r;
}
#else
#error "hexo_trunc_sat.h: an ISA hexo does not build for"
#endif

#endif
