// PARAM iterations of ADD hypercalls, each result checked; then EXIT(sum, CurrentEL, sp).
.include "hexo_test.inc"
    .text
    .global _start
_start:
    mov     x20, #PARAM
    ldr     x21, [x20]                  // iterations
    mov     x22, #0                     // i
    mov     x23, #0                     // sum of results
    mov     x24, #1000
1:  cmp     x22, x21
    b.hs    2f
    hc      HC_ADD, x22, x24
    add     x25, x22, #1000
    cmp     x0, x25
    b.ne    bad
    add     x23, x23, x0
    add     x22, x22, #1
    b       1b
2:  mrs     x26, CurrentEL
    mov     x27, sp
    hc      HC_EXIT, x23, x26, x27
    b       .
bad:
    mov     x26, #99
    hc      HC_TRAP, x26, x22, x0
    b       .
