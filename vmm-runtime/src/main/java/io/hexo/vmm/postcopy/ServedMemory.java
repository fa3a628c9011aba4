package io.hexo.vmm.postcopy;

import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.memory.GuestMemory;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The guest's linear memory as the source serves it, stopped at the migration point. Nothing about it is
 * computed at the point: the destination resumes knowing no page, and asks for any page its guest touches;
 * whether a page is zero is found here as it is asked for, and the map of the pages that hold data
 * ({@link DataExtents}) is built when the destination first asks for it, after it resumed.
 */
final class ServedMemory {
    private final GuestMemory memory;
    private final long base, size;
    private final List<Checkpoint.Region> regions;
    private final Object mapLock = new Object();
    private volatile DataExtents map;
    private volatile long dataPages = -1;

    ServedMemory(GuestMemory memory, long linmemBase, Checkpoint minimal) {
        this.memory = memory;
        this.base = linmemBase;
        this.size = minimal.linmemSize();
        this.regions = minimal.regions();
    }

    /** The map of the pages that hold data, built on first use (the kernel walks each data extent once). */
    DataExtents map() {
        synchronized (mapLock) {
            if (map == null) {
                DataExtents m = DataExtents.of(memory, base, size);
                long pages = 0;
                for (Checkpoint.Region r : regions) pages += m.pagesOf(r);
                dataPages = pages;
                map = m;
            }
            return map;
        }
    }

    /** Pages (of the regions) that hold data once the map is known; until then every page. */
    long pagesTotal() {
        long known = dataPages;
        if (known >= 0) return known;
        long all = 0;
        for (Checkpoint.Region r : regions) all += (r.length() + Protocol.PAGE - 1) / Protocol.PAGE;
        return all;
    }

    /**
     * PAGES for pages first..first+count of a region (page numbers): u32 id, per page u32 length (0: all
     * zeros) and u32 CRC-32C, then the bytes of the pages that are not zero; null when out of the region.
     * A page outside the data extents is zero without being read (reading a hole of the memfd would give it
     * a page); the others are read, tested for zero and checksummed here, as they travel. dataOut: which of
     * the pages lie in the data extents (for the progress counts).
     */
    ByteBuffer pages(int id, int region, int first, int count, BitSet dataOut) {
        if (region < 0 || region >= regions.size()) return null;
        Checkpoint.Region r = regions.get(region);
        long pages = (r.length() + Protocol.PAGE - 1) / Protocol.PAGE;
        if (first < 0 || count <= 0 || count > Protocol.MAX_PAGES || first > pages - count) return null;
        long lo = r.start() + (long) first * Protocol.PAGE, hi = Math.min(r.start() + r.length(), lo + (long) count * Protocol.PAGE);
        Probe probe = new Probe(map, lo, hi);
        ByteBuffer out = Protocol.le(4 + 8 * count + count * Protocol.PAGE).putInt(id);
        int data = 4 + 8 * count;
        CRC32C crc = new CRC32C();
        for (int i = 0; i < count; i++) {
            long at = lo + (long) i * Protocol.PAGE;
            int len = (int) Math.min(Protocol.PAGE, hi - at);
            if (!probe.mayHoldData(at, at + len)) {
                out.putInt(0).putInt(0);
                continue;
            }
            dataOut.set(i);
            ByteBuffer page = memory.buffer(base + at, len);
            if (page.mismatch(ZERO_PAGE.slice(0, len)) == -1) {
                out.putInt(0).putInt(0);
                continue;
            }
            crc.reset();
            crc.update(page.duplicate());
            out.putInt(len).putInt((int) crc.getValue());
            out.put(data, page, 0, len);
            data += len;
        }
        return out.position(0).limit(data);
    }

    private static final ByteBuffer ZERO_PAGE = ByteBuffer.allocateDirect(Protocol.PAGE);

    /**
     * Which memfd pages of [lo, hi) hold data: from the map once it is known, else asked of the kernel here
     * (SEEK_DATA at each page that holds data, one call per run of holes; never SEEK_HOLE, which walks to an
     * extent's end however far that is).
     */
    private final class Probe {
        private final DataExtents known;
        private final long from;
        private final boolean[] data;

        Probe(DataExtents known, long lo, long hi) {
            this.known = known;
            this.from = lo & ~(Protocol.PAGE - 1L);
            long to = Math.min(size, (hi + Protocol.PAGE - 1) & ~(Protocol.PAGE - 1L));
            if (known != null) {
                data = null;
                return;
            }
            data = new boolean[(int) ((to - from) / Protocol.PAGE)];
            for (long at = from; at < to; ) {
                long next = memory.nextData(base + at, base + to) - base;
                if (next > at) { // holes up to next
                    at = next & ~(Protocol.PAGE - 1L);
                    continue;
                }
                data[(int) ((at - from) / Protocol.PAGE)] = true;
                at += Protocol.PAGE;
            }
        }

        boolean mayHoldData(long lo, long hi) {
            if (known != null) return known.overlaps(lo, hi);
            for (long p = lo & ~(Protocol.PAGE - 1L); p < hi; p += Protocol.PAGE) {
                int k = (int) ((p - from) / Protocol.PAGE);
                if (k >= 0 && k < data.length && data[k]) return true;
            }
            return false;
        }
    }
}
