#include "hexo_abi.h"

/*
 * AArch64 entry, EL1, MMU off, SP set by the VMM. Turn on FP/SIMD, install our vectors, build the
 * identity map (mmu.c, which must run with strict alignment until the MMU is on), then enter C.
 * On the process engine (boot_info.doorbell set by the loader) we are a Linux process at EL0: FP is on,
 * memory is mapped and faults arrive as the loader's signals, so none of that may (or need) happen.
 */
    .section .text.entry, "ax"
    .globl _start
_start:
    ldr x1, =HEXO_BOOT_INFO_ADDR
    ldr x1, [x1, #72]               /* boot_info.doorbell (arch.c checks the offset) */
    cbnz x1, 2f
    mrs x1, cpacr_el1
    orr x1, x1, #(3 << 20)          /* FPEN: no FP/SIMD traps at EL1/EL0 */
    msr cpacr_el1, x1
    isb
    adr x1, hexo_arm_vectors
    msr vbar_el1, x1
    isb
    bl hexo_arm_mmu_on
2:  bl hexo_main
1:  wfe
    b 1b

/*
 * Exception vectors (16 entries of 0x80 bytes). Every exception here is fatal: switch to a private
 * stack (the fault may be a stack overflow into the guard), then report it in C.
 */
    .balign 2048
    .globl hexo_arm_vectors
hexo_arm_vectors:
    .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    .balign 128
    adr x9, exception_stack_top
    mov sp, x9
    mov x0, #\n
    mrs x1, esr_el1
    mrs x2, far_el1
    mrs x3, elr_el1
    b hexo_arm_exception
    .endr

    .bss
    .balign 16
exception_stack:
    .skip 8192
exception_stack_top:
