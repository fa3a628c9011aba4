package io.hexo.vmm.hypercall;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.guest.MigrationControl;
import io.hexo.vmm.memory.GuestMemory;
import java.util.Arrays;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Clocks, sleep and randomness through the hypercall block, on a real GuestMemory. */
public class ClockCallsTest {
    private GuestMemory memory;
    private MigrationControl control;
    private HypercallTable table;

    @Before
    public void setUp() {
        memory = GuestMemory.allocate(16 << 20);
        control = new MigrationControl(memory, 0);
        table = new HypercallTable(memory, new ClockCalls(memory, control));
    }

    @After
    public void tearDown() {
        memory.close();
    }

    private long hc(int nr, long... args) {
        memory.putLong(Abi.HYPERCALL_ADDR + Abi.HC_NR, nr);
        for (int i = 0; i < 6; i++) memory.putLong(Abi.HYPERCALL_ADDR + Abi.HC_ARG0 + 8L * i, i < args.length ? args[i] : 0);
        assertTrue(table.onDoorbell(Abi.HYPERCALL_ADDR));
        return memory.getLong(Abi.HYPERCALL_ADDR + Abi.HC_RET);
    }

    @Test
    public void clocks() {
        long before = System.currentTimeMillis();
        long realtime = hc(Abi.HC_CLOCK, 0);
        assertTrue(realtime / 1_000_000 >= before - 1 && realtime / 1_000_000 <= System.currentTimeMillis() + 1);
        long m1 = hc(Abi.HC_CLOCK, 1), m2 = hc(Abi.HC_CLOCK, 1);
        assertTrue(m2 >= m1);
        long p = hc(Abi.HC_CLOCK, 2), t = hc(Abi.HC_CLOCK, 3);
        assertTrue(p >= 0 && t >= p);
        // Unknown ids, including ones whose low 32 bits are a valid id.
        for (long id : new long[] {4, 5, -1, 0x1_0000_0000L, 0x1_0000_0001L, Long.MIN_VALUE, Long.MAX_VALUE}) {
            assertEquals("clock " + Long.toHexString(id), -Abi.EINVAL, hc(Abi.HC_CLOCK, id));
        }
    }

    @Test
    public void sleepSleepsAndAMigrationRequestCutsItShort() throws Exception {
        long t0 = System.nanoTime();
        assertEquals(0, hc(Abi.HC_SLEEP, 30_000_000));
        assertTrue(System.nanoTime() - t0 >= 30_000_000);
        t0 = System.nanoTime();
        assertEquals(0, hc(Abi.HC_SLEEP, 0));
        assertEquals(0, hc(Abi.HC_SLEEP, -5));
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L);

        Thread requester = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            control.request();
        });
        requester.start();
        t0 = System.nanoTime();
        assertEquals(0, hc(Abi.HC_SLEEP, 60_000_000_000L));
        long took = System.nanoTime() - t0;
        requester.join();
        assertTrue("cut short after " + took / 1_000_000 + " ms", took >= 90_000_000L && took < 10_000_000_000L);
        assertTrue(control.isRequested());
        // Once requested, sleeps return at once (the guest is about to migrate).
        t0 = System.nanoTime();
        assertEquals(0, hc(Abi.HC_SLEEP, Long.MAX_VALUE));
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L);
    }

    @Test
    public void randomFillsExactlyTheWholeBuffer() {
        long buf = 0x100000;
        int len = (3 << 20) + 123; // more than one 1 MiB chunk, not a multiple of it
        memory.fill(buf - 64, len + 128, (byte) 0);
        memory.fill(buf - 64, 64, (byte) 0xAB);
        memory.fill(buf + len, 64, (byte) 0xCD);
        assertEquals(0, hc(Abi.HC_RANDOM, buf, len));
        byte[] before = new byte[64], after = new byte[64];
        Arrays.fill(before, (byte) 0xAB);
        Arrays.fill(after, (byte) 0xCD);
        assertArrayEquals(before, memory.read(buf - 64, 64));
        assertArrayEquals(after, memory.read(buf + len, 64));
        // Every 256-byte block of the buffer, the last (partial) chunk included, got random bytes.
        byte[] data = memory.read(buf, len);
        byte[] zero = new byte[256];
        for (int i = 0; i + 256 <= len; i += 256) {
            assertFalse("zero block at " + i, Arrays.equals(data, i, i + 256, zero, 0, 256));
        }
        assertFalse(Arrays.equals(data, len - 123, len, new byte[123], 0, 123));
        assertEquals(0, hc(Abi.HC_RANDOM, buf, 0));
    }

    @Test
    public void randomOutsideMemoryIsEfaultAndWritesNothing() {
        long size = memory.size();
        memory.fill(size - 4096, 4096, (byte) 0);
        assertEquals(-Abi.EFAULT, hc(Abi.HC_RANDOM, size - 100, 200));
        assertArrayEquals(new byte[4096], memory.read(size - 4096, 4096));
        assertEquals(-Abi.EFAULT, hc(Abi.HC_RANDOM, -1, 10));
        assertEquals(-Abi.EFAULT, hc(Abi.HC_RANDOM, 0, Long.MAX_VALUE));
        assertEquals(-Abi.EFAULT, hc(Abi.HC_RANDOM, size - 2 * 1048576, 3 * 1048576)); // the first chunk fits, the whole does not
        assertArrayEquals(new byte[4096], memory.read(size - 4096, 4096));
        assertEquals(0, hc(Abi.HC_RANDOM, size - 100, 100));
    }
}
