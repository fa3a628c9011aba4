// Test-guest helper: turn on an identity-mapped MMU like the hexo AArch64 kernel does (4 KiB granule,
// 48-bit VA, T0SZ 16). Page tables live at 0x10000..0x15000. RAM [0, 64 MiB) is normal memory in
// 2 MiB blocks, except: page 0 (null page) unmapped, the block at 0x400000 (stack guard) unmapped and
// the block at 0xa00000 left unmapped in the page tables only (Unicorn maps it: a data abort there is
// an MMU fault, not an access to unmapped memory). The doorbell's 1 GiB at 0x8000000000 is device memory.
// Clobbers x0-x4.
.macro mmu_on
    ldr x0, =0x10000
    ldr x1, =0x15000
90: str xzr, [x0], #8
    cmp x0, x1
    b.ne 90b
    ldr x0, =0x10000
    ldr x1, =0x11003
    str x1, [x0]                 // L0[0] -> L1 for RAM
    ldr x1, =0x12003
    str x1, [x0, #8]             // L0[1] -> L1 for the doorbell
    ldr x0, =0x12000
    ldr x1, =0x8000000000 | 0x405 | (1 << 54)
    str x1, [x0]                 // device block, attr 1, AF, XN
    ldr x0, =0x11000
    ldr x1, =0x13003
    str x1, [x0]                 // L1[0] -> L2
    ldr x0, =0x13000
    mov x2, #1
91: lsl x3, x2, #21
    ldr x4, =0x400000
    cmp x3, x4
    b.eq 92f
    ldr x4, =0xa00000
    cmp x3, x4
    b.eq 92f
    ldr x4, =0x701               // block, attr 0, inner shareable, AF
    orr x3, x3, x4
    str x3, [x0, x2, lsl #3]
92: add x2, x2, #1
    cmp x2, #32
    b.ne 91b
    ldr x1, =0x14003
    str x1, [x0]                 // L2[0] -> L3: the first 2 MiB in pages
    ldr x0, =0x14000
    mov x2, #1                   // page 0 stays unmapped
93: lsl x3, x2, #12
    ldr x4, =0x703
    orr x3, x3, x4
    str x3, [x0, x2, lsl #3]
    add x2, x2, #1
    cmp x2, #512
    b.ne 93b
    ldr x0, =0x04ff              // attr 0 normal write-back, attr 1 device nGnRE
    msr mair_el1, x0
    ldr x0, =(16 | (1 << 8) | (1 << 10) | (3 << 12) | (2 << 32))
    msr tcr_el1, x0
    ldr x0, =0x10000
    msr ttbr0_el1, x0
    dsb sy
    tlbi vmalle1
    dsb sy
    isb
    mrs x0, sctlr_el1
    orr x0, x0, #1               // M
    orr x0, x0, #(1 << 2)        // C
    orr x0, x0, #(1 << 12)       // I
    bic x0, x0, #(1 << 1)        // A: no alignment faults
    msr sctlr_el1, x0
    isb
.endm

// Ring the doorbell with w1 = 0x110000 (x0 is clobbered).
.macro doorbell
    ldr x0, =0x8000000000
    mov w1, #0x110000
    str w1, [x0]
.endm
