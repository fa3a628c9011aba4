// VBAR_EL1 set, identity MMU on, then a load from unmapped 0x4000_0123: the vector reports
// TRAP(kind 2, ELR_EL1, FAR_EL1, ESR_EL1, address of the faulting load, vector offset).
.include "hexo_test.inc"
    .text
    .global _start
_start:
    adr     x0, vectors
    msr     vbar_el1, x0
    isb
    enable_identity_mmu
    movz    x1, #0x4000, lsl #16
    add     x1, x1, #0x123
fault_insn:
    ldr     x2, [x1]
    hc      HC_EXIT, x2                 // never reached
    b       .

report:
    mrs     x1, elr_el1
    mrs     x2, far_el1
    mrs     x3, esr_el1
    adr     x4, fault_insn
    mov     x5, #2                      // HEXO_TRAP_OUT_OF_BOUNDS
    hc      HC_TRAP, x5, x1, x2, x3, x4, x15
    b       .

    .ltorg
    .balign 2048
vectors:
    .irp off, 0x000, 0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380, 0x400, 0x480, 0x500, 0x580, 0x600, 0x680, 0x700, 0x780
    .balign 0x80
    mov     x15, #\off
    b       report
    .endr
