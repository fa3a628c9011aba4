package io.hexo.vmm.memory;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

/**
 * {@link GuestMemory#populate}: the host pages behind a range the guest has started to use exist at once
 * (the memfd holds data there, read as zeros), only there, never outside guest memory, and not while
 * memory fills itself (post-copy needs those pages missing until the checkpoint's arrive).
 */
public class GuestMemoryPopulateTest {
    private static final long MIB = 1 << 20;

    @Test
    public void backsExactlyTheRangeWithZeros() {
        try (GuestMemory mem = GuestMemory.allocate(8 * MIB)) {
            assertEquals("fresh memory is all holes", mem.size(), mem.nextData(0, mem.size()));
            mem.populate(MIB, 2 * MIB);
            assertEquals(MIB, mem.nextData(0, mem.size()));
            assertEquals(3 * MIB, mem.nextHole(MIB, mem.size()));
            assertEquals(0L, mem.getLong(MIB));
            assertEquals(0L, mem.getLong(3 * MIB - 8));
        }
    }

    @Test
    public void roundsToWholePagesAndStopsAtTheEnd() {
        try (GuestMemory mem = GuestMemory.allocate(4 * MIB)) {
            mem.populate(4 * MIB - 4096 + 100, 10);
            assertEquals(4 * MIB - 4096, mem.nextData(0, mem.size()));
        }
    }

    @Test
    public void refusesRangesOutsideGuestMemory() {
        try (GuestMemory mem = GuestMemory.allocate(4 * MIB)) {
            assertThrows(GuestFault.class, () -> mem.populate(3 * MIB, 2 * MIB));
            assertThrows(GuestFault.class, () -> mem.populate(-4096, 4096));
            assertThrows(GuestFault.class, () -> mem.populate(0, Long.MAX_VALUE));
            assertEquals(mem.size(), mem.nextData(0, mem.size()));
        }
    }

    @Test
    public void leavesMemoryThatFillsItselfAlone() {
        try (GuestMemory mem = GuestMemory.allocate(4 * MIB)) {
            mem.fillLazily(new LazyMemory(0, 2 * MIB, (offset, dst) -> { throw new AssertionError("not read"); },
                    new LazyMemory.Installer() {
                        @Override public void install(long gpa, java.nio.ByteBuffer data) { throw new AssertionError("not installed"); }
                    }));
            mem.populate(2 * MIB, MIB);
            assertEquals(mem.size(), mem.nextData(0, mem.size()));
        }
    }
}
