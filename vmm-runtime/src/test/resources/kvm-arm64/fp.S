// Scalar double, SIMD float and a double from the VMM: EXIT(bits of sqrt(2)*3.5+1/3, bits of the sum of
// {1.5, 2.25, -4, 8} + {0.5, 0.75, 1, 2}, bits of 2*PI where PI came from the host, (long)-7.75 truncated).
.include "hexo_test.inc"
    .text
    .global _start
_start:
    fmov    d0, #2.0
    fsqrt   d0, d0
    fmov    d1, #3.5
    fmul    d0, d0, d1
    fmov    d2, #1.0
    fmov    d3, #3.0
    fdiv    d2, d2, d3
    fadd    d0, d0, d2
    fmov    x20, d0
    adr     x1, vec_a
    ld1     {v4.4s}, [x1]
    adr     x1, vec_b
    ld1     {v5.4s}, [x1]
    fadd    v6.4s, v4.4s, v5.4s
    faddp   v7.4s, v6.4s, v6.4s
    faddp   s8, v7.2s
    fmov    w21, s8
    hc      HC_PI
    fmov    d10, x0
    fadd    d10, d10, d10
    fmov    x22, d10
    fmov    d11, #-7.75
    fcvtzs  x23, d11
    hc      HC_EXIT, x20, x21, x22, x23
    b       .
    .balign 16
vec_a: .float 1.5, 2.25, -4.0, 8.0
vec_b: .float 0.5, 0.75, 1.0, 2.0
