package io.hexo.vmm.unicorn;

import static io.hexo.vmm.unicorn.GuestAsm.STOP;
import static io.hexo.vmm.unicorn.GuestAsm.fault;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.Exit;
import io.hexo.vmm.unicorn.GuestAsm.Calls;
import io.hexo.vmm.unicorn.GuestAsm.Guest;
import java.util.List;
import org.junit.Test;

/** The emulated ARM64 board on real Unicorn 2 with assembled test guests. */
public class UnicornArm64EngineTest {
    private static final String PRELUDE = ".include \"arm64-mmu.s\"\n.text\n.globl _start\n_start:\n";
    /** Hypercall number that makes the test handler stop the guest. */

    private static Guest guest(String body) {
        return GuestAsm.arm64(PRELUDE + body);
    }

    private static final String STOP_CALL = """
                mov x6, #1
                ldr x2, =0x110000
                str x6, [x2]
                doorbell
            hang:
                b hang
            """;

    @Test
    public void describesItself() {
        try (Guest g = guest(STOP_CALL)) {
            assertEquals(Isa.AARCH64, g.engine.isa());
            assertEquals("emulated ARM64 board (Unicorn " + Unicorn.version() + ")", g.engine.description());
            assertTrue(Unicorn.version(), Unicorn.version().startsWith("2."));
        }
    }

    @Test
    public void reportsTheSoftTlbPageTheGuestSizesTheTlbWith() {
        // The guest kernel sizes the emulator's TLB in entries of this many bytes (soft_tlb.c).
        try (Guest g = guest(STOP_CALL)) {
            assertEquals(1024, g.engine.softTlbPage());
        }
    }

    @Test
    public void doorbellsReachTheHandlerAndTheGuestReadsReturnValues() {
        try (Guest g = guest("""
                    ldr x2, =0x110000
                    mov x3, #0            // nr
                    mov x5, #0            // sum of the returned values
                loop:
                    str x3, [x2]
                    doorbell
                    ldr x4, [x2, #56]     // ret, written by the VMM
                    add x5, x5, x4
                    add x3, x3, #2        // nr 0, 2, 4: never STOP
                    cmp x3, #6
                    b.ne loop
                    str x5, [x2, #8]      // arg0 = sum
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
                    ldr x2, =0x3000
                poll:
                    ldr w1, [x2]
                    add x7, x7, #1
                    cbz w1, poll
                    ldr x2, =0x110000
                    str x7, [x2, #8]
                """ + STOP_CALL)) {
            Exit exit = GuestAsm.runWhileAnotherThreadSetsFlag(g, 0x3000, 200);
            assertTrue(String.valueOf(exit), exit instanceof Exit.Stopped);
            assertTrue(g.memory.getLong(Abi.HYPERCALL_ADDR + 8) > 0);
        }
    }

    @Test
    public void startsAtTheEntryWithTheStackPointerAtStackTop() {
        try (Guest g = guest("""
                    mov x9, sp
                    ldr x2, =0x110000
                    str x9, [x2, #8]
                    mrs x9, CurrentEL
                    str x9, [x2, #16]
                    stp x2, x9, [sp, #-16]!   // the stack is usable
                """ + STOP_CALL)) {
            assertTrue(g.run(new Calls(g)) instanceof Exit.Stopped);
            assertEquals(GuestAsm.STACK_TOP, g.memory.getLong(Abi.HYPERCALL_ADDR + 8));
            assertEquals(1, g.memory.getLong(Abi.HYPERCALL_ADDR + 16) >> 2); // EL1
            assertEquals(0x110000, g.memory.getLong(GuestAsm.STACK_TOP - 16));
        }
    }

