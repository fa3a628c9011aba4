// Identity MMU on, then unaligned loads from normal memory and a doorbell through the device mapping:
// EXIT(8 bytes at data+1, 4 bytes at data+3, 2 bytes at data+5, SCTLR_EL1, 8 bytes across a page boundary).
.include "hexo_test.inc"
    .text
    .global _start
_start:
    enable_identity_mmu
    adr     x3, data
    ldur    x4, [x3, #1]
    add     x5, x3, #3
    ldr     w6, [x5]
    ldurh   w7, [x3, #5]
    mrs     x8, sctlr_el1
    adr     x13, cross
    ldr     x14, [x13]                  // 3 bytes of one page, 5 of the next
    hc      HC_EXIT, x4, x6, x7, x8, x14
    b       .
    .ltorg
    .balign 16
data: .byte 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f
    .balign 4096
    .skip   4093
cross: .byte 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88
