package io.hexo.vmm.kvm;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.DoorbellHandler;
import io.hexo.vmm.engine.Engine;
import io.hexo.vmm.engine.Exit;
import io.hexo.vmm.engine.GuestLayout;
import io.hexo.vmm.memory.GuestMemory;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * {@link KvmArm64Engine} on real AArch64 KVM: runs on an ARM64 host with /dev/kvm, and on x86-64 hosts
 * inside tools/arm64-board-vm, started by {@link KvmArm64EngineTest}. The guests are the flat binaries
 * of src/test/resources/kvm-arm64 (see hexo_test.inc for their hypercalls).
 *
 * <p>Figures (MMIO round trip rate, create-to-first-doorbell time) are printed with the prefix
 * {@code [kvm-arm64]} and written to the properties file named by {@code -Dhexo.kvmarm64.results}.
 */
public class KvmArm64EngineInVm {
    static final long MEM = 16L << 20;
    static final long STACK_TOP = 0xC00000;
    static final long PARAM = 0x1800;
    static final int HC_ADD = 0x100, HC_PI = 0x101, HC_MARK = 0x102;
    static final int ROUND_TRIPS = 5_000;
    private static boolean firstEngine = true;

    private static final Map<String, String> results = new TreeMap<>();

    @BeforeClass
    public static void needsAnArm64Host() {
        Assume.assumeTrue("AArch64 KVM tests need an ARM64 host: on this " + System.getProperty("os.arch")
                        + " host KvmArm64EngineTest runs them inside tools/arm64-board-vm",
                Isa.host() == Isa.AARCH64);
    }

    @AfterClass
    public static void writeResults() throws IOException {
        if (results.isEmpty()) return;
        results.forEach((k, v) -> System.out.println("[kvm-arm64] " + k + " = " + v));
        String file = System.getProperty("hexo.kvmarm64.results");
        if (file != null) {
            Properties p = new Properties();
            p.putAll(results);
            try (OutputStream out = Files.newOutputStream(Path.of(file))) {
                p.store(out, "KvmArm64EngineInVm figures");
            }
        }
    }

    /** One guest: memory with the image at IMAGE_BASE and the test parameter, and a recording handler. */
    static final class Guest implements DoorbellHandler, AutoCloseable {
        final GuestMemory memory = GuestMemory.allocate(MEM);
        final GuestLayout layout;
        final List<Long> marks = new ArrayList<>();
        long[] stop;          // nr, a0..a5 of the EXIT or TRAP that stopped the guest
        int doorbells;
        long createNanos, firstDoorbellNanos, lastDoorbellNanos;
        boolean firstInJvm;

        Guest(String name, long param) throws IOException {
            byte[] image = KvmArm64Guests.load(name);
            memory.write(Abi.IMAGE_BASE, image);
            memory.putLong(PARAM, param);
            memory.putInt(Abi.BOOT_INFO_ADDR + Abi.BI_MAGIC, Abi.BOOT_MAGIC);
            memory.putInt(Abi.BOOT_INFO_ADDR + Abi.BI_ABI_VERSION, Abi.VERSION);
            memory.putLong(Abi.BOOT_INFO_ADDR + Abi.BI_MEM_SIZE, MEM);
            long imageEnd = Abi.IMAGE_BASE + image.length;
            layout = new GuestLayout(MEM, Abi.IMAGE_BASE, STACK_TOP, STACK_TOP - 0x400000, STACK_TOP - 0x200000,
                    imageEnd, GuestLayout.linmemBaseAfter(STACK_TOP), 0);
        }

        Exit run() {
            synchronized (KvmArm64EngineInVm.class) {
                firstInJvm = firstEngine;
                firstEngine = false;
            }
            createNanos = System.nanoTime();
            try (Engine engine = KvmArm64Engine.create(new Engine.Setup(memory, layout))) {
                assertEquals(Isa.AARCH64, engine.isa());
                assertEquals("KVM", engine.description());
                return engine.run(this);
            }
        }

        @Override
        public boolean onDoorbell(long value) {
            long now = System.nanoTime();
            if (doorbells++ == 0) firstDoorbellNanos = now;
            lastDoorbellNanos = now;
            assertEquals("doorbell value", Abi.HYPERCALL_ADDR, value);
            long nr = memory.getLong(value + Abi.HC_NR);
            long a0 = arg(value, 0), a1 = arg(value, 1);
            switch ((int) nr) {
                case HC_ADD -> {
                    memory.putLong(value + Abi.HC_RET, a0 + a1);
                    return true;
                }
                case HC_PI -> {
                    memory.putLong(value + Abi.HC_RET, Double.doubleToRawLongBits(Math.PI));
                    return true;
                }
                case HC_MARK -> {
                    marks.add(a0);
                    memory.putLong(value + Abi.HC_RET, 0);
                    return true;
                }
                case Abi.HC_EXIT, Abi.HC_TRAP -> {
                    stop = new long[7];
                    stop[0] = nr;
                    for (int i = 0; i < 6; i++) stop[i + 1] = arg(value, i);
                    return false;
                }
                default -> throw new AssertionError("unknown test hypercall " + nr);
            }
        }