    @Test
    public void floatingPointWorks() {
        try (Guest g = guest("""
                    ldr d0, one
                    ldr d1, three
                    fdiv d2, d0, d1
                    fsqrt d3, d1
                    ldr x2, =0x3000
                    str d2, [x2]
                    str d3, [x2, #8]
                    scvtf d4, x2          // 12288.0
                    fcvtzs x5, d4
                    str x5, [x2, #16]
                """ + STOP_CALL + """
                .balign 8
                one:   .double 1.0
                three: .double 3.0
                """)) {
            assertTrue(g.run(new Calls(g)) instanceof Exit.Stopped);
            assertEquals(1.0 / 3.0, Double.longBitsToDouble(g.memory.getLong(0x3000)), 0.0);
            assertEquals(Math.sqrt(3.0), Double.longBitsToDouble(g.memory.getLong(0x3008)), 0.0);
            assertEquals(0x3000, g.memory.getLong(0x3010));
        }
    }

    @Test
    public void accessBeyondMemSizeIsOutOfBoundsWithAddressAndPc() {
        // The faulting load is in the middle of a translation block, after instructions that change
        // registers: the engine must still name it.
        try (Guest g = guest("""
                    ldr x1, =0x4000100    // 64 MiB + 0x100
                    mov x3, #5
                    add x3, x3, #1
                    ldr x4, =0x110000
                    ldr x5, [x4]
                oob:
                    ldr x2, [x1]
                    add x3, x3, #1
                """ + STOP_CALL)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(f.toString(), Abi.TRAP_OUT_OF_BOUNDS, f.kind());
            assertEquals(0x4000100L, f.address());
            assertEquals(f.toString(), g.sym("oob"), f.pc());
            assertTrue(f.description(), f.description().contains("beyond guest memory"));
        }
    }

    @Test
    public void pointerChasingFaultIsLocated() {
        try (Guest g = guest("""
                    ldr x1, =0x3000
                    ldr x2, =0x5000008   // a pointer beyond memSize, stored in guest memory
                    str x2, [x1]
                    ldr x1, [x1]         // x1 = the bad pointer (this load succeeds)
                oob:
                    ldr x3, [x1, #8]     // faults at 0x5000010
                """ + STOP_CALL)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(Abi.TRAP_OUT_OF_BOUNDS, f.kind());
            assertEquals(0x5000010L, f.address());
            assertEquals(f.toString(), g.sym("oob"), f.pc());
        }
    }

