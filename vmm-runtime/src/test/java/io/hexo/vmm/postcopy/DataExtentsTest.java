package io.hexo.vmm.postcopy;

import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.memory.GuestMemory;
import org.junit.Test;

import java.io.IOException;
import java.nio.ByteBuffer;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * The source's map of the pages that hold data (MAP): found in a real memfd, a few extents whatever the
 * size, read back as sent, the pages of regions that do not start on a page counted once, and a garbled map
 * refused rather than believed (a page believed zero would be wrong data in the guest).
 */
public class DataExtentsTest {
    private static final long MIB = 1 << 20, PAGE = 4096;

    @Test
    public void theMemfdsDataExtentsTravelAndAnswerOverlaps() throws IOException {
        try (GuestMemory mem = GuestMemory.allocate(64 * MIB)) {
            long base = 2 * MIB;
            mem.putByte(base + 5 * PAGE + 7, (byte) 1);          // one page
            mem.fill(base + 16 * MIB, 8 * MIB, (byte) 3);        // 8 MiB
            DataExtents m = DataExtents.of(mem, base, 32 * MIB);
            assertEquals(2, m.count());
            DataExtents back = DataExtents.decode(m.encode(9).position(4), 32 * MIB);
            assertEquals(2, back.count());
            assertTrue(back.overlaps(5 * PAGE, 6 * PAGE));
            assertFalse(back.overlaps(6 * PAGE, 16 * MIB));
            assertTrue(back.overlaps(24 * MIB - 1, 24 * MIB));
            assertFalse(back.overlaps(24 * MIB, 32 * MIB));
            // A region starting mid-page: its page 0 straddles memfd pages 5 and 6, its page 1 lies in 6 and 7.
            Checkpoint.Region r = new Checkpoint.Region("bss", "bss.bin", 5 * PAGE + 100, 4 * PAGE, 0, 4);
            assertEquals(1, back.pagesOf(r));
        }
    }

    @Test
    public void aGarbledMapIsRefused() {
        long size = 16 * MIB;
        assertThrows(IOException.class, () -> DataExtents.decode(map(PAGE, PAGE, 0, PAGE), size));          // out of order
        assertThrows(IOException.class, () -> DataExtents.decode(map(100, PAGE), size));                    // unaligned
        assertThrows(IOException.class, () -> DataExtents.decode(map(size - PAGE, 2 * PAGE), size));        // beyond linear memory
        assertThrows(IOException.class, () -> DataExtents.decode(map(0, 0), size));                         // empty extent
        assertThrows(IOException.class, () -> DataExtents.decode(ByteBuffer.allocate(4).putInt(0, 5), size)); // fewer than it says
    }

    private static ByteBuffer map(long... startLength) {
        ByteBuffer b = Protocol.le(4 + 8 * startLength.length).putInt(startLength.length / 2);
        for (long v : startLength) b.putLong(v);
        return b.flip();
    }
}