        private long arg(long block, int i) {
            return memory.getLong(block + Abi.HC_ARG0 + 8L * i);
        }

        double createToFirstDoorbellMillis() {
            return (firstDoorbellNanos - createNanos) / 1e6;
        }

        @Override
        public void close() {
            memory.close();
        }
    }

    private static void note(String key, String value) {
        synchronized (results) {
            results.put(key, value);
        }
    }

    /**
     * create() to the first doorbell: "cold" for the first engine of the JVM (class loading, first
     * ioctls), "warm" (the smallest of the others) for what a long-running VMM sees.
     */
    private static void noteFirstDoorbell(Guest g) {
        double ms = g.createToFirstDoorbellMillis();
        synchronized (results) {
            if (g.firstInJvm) {
                results.put("create_to_first_doorbell_ms.cold", String.format("%.2f", ms));
            } else {
                String old = results.get("create_to_first_doorbell_ms.warm");
                if (old == null || Double.parseDouble(old) > ms) {
                    results.put("create_to_first_doorbell_ms.warm", String.format("%.2f", ms));
                }
            }
        }
    }

    private static long[] expectStop(Exit exit, Guest g, long nr) {
        assertTrue("expected the guest to stop through its hypercall, got " + exit, exit instanceof Exit.Stopped);
        if (g.stop == null) fail("stopped without an EXIT or TRAP hypercall");
        assertEquals(String.format("stopping hypercall (a0..a5 = 0x%x 0x%x 0x%x 0x%x)", g.stop[1], g.stop[2], g.stop[3], g.stop[4]),
                nr, g.stop[0]);
        return g.stop;
    }

    @Test(timeout = 120_000)
    public void doorbellsReachTheHandlerAndTheGuestReadsItsResults() throws IOException {
        try (Guest g = new Guest("doorbell", ROUND_TRIPS)) {
            Exit exit = g.run();
            long[] s = expectStop(exit, g, Abi.HC_EXIT);
            long expectedSum = (long) ROUND_TRIPS * 1000 + (long) ROUND_TRIPS * (ROUND_TRIPS - 1) / 2;
            assertEquals("sum of the results the guest read", expectedSum, s[1]);
            assertEquals("CurrentEL (EL1)", 0x4, s[2]);
            assertEquals("sp on entry (SP_EL1 = stackTop)", STACK_TOP, s[3]);
            assertEquals(ROUND_TRIPS + 1, g.doorbells);
            double seconds = (g.lastDoorbellNanos - g.firstDoorbellNanos) / 1e9;
            double rate = ROUND_TRIPS / seconds;
            note("mmio_round_trips", String.valueOf(ROUND_TRIPS));
            note("mmio_round_trip_calls_per_s", String.format("%.0f", rate));
            note("mmio_round_trip_us", String.format("%.1f", 1e6 / rate));
            noteFirstDoorbell(g);
        }
    }

    @Test(timeout = 60_000)
    public void floatingPointAndSimdWork() throws IOException {
        try (Guest g = new Guest("fp", 0)) {
            long[] s = expectStop(g.run(), g, Abi.HC_EXIT);
            assertEquals("sqrt(2) * 3.5 + 1/3", Double.doubleToRawLongBits(Math.sqrt(2.0) * 3.5 + 1.0 / 3.0), s[1]);
            assertEquals("SIMD float sum", Float.floatToRawIntBits(12.0f), (int) s[2]);
            assertEquals("2 * PI from the host", Double.doubleToRawLongBits(Math.PI + Math.PI), s[3]);
            assertEquals("fcvtzs(-7.75)", -7, s[4]);
            noteFirstDoorbell(g);
        }
    }

    @Test(timeout = 60_000)
    public void guestIdentityMmuAllowsUnalignedLoadsAndTheDeviceMappedDoorbell() throws IOException {
        try (Guest g = new Guest("mmu", 0)) {
            long[] s = expectStop(g.run(), g, Abi.HC_EXIT);
            assertEquals("8 bytes at data+1", 0x0807060504030201L, s[1]);
            assertEquals("4 bytes at data+3", 0x06050403L, s[2]);
            assertEquals("2 bytes at data+5", 0x0605L, s[3]);
            assertEquals("SCTLR_EL1.M, C, I on, A off", 0x1005L, s[4] & 0x1007L);
            assertEquals("8 bytes across a page boundary", 0x8877665544332211L, s[5]);
            noteFirstDoorbell(g);
        }
    }

