# Tiny x86-64 guests for KvmX86EngineTest, linked at 0x200000 (Abi.IMAGE_BASE) and loaded there flat.
# Each test starts at one of the entry_* labels, in 64-bit mode at CPL 3 (the engine's contract).
# Assembled with `as` + `ld -Ttext=0x200000` + `objcopy -O binary` at test time (X86GuestAsm).

        .equ HC, 0x110000              # struct hexo_hypercall (Abi.HYPERCALL_ADDR)
        .equ HC_NR, HC + 0
        .equ HC_ARG0, HC + 8
        .equ HC_ARG1, HC + 16
        .equ HC_ARG2, HC + 24
        .equ HC_ARG3, HC + 32
        .equ HC_RET, HC + 56
        .equ PORT, 0x510             # Abi.X86_PORT
        .equ HC_EXIT, 0x01
        .equ HC_TRAP, 0x02
        .equ TRAP_OUT_OF_BOUNDS, 2
        .equ TRAP_DIV_BY_ZERO, 3
        .equ TRAP_CPU_EXCEPTION, 8
        # test-only hypercalls, answered by the test's handler
        .equ HC_ECHO, 0x100          # ret = arg0 * 1000 + 7
        .equ HC_FILL, 0x101          # VMM writes arg1 bytes (i * 3) at arg0, checks the qword at arg2
        .equ HC_BENCH, 0x102         # ret = 1 to go on, 0 to stop
        .equ BUF, 0x300000

        .text
        .globl _start
_start:
        jmp entry_doorbells

# hypercall(nr = rdi, arg0 = rsi, arg1 = rdx, arg2 = rcx) -> rax = ret
hypercall:
        mov %rdi, HC_NR
        mov %rsi, HC_ARG0
        mov %rdx, HC_ARG1
        mov %rcx, HC_ARG2
        mov $HC, %eax
        mov $PORT, %edx              # the port is above 0xff: outl %eax, %dx
        out %eax, %dx
        mov HC_RET, %rax
        ret

# exit(code = rdi): never returns
exit:
        mov %rdi, %rsi
        mov $HC_EXIT, %edi
        call hypercall
1:      jmp 1b

# four echo hypercalls, then exit with the sum of their results (10028)
        .globl entry_doorbells
entry_doorbells:
        xor %ebx, %ebx
        mov $1, %r12d
1:      mov $HC_ECHO, %edi
        mov %r12, %rsi
        call hypercall
        add %rax, %rbx
        inc %r12
        cmp $5, %r12
        jb 1b
        mov %rbx, %rdi
        call exit

# the guest writes a qword, the VMM fills 64 bytes; exit with the byte sum plus the returned count
        .globl entry_memory
entry_memory:
        movabs $0x1122334455667788, %rax
        mov %rax, BUF + 0x100
        mov $HC_FILL, %edi
        mov $BUF, %esi
        mov $64, %edx
        mov $BUF + 0x100, %ecx
        call hypercall
        mov %rax, %rbx
        xor %ecx, %ecx
        xor %edx, %edx
1:      movzbl BUF(%rcx), %eax
        add %rax, %rdx
        inc %ecx
        cmp $64, %ecx
        jb 1b
        shl $32, %rbx
        lea (%rbx, %rdx), %rdi
        call exit

# exit with cs | ss << 16 | (rflags.IOPL << 32)
        .globl entry_cpl
entry_cpl:
        mov %cs, %eax
        mov %ss, %edx
        shl $16, %edx
        or %rdx, %rax
        pushf
        pop %rdx
        shr $12, %rdx
        and $3, %edx
        shl $32, %rdx
        or %rdx, %rax
        mov %rax, %rdi
        call exit

# exit with the bits of (sqrt(2.0) / 3.0)^2 + 0.5, and packed single adds in xmm3
        .globl entry_sse
entry_sse:
        movsd two(%rip), %xmm0
        sqrtsd %xmm0, %xmm1
        divsd three(%rip), %xmm1
        mulsd %xmm1, %xmm1
        addsd half(%rip), %xmm1
        movups quad(%rip), %xmm3
        addps %xmm3, %xmm3
        movups %xmm3, BUF
        movq %xmm1, %rdi
        call exit

# read beyond the end of guest memory (16 MiB in the tests)
        .globl entry_beyond, fault_beyond
entry_beyond:
        mov $0x42, %ebx
fault_beyond:
        mov 0x3000000, %rax
        mov %rax, %rdi
        call exit

        .globl entry_null, fault_null
entry_null:
fault_null:
        mov 0x10, %rax
        mov %rax, %rdi
        call exit

        .globl entry_div, fault_div
entry_div:
        mov $1, %eax
        xor %edx, %edx
        xor %ecx, %ecx
fault_div:
        div %ecx
        mov %rax, %rdi
        call exit

# write into the stack guard (4..6 MiB in the tests)
        .globl entry_guard, fault_guard
entry_guard:
fault_guard:
        movq $1, 0x500000
        xor %edi, %edi
        call exit

        .globl entry_bench
entry_bench:
1:      mov $HC_BENCH, %edi
        call hypercall
        test %rax, %rax
        jnz 1b
        xor %edi, %edi
        call exit

# a port the TSS I/O bitmap keeps closed: #GP at CPL 3, reported by the ring-0 stub
        .globl entry_bad_port, fault_bad_port
entry_bad_port:
        mov $0x55, %al
fault_bad_port:
        out %al, $0x80
        xor %edi, %edi
        call exit

# the doorbell port, but one byte wide: it reaches the VMM, which refuses it
        .globl entry_byte_doorbell
entry_byte_doorbell:
        mov $0x510, %dx
        mov $0x55, %al
        out %al, %dx
        xor %edi, %edi
        call exit

        .balign 8
two:    .double 2.0
three:  .double 3.0
half:   .double 0.5
        .balign 16
quad:   .float 1.5, -2.25, 1e10, 0.125

# ---- ring-0 exception stubs: layout.x86TrapVectors(), 16 bytes per vector ---------------------------
# Each pushes a dummy error code when the CPU pushes none, then the vector, and jumps to trap_common,
# which reports HC_TRAP(kind, rip, cr2 for #PF, vector) through the doorbell (allowed at CPL 0).
        .balign 4096
        .globl trap_vectors
trap_vectors:
        .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .balign 16
        .if (\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
        .else
        pushq $0
        .endif
        pushq $\v
        jmp trap_common
        .endr

trap_common:                        # stack: vector, error code, rip, cs, rflags, rsp, ss
        mov (%rsp), %rax
        mov %rax, HC_ARG3
        mov 16(%rsp), %rax
        mov %rax, HC_ARG1
        movq $0, HC_ARG2
        movq $TRAP_CPU_EXCEPTION, HC_ARG0
        cmpq $0, (%rsp)
        jne 1f
        movq $TRAP_DIV_BY_ZERO, HC_ARG0
1:      cmpq $14, (%rsp)
        jne 2f
        movq $TRAP_OUT_OF_BOUNDS, HC_ARG0
        mov %cr2, %rax
        mov %rax, HC_ARG2
2:      movq $HC_TRAP, HC_NR
        mov $HC, %eax
        mov $PORT, %edx
        out %eax, %dx
3:      jmp 3b
