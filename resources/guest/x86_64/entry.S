#include "hexo_abi.h"

/*
 * x86-64 entry. The VMM starts us in 64-bit mode at CPL 3 (IOPL 3 and the TSS I/O bitmap open the doorbell port) with paging on and
 * the stack set: the kernel never needs ring 0, which this KVM emulates ~50 000x slower than ring 3.
 * Only the exception stubs below run at ring 0, and only when the guest is about to die.
 */
    .section .text.entry, "ax"
    .globl _start
_start:
    andq $-16, %rsp
    call hexo_main
    ud2

/*
 * 32 exception stubs, 16 bytes apart: the VMM points IDT vector v at hexo_x86_trap_vectors + 16*v
 * (layout symbol read from this image). Each pushes an error code if the CPU did not, then the vector.
 */
    .section .text.traps, "ax"
    .balign 16
    .globl hexo_x86_trap_vectors
hexo_x86_trap_vectors:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .balign 16
    .if (\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
    pushq $\v
    .else
    pushq $0
    pushq $\v
    .endif
    jmp trap_common
    .endr

/* Ring 0, stack: vector, error code, RIP, CS, RFLAGS, RSP, SS. Report through the hypercall block
 * and never return: the VMM ends the guest. */
trap_common:
    movq $HEXO_HYPERCALL_ADDR, %rdi
    movq $HEXO_HC_TRAP, 0(%rdi)
    movq (%rsp), %rax                /* vector */
    movq $HEXO_TRAP_CPU_EXCEPTION, %rcx
    movq $HEXO_TRAP_OUT_OF_BOUNDS, %rdx  /* for #PF */
    cmpq $14, %rax
    cmoveq %rdx, %rcx
    movq $HEXO_TRAP_DIV_BY_ZERO, %rdx    /* for #DE */
    cmpq $0, %rax
    cmoveq %rdx, %rcx
    movq %rcx, 8(%rdi)               /* arg0 = kind */
    movq 16(%rsp), %rcx
    movq %rcx, 16(%rdi)              /* arg1 = faulting RIP */
    movq %cr2, %rcx
    movq %rcx, 24(%rdi)              /* arg2 = fault address */
    movq %rax, 32(%rdi)              /* arg3 = vector */
    movl $HEXO_HYPERCALL_ADDR, %eax
    movw $HEXO_X86_PORT, %dx
    outl %eax, %dx
1:  hlt
    jmp 1b