    @Test(timeout = 60_000)
    public void guestVectorsReportADataAbortThroughTheDoorbell() throws IOException {
        try (Guest g = new Guest("vectors", 0)) {
            long[] s = expectStop(g.run(), g, Abi.HC_TRAP);
            long elr = s[2], far = s[3], esr = s[4], faultInsn = s[5], vector = s[6];
            assertEquals("trap kind", Abi.TRAP_OUT_OF_BOUNDS, s[1]);
            assertEquals("ELR_EL1 = the faulting load", faultInsn, elr);
            assertTrue("fault pc inside the image", elr > Abi.IMAGE_BASE && elr < Abi.IMAGE_BASE + 0x1000);
            assertEquals("FAR_EL1", 0x40000123L, far);
            assertEquals(String.format("ESR_EL1 0x%x: exception class data abort at EL1", esr), 0x25, esr >>> 26);
            assertEquals(String.format("ESR_EL1 0x%x: translation fault, level 1", esr), 0x05, esr & 0x3f);
            assertEquals("vector: current EL with SP_ELx, synchronous", 0x200, vector);
            noteFirstDoorbell(g);
        }
    }

    @Test(timeout = 60_000)
    public void storeToAnotherUnbackedAddressIsAFault() throws IOException {
        try (Guest g = new Guest("faults", 1)) {
            Exit exit = g.run();
            Exit.Fault f = expectFault(exit, g);
            assertEquals(Abi.TRAP_OUT_OF_BOUNDS, f.kind());
            assertEquals(0x40000000L, f.address());
            assertEquals("fault pc = the store", (long) g.marks.get(0), f.pc());
            assertTrue(f.description(), f.description().contains("0x40000000") && f.description().contains("write"));
        }
    }

    @Test(timeout = 60_000)
    public void doorbellWithoutSyndromeIsAFault() throws IOException {
        try (Guest g = new Guest("faults", 2)) {
            Exit.Fault f = expectFault(g.run(), g);
            assertEquals("fault pc = the post-indexed store", (long) g.marks.get(0), f.pc());
            assertTrue(f.description(), f.description().contains("syndrome"));
            assertEquals("only the MARK doorbell reached the handler", 1, g.doorbells);
        }
    }

    @Test(timeout = 60_000)
    public void psciSystemOffIsAFault() throws IOException {
        try (Guest g = new Guest("faults", 3)) {
            Exit.Fault f = expectFault(g.run(), g);
            assertEquals(Abi.TRAP_CPU_EXCEPTION, f.kind());
            assertTrue(f.description(), f.description().contains("SYSTEM_OFF"));
            assertEquals("pc after the hvc", g.marks.get(0) + 4, f.pc());
        }
    }

    /** Only inside tools/arm64-board-vm (a throw-away machine): hides /dev/kvm for a moment. */
    @Test(timeout = 60_000)
    public void createWithoutDevKvmSaysWhy() throws IOException {
        Assume.assumeTrue("hides /dev/kvm, so only inside tools/arm64-board-vm (HEXO_IN_ARM64_VM=1)",
                "1".equals(System.getenv("HEXO_IN_ARM64_VM")));
        Path dev = Path.of("/dev/kvm"), hidden = Path.of("/dev/kvm.hidden-by-test");
        try (Guest g = new Guest("doorbell", 1)) {
            Files.move(dev, hidden);
            try (Engine e = KvmArm64Engine.create(new Engine.Setup(g.memory, g.layout))) {
                fail("created an engine without /dev/kvm: " + e.description());
            } catch (io.hexo.vmm.engine.EngineUnavailableException expected) {
                System.out.println("[kvm-arm64] without /dev/kvm: " + expected.getMessage());
                assertTrue(expected.getMessage(), expected.getMessage().startsWith("/dev/kvm does not exist"));
                assertTrue(expected.getMessage(), expected.getMessage().contains("EL2"));
            } finally {
                Files.move(hidden, dev);
            }
        }
    }

    private static Exit.Fault expectFault(Exit exit, Guest g) {
        noteFirstDoorbell(g);
        assertTrue("expected a fault, got " + exit, exit instanceof Exit.Fault);
        Exit.Fault f = (Exit.Fault) exit;
        System.out.println("[kvm-arm64] fault as reported: " + f.description());
        return f;
    }
}
