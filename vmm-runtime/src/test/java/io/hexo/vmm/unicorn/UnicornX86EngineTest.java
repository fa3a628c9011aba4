package io.hexo.vmm.unicorn;

import static io.hexo.vmm.unicorn.GuestAsm.STOP;
import static io.hexo.vmm.unicorn.GuestAsm.fault;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.Exit;
import io.hexo.vmm.unicorn.GuestAsm.Calls;
import io.hexo.vmm.unicorn.GuestAsm.Guest;
import java.util.List;
import org.junit.Test;

/** The x86-64 Unicorn fallback on real Unicorn 2 with assembled test guests. */
public class UnicornX86EngineTest {
    private static final String PRELUDE = """
            .text
            .globl _start
            .macro doorbell
                mov $0x110000, %eax
                mov $0x510, %dx
                outl %eax, (%dx)
            .endm
            _start:
            """;
    private static final String STOP_CALL = """
                movq $1, 0x110000
                doorbell
            hang:
                jmp hang
            """;

    private static Guest guest(String body) {
        return GuestAsm.x86(PRELUDE + body);
    }

    @Test
    public void describesItself() {
        try (Guest g = guest(STOP_CALL)) {
            assertEquals(Isa.X86_64, g.engine.isa());
            assertEquals("emulated x86-64 (Unicorn " + Unicorn.version() + ") \u2014 /dev/kvm is not available",
                    g.engine.description());
        }
    }

    @Test
    public void reportsTheSoftTlbPageTheGuestSizesTheTlbWith() {
        // The guest kernel sizes the emulator's TLB in entries of this many bytes (soft_tlb.c).
        try (Guest g = guest(STOP_CALL)) {
            assertEquals(4096, g.engine.softTlbPage());
        }
    }

    @Test
    public void doorbellsReachTheHandlerAndTheGuestReadsReturnValues() {
        try (Guest g = guest("""
                    xor %rbx, %rbx          # nr
                    xor %r12, %r12          # sum of returned values
                loop:
                    mov %rbx, 0x110000
                    doorbell
                    add 0x110038, %r12        # ret
                    add $2, %rbx
                    cmp $6, %rbx
                    jne loop
                    mov %r12, 0x110008
                """ + STOP_CALL)) {
            Calls calls = new Calls(g);
            Exit exit = g.run(calls);
            assertTrue(String.valueOf(exit), exit instanceof Exit.Stopped);
            assertEquals(List.of(0x110000L, 0x110000L, 0x110000L, 0x110000L), calls.values);
            assertEquals(List.of(0L, 2L, 4L, 1L), calls.numbers);
            assertEquals(10 + 30 + 50, g.memory.getLong(Abi.HYPERCALL_ADDR + Abi.HC_ARG0));
        }
    }

    @Test
    public void aFlagWrittenByAnotherThreadReachesARunningGuest() throws Exception {
        try (Guest g = guest("""
                poll:
                    inc %rbx
                    cmpl $0, 0x3000
                    je poll
                    mov %rbx, 0x110008
                """ + STOP_CALL)) {
            Exit exit = GuestAsm.runWhileAnotherThreadSetsFlag(g, 0x3000, 200);
            assertTrue(String.valueOf(exit), exit instanceof Exit.Stopped);
            assertTrue(g.memory.getLong(Abi.HYPERCALL_ADDR + 8) > 0);
        }
    }

    @Test
    public void startsWithStackAndIopl3() {
        try (Guest g = guest("""
                    mov %rsp, 0x110008
                    pushfq
                    pop %rax
                    mov %rax, 0x110010
                    call f
                    jmp done
                f:  ret
                done:
                """ + STOP_CALL)) {
            assertTrue(g.run(new Calls(g)) instanceof Exit.Stopped);
            assertEquals(GuestAsm.STACK_TOP, g.memory.getLong(Abi.HYPERCALL_ADDR + 8));
            assertEquals(3, (g.memory.getLong(Abi.HYPERCALL_ADDR + 16) >> 12) & 3);
        }
    }

