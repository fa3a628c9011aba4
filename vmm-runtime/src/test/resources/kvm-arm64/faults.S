// What the guest cannot report itself, chosen by PARAM: each first MARKs the address of the instruction
// that is about to stop the vCPU. 1: a store to unbacked 0x4000_0000; 2: a post-indexed store to the
// doorbell (no syndrome); 3: PSCI SYSTEM_OFF.
.include "hexo_test.inc"
    .text
    .global _start
_start:
    mov     x20, #PARAM
    ldr     x21, [x20]
    cmp     x21, #1
    b.eq    unbacked
    cmp     x21, #2
    b.eq    postindex
    cmp     x21, #3
    b.eq    psci_off
    hc      HC_EXIT, x21
    b       .
unbacked:
    adr     x19, 1f
    hc      HC_MARK, x19
    movz    x1, #0x4000, lsl #16
    mov     w2, #7
1:  str     w2, [x1]
    b       .
postindex:
    adr     x19, 1f
    hc      HC_MARK, x19
    movz    x1, #0x80, lsl #32
    mov     w2, #HC_BLOCK
1:  str     w2, [x1], #4
    b       .
psci_off:
    adr     x19, 1f
    hc      HC_MARK, x19
    movz    w0, #0x8400, lsl #16
    movk    w0, #0x0008                 // PSCI 0.2 SYSTEM_OFF
1:  hvc     #0
    b       .