    @Test
    public void faultAfterADoorbellInTheSameBlockIsLocatedWithoutRingingAgain() {
        try (Guest g = guest("""
                    ldr x2, =0x110000
                    mov x3, #4
                    str x3, [x2]
                    ldr x9, =0x4100000
                    doorbell
                    ldr x4, [x2, #56]
                    add x9, x9, x4        // 0x4100000 + 50
                oob:
                    strb w4, [x9]
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
    public void faultAtTheEndOfALongBlockIsLocatedQuickly() {
        try (Guest g = guest("""
                    ldr x1, =0x4000000
                    ldr x2, =0x3000
                    .rept 400
                    ldr x3, [x2], #8
                    add x4, x4, x3
                    .endr
                oob:
                    str x4, [x1, #8]
                """ + STOP_CALL)) {
            long t0 = System.nanoTime();
            Exit.Fault f = fault(g.run(new Calls(g)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(0x4000008L, f.address());
            assertEquals(g.sym("oob"), f.pc());
            assertTrue("locating took " + ms + " ms", ms < 10_000);
            System.out.println("Unicorn ARM64: fault located at the end of an 800-instruction block in " + ms + " ms");
        }
    }

    @Test
    public void a64BitStoreToTheDoorbellRingsOnce() {
        try (Guest g = guest("""
                    ldr x2, =0x110000
                    mov x3, #8
                    str x3, [x2]
                    ldr x0, =0x8000000000
                    ldr x1, =0x110000
                    str x1, [x0]          // 64-bit: two 4-byte MMIO callbacks
                """ + STOP_CALL)) {
            Calls calls = new Calls(g);
            assertTrue(g.run(calls) instanceof Exit.Stopped);
            assertEquals(List.of(8L, 1L), calls.numbers);
        }
    }

    @Test
    public void storeToTheNullPageFaults() {
        try (Guest g = guest("""
                    mov x1, #0x10
                    mov x2, #7
                null_store:
                    str x2, [x1]
                """ + STOP_CALL)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(Abi.TRAP_OUT_OF_BOUNDS, f.kind());
            assertEquals(0x10L, f.address());
            assertEquals(g.sym("null_store"), f.pc());
            assertTrue(f.description(), f.description().contains("write") && f.description().contains("null page"));
        }
    }

    @Test
    public void stackOverflowIntoTheGuardFaults() {
        try (Guest g = guest("""
                    ldr x1, =0x600000    // the stack's lowest address: the guard is just below
                    mov sp, x1
                    mov x2, #1
                push:
                    stp x2, x2, [sp, #-16]!
                """ + STOP_CALL)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(Abi.TRAP_OUT_OF_BOUNDS, f.kind());
            assertEquals(0x600000L - 16, f.address());
            assertEquals(g.sym("push"), f.pc());
            assertTrue(f.description(), f.description().contains("stack guard"));
        }
    }

    @Test
    public void jumpToNullFaultsOnTheFetch() {
        try (Guest g = guest("""
                    mov x1, #0x40
                    br x1
                """)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(Abi.TRAP_OUT_OF_BOUNDS, f.kind());
            assertEquals(0x40L, f.address());
            assertEquals(0x40L, f.pc());
        }
    }

    @Test
    public void undefinedInstructionFaults() {
        try (Guest g = guest("""
                    mov x1, #1
                bad:
                    udf #7
                """ + STOP_CALL)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(Abi.TRAP_CPU_EXCEPTION, f.kind());
            assertEquals(g.sym("bad"), f.pc());
            assertEquals(UnicornArm64Engine.EXCP_UDEF, f.detail());
        }
    }

    @Test
    public void hvcIsACpuExceptionAtItsAddress() {
        try (Guest g = guest("""
                call:
                    hvc #0
                """ + STOP_CALL)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(Abi.TRAP_CPU_EXCEPTION, f.kind());
            assertEquals(g.sym("call"), f.pc());
            assertEquals(UnicornArm64Engine.EXCP_HVC, f.detail());
        }
    }

    @Test
    public void svcAndBrkAreCpuExceptionsAtTheirAddresses() {
        for (String insn : new String[] {"svc #1", "brk #0x3e8"}) {
            try (Guest g = guest("""
                        mov x1, #1
                    at:
                        %s
                    """.formatted(insn) + STOP_CALL)) {
                Exit.Fault f = fault(g.run(new Calls(g)));
                assertEquals(insn, Abi.TRAP_CPU_EXCEPTION, f.kind());
                assertEquals(insn, g.sym("at"), f.pc());
                assertEquals(insn, insn.startsWith("svc") ? UnicornArm64Engine.EXCP_SWI : UnicornArm64Engine.EXCP_BKPT, f.detail());
            }
        }
    }

    @Test
    public void guestTurnsOnAnIdentityMappedMmuAndKeepsRunning() {
        try (Guest g = guest("""
                    mmu_on
                    mrs x9, sctlr_el1
                    ldr x2, =0x110000
                    str x9, [x2, #8]          // arg0 = SCTLR_EL1
                    // unaligned accesses with the MMU on
                    ldr x3, =0x3001
                    ldr x4, =0x1122334455667788
                    str x4, [x3]
                    ldr x5, [x3]
                    str x5, [x2, #16]         // arg1
                    ldr w6, [x3, #3]
                    str x6, [x2, #24]         // arg2
                    // FP with the MMU on
                    fmov d0, #1.0
                    fmov d1, #4.0
                    fdiv d2, d0, d1
                    str d2, [x2, #32]         // arg3
                    // a doorbell that returns a value
                    mov x7, #6
                    str x7, [x2]
                    doorbell
                    ldr x8, [x2, #56]
                    str x8, [x2, #40]         // arg4
                """ + STOP_CALL)) {
            Calls calls = new Calls(g);
            Exit exit = g.run(calls);
            assertTrue(String.valueOf(exit), exit instanceof Exit.Stopped);
            long sctlr = g.memory.getLong(Abi.HYPERCALL_ADDR + 8);
            assertEquals("MMU on", 1, sctlr & 1);
            assertEquals(0x1122334455667788L, g.memory.getLong(Abi.HYPERCALL_ADDR + 16));
            assertEquals(0x22334455L, g.memory.getLong(Abi.HYPERCALL_ADDR + 24));
            assertEquals(0.25, Double.longBitsToDouble(g.memory.getLong(Abi.HYPERCALL_ADDR + 32)), 0.0);
            assertEquals(70, g.memory.getLong(Abi.HYPERCALL_ADDR + 40));
            assertEquals(List.of(6L, 1L), calls.numbers);
        }
    }

    @Test
    public void unalignedAccessesWorkWithTheMmuOff() {
        try (Guest g = guest("""
                    ldr x3, =0x3003
                    ldr x4, =0x0102030405060708
                    str x4, [x3]
                    ldr x5, [x3, #1]
                    ldr x2, =0x110000
                    str x5, [x2, #8]
                """ + STOP_CALL)) {
            assertTrue(g.run(new Calls(g)) instanceof Exit.Stopped);
            assertEquals(0x0001020304050607L, g.memory.getLong(Abi.HYPERCALL_ADDR + 8));
        }
    }

    @Test
    public void outOfBoundsWithTheMmuOnFaults() {
        try (Guest g = guest("""
                    mmu_on
                    ldr x1, =0x4000000
                    mov x3, #1
                oob:
                    ldr x2, [x1, #0x20]
                """ + STOP_CALL)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(Abi.TRAP_OUT_OF_BOUNDS, f.kind());
            assertEquals(0x4000020L, f.address());
            assertEquals(g.sym("oob"), f.pc());
        }
    }

    @Test
    public void pageTableHoleIsADataAbortWithTheDecodedAddress() {
        try (Guest g = guest("""
                    mmu_on
                    ldr x1, =0xa00000     // mapped RAM, but not in the guest's page tables
                    mov x2, #3
                abort:
                    str w2, [x1, x2, lsl #2]
                """ + STOP_CALL)) {
            Exit.Fault f = fault(g.run(new Calls(g)));
            assertEquals(f.toString(), Abi.TRAP_OUT_OF_BOUNDS, f.kind());
            assertEquals(g.sym("abort"), f.pc());
            assertEquals(0xa0000cL, f.address());
            assertEquals(UnicornArm64Engine.EXCP_DATA_ABORT, f.detail());
        }
    }

    @Test
    public void handlerExceptionsPropagateFromRun() {
        try (Guest g = guest(STOP_CALL)) {
            IllegalStateException boom = new IllegalStateException("boom");
            try {
                g.run(v -> {
                    throw boom;
                });
                fail("run returned");
            } catch (IllegalStateException e) {
                assertSame(boom, e);
            }
        }
    }

    @Test
    public void runIsOnceOnly() {
        try (Guest g = guest(STOP_CALL)) {
            assertTrue(g.run(new Calls(g)) instanceof Exit.Stopped);
            try {
                g.run(new Calls(g));
                fail("second run accepted");
            } catch (IllegalStateException expected) {
                assertNotNull(expected.getMessage());
            }
        }
    }

    @Test
    public void hypercallThroughput() {
        int n = 200_000;
        try (Guest g = guest("""
                    ldr x0, =0x8000000000
                    mov w1, #0x110000
                    ldr x2, =0x110000
                    str xzr, [x2]            // nr 0: continue
                    ldr x3, =%d
                loop:
                    str w1, [x0]
                    subs x3, x3, #1
                    b.ne loop
                    mov x6, #1
                    str x6, [x2]
                    str w1, [x0]
                hang:
                    b hang
                """.formatted(n))) {
            long[] count = {0};
            long t0 = System.nanoTime();
            Exit exit = g.run(v -> {
                count[0]++;
                return g.memory.getLong(Abi.HYPERCALL_ADDR) != STOP;
            });
            long ns = System.nanoTime() - t0;
            assertTrue(String.valueOf(exit), exit instanceof Exit.Stopped);
            assertEquals(n + 1, count[0]);
            System.out.printf("Unicorn ARM64 hypercall round trip: %.2f us, %.0f calls/s (%d calls)%n",
                    ns / 1e3 / count[0], count[0] * 1e9 / ns, count[0]);
        }
    }
}