    @Test
    public void sseAndFloatingPointWork() {
        try (Guest g = guest("""
                    movsd one(%rip), %xmm0
                    divsd three(%rip), %xmm0
                    movsd %xmm0, 0x3000
                    sqrtsd three(%rip), %xmm1
                    movsd %xmm1, 0x3008
                    roundsd $1, %xmm1, %xmm2      # SSE4.1: floor
                    movsd %xmm2, 0x3010
                    movddup one(%rip), %xmm3      # SSE3
                    haddpd %xmm3, %xmm3
                    movsd %xmm3, 0x3018
                    mov $0xffffffff, %eax         # SSE4.2 crc32c
                    mov $0x61, %ecx
                    crc32b %cl, %eax
                    not %eax
                    mov %rax, 0x3020
                    pxor %xmm4, %xmm4
                    pcmpeqd %xmm5, %xmm5
                    ptest %xmm5, %xmm4            # SSE4.1
                    setz %al
                    movzbq %al, %rax
                    mov %rax, 0x3028
                    cvtsi2sdq %rsp, %xmm6
                    cvttsd2si %xmm6, %rax
                    mov %rax, 0x3030
                """ + STOP_CALL + """
                .balign 8
                one:   .double 1.0
                three: .double 3.0
                """)) {
            Exit exit = g.run(new Calls(g));
            assertTrue(String.valueOf(exit), exit instanceof Exit.Stopped);
            assertEquals(1.0 / 3.0, Double.longBitsToDouble(g.memory.getLong(0x3000)), 0.0);
            assertEquals(Math.sqrt(3.0), Double.longBitsToDouble(g.memory.getLong(0x3008)), 0.0);
            assertEquals(1.0, Double.longBitsToDouble(g.memory.getLong(0x3010)), 0.0);
            assertEquals(2.0, Double.longBitsToDouble(g.memory.getLong(0x3018)), 0.0);
            assertEquals(0xc1d04330L, g.memory.getLong(0x3020)); // crc32c("a")
            assertEquals(1, g.memory.getLong(0x3028));
            assertEquals(GuestAsm.STACK_TOP, g.memory.getLong(0x3030));
        }
    }

    @Test
    public void popcntIsEmulated() {
        try (Guest g = guest("""
                    mov $0xf0f0, %rcx
                    popcnt %rcx, %rax
                    mov %rax, 0x3000
                    movq $0x7fffffffffffffff, %rdx
                    mov %rdx, 0x3100
                    popcntq 0x3100, %rbx
                    mov %rbx, 0x3008
                    mov $-1, %rsi
                    xor %edi, %edi
                    popcnt %edi, %esi             # 32-bit form zero-extends, ZF set
                    setz %al
                    movzbq %al, %rax
                    mov %rsi, 0x3010
                    mov %rax, 0x3018
                    mov $0x8000, %r9w
                    popcnt %r9w, %r9w
                    mov %r9, 0x3020
                """ + STOP_CALL)) {
            Exit exit = g.run(new Calls(g));
            assertTrue(String.valueOf(exit), exit instanceof Exit.Stopped);
            assertEquals(8, g.memory.getLong(0x3000));
            assertEquals(63, g.memory.getLong(0x3008));
            assertEquals(0, g.memory.getLong(0x3010));
            assertEquals(1, g.memory.getLong(0x3018));
            assertEquals(1, g.memory.getLong(0x3020) & 0xffff);
            // 2.0.1's CPU lacks popcnt (emulated in Java); from 2.1 the engine's CPU model (Nehalem) has it.
            assertEquals(Unicorn.version().startsWith("2.0.") ? 4 : 0, ((UnicornX86Engine) g.engine).emulatedInstructions());
        }
    }

    @Test
    public void accessBeyondMemSizeIsOutOfBoundsWithAddressAndPc() {
        try (Guest g = guest("""
                    mov $0x4000100, %rbx
                    mov $5, %ecx
                    add $1, %ecx
                    mov 0x110000, %rdx
                oob:
                    mov (%rbx), %rax
                    add $1, %ecx
                """ + STOP_CALL)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(f.toString(), Abi.TRAP_OUT_OF_BOUNDS, f.kind());
            assertEquals(0x4000100L, f.address());
            assertEquals(f.toString(), g.sym("oob"), f.pc());
        }
    }

    @Test
    public void faultAfterADoorbellInTheSameBlockIsLocatedWithoutRingingAgain() {
        try (Guest g = guest("""
                    movq $4, 0x110000
                    mov $0x4100000, %rbx
                    doorbell
                    add 0x110038, %rbx      # + 50
                oob:
                    movb %al, (%rbx)
                """ + STOP_CALL)) {
            Calls calls = new Calls(g);
            Exit.Fault f = fault(g.run(calls));
            assertEquals(Abi.TRAP_OUT_OF_BOUNDS, f.kind());
            assertEquals(0x4100000L + 50, f.address());
            assertEquals(g.sym("oob"), f.pc());
            assertEquals(List.of(4L), calls.numbers);
        }
    }

    @Test
    public void nullPageWriteFaults() {
        try (Guest g = guest("""
                    xor %ebx, %ebx
                    mov $7, %eax
                null_store:
                    mov %eax, 0x18(%rbx)
                """ + STOP_CALL)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(Abi.TRAP_OUT_OF_BOUNDS, f.kind());
            assertEquals(0x18L, f.address());
            assertEquals(g.sym("null_store"), f.pc());
            assertTrue(f.description(), f.description().contains("null page"));
        }
    }

    @Test
    public void stackOverflowIntoTheGuardFaults() {
        try (Guest g = guest("""
                    mov $0x600000, %rsp
                push:
                    push %rax
                """ + STOP_CALL)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(Abi.TRAP_OUT_OF_BOUNDS, f.kind());
            assertEquals(0x600000L - 8, f.address());
            assertEquals(g.sym("push"), f.pc());
        }
    }

    @Test
    public void callThroughNullFaultsOnTheFetch() {
        try (Guest g = guest("""
                    xor %eax, %eax
                    call *%rax
                """)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(Abi.TRAP_OUT_OF_BOUNDS, f.kind());
            assertEquals(0L, f.address());
            assertEquals(0L, f.pc());
        }
    }

    @Test
    public void divisionByZeroTraps() {
        try (Guest g = guest("""
                    mov $10, %eax
                    xor %edx, %edx
                    xor %ecx, %ecx
                div0:
                    div %ecx
                """ + STOP_CALL)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(Abi.TRAP_DIV_BY_ZERO, f.kind());
            assertEquals(g.sym("div0"), f.pc());
            assertEquals(UnicornX86Engine.DE, f.detail());
        }
    }

    @Test
    public void signedDivisionOverflowIsIntegerOverflow() {
        try (Guest g = guest("""
                    movabs $0x8000000000000000, %rax
                    cqo
                    movq $-1, 0x3000
                ovf:
                    idivq 0x3000
                """ + STOP_CALL)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(Abi.TRAP_INT_OVERFLOW, f.kind());
            assertEquals(g.sym("ovf"), f.pc());
        }
    }

    @Test
    public void undefinedInstructionFaults() {
        try (Guest g = guest("""
                    nop
                bad:
                    ud2
                """ + STOP_CALL)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(Abi.TRAP_CPU_EXCEPTION, f.kind());
            assertEquals(g.sym("bad"), f.pc());
            assertEquals(UnicornX86Engine.UD, f.detail());
        }
    }

    @Test
    public void softwareInterruptsAreCpuExceptionsAtTheirAddress() {
        for (String insn : new String[] {"int $0x80", "int3"}) {
            try (Guest g = guest("""
                        nop
                    at:
                        %s
                    """.formatted(insn) + STOP_CALL)) {
                Exit.Fault f = fault(g.run(new Calls(g)));
                assertEquals(insn, Abi.TRAP_CPU_EXCEPTION, f.kind());
                assertEquals(insn, g.sym("at"), f.pc());
                assertEquals(insn, insn.equals("int3") ? UnicornX86Engine.BP : 0x80, f.detail());
            }
        }
    }

    @Test
    public void hltEndsTheRun() {
        try (Guest g = guest("""
                stop:
                    hlt
                """)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(Abi.TRAP_CPU_EXCEPTION, f.kind());
            assertEquals(g.sym("stop"), f.pc());
        }
    }

    @Test
    public void hypercallThroughput() {
        int n = 200_000;
        try (Guest g = guest("""
                    movq $0, 0x110000
                    mov $%d, %%ecx
                    mov $0x110000, %%eax
                    mov $0x510, %%dx
                loop:
                    outl %%eax, (%%dx)
                    dec %%ecx
                    jnz loop
                """.formatted(n) + STOP_CALL)) {
            long[] count = {0};
            long t0 = System.nanoTime();
            Exit exit = g.run(v -> {
                count[0]++;
                return g.memory.getLong(Abi.HYPERCALL_ADDR) != STOP;
            });
            long ns = System.nanoTime() - t0;
            assertTrue(String.valueOf(exit), exit instanceof Exit.Stopped);
            assertEquals(n + 1, count[0]);
            System.out.printf("Unicorn x86-64 hypercall round trip: %.2f us, %.0f calls/s (%d calls)%n",
                    ns / 1e3 / count[0], count[0] * 1e9 / ns, count[0]);
        }
    }
}
