package io.hexo.vmm.postcopy;

import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.memory.GuestMemory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Which parts of the guest's linear memory may hold data at the migration point: the source's memfd data
 * extents ({@code SEEK_DATA}/{@code SEEK_HOLE}), as sorted, disjoint [start, end) pairs of linear-memory
 * offsets in whole 4 KiB pages; everything else is zero. The MAP message carries it (docs/architecture.md,
 * "Post-copy protocol"): a few extents for a guest of any size, where a per-page index grew with its data.
 */
final class DataExtents {
    private final long[] bounds; // start0, end0, start1, end1, ...

    private DataExtents(long[] bounds) {
        this.bounds = bounds;
    }

    /**
     * The data extents of linear memory [base, base + size) of the guest's memfd. The kernel walks every page
     * of an extent to find its end (40-47 ms per GiB of data here): done once, after the destination resumed.
     */
    static DataExtents of(GuestMemory memory, long base, long size) {
        long[] b = new long[16];
        int n = 0;
        long end = base + size;
        for (long at = base; at < end; ) {
            long data = memory.nextData(at, end);
            if (data >= end) break;
            long hole = memory.nextHole(data, end);
            if (n == b.length) b = Arrays.copyOf(b, n * 2);
            b[n++] = (data - base) & ~(Protocol.PAGE - 1L);
            b[n++] = Math.min(size, (hole - base + Protocol.PAGE - 1) & ~(Protocol.PAGE - 1L));
            at = Math.max(hole, data + 1);
        }
        return new DataExtents(Arrays.copyOf(b, n));
    }

    int count() { return bounds.length / 2; }

    /** Whether [from, to) of linear memory overlaps an extent. */
    boolean overlaps(long from, long to) {
        // the first extent whose end lies beyond from
        int lo = 0, hi = count();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (bounds[2 * mid + 1] <= from) lo = mid + 1; else hi = mid;
        }
        return lo < count() && bounds[2 * lo] < to;
    }

    /** Pages of region r (its own 4 KiB pages, which need not line up with the memfd's) that overlap an extent. */
    long pagesOf(Checkpoint.Region r) {
        long pages = 0, last = -1, regionEnd = r.start() + r.length();
        for (int i = 0; i < count(); i++) {
            long from = Math.max(bounds[2 * i], r.start()), to = Math.min(bounds[2 * i + 1], regionEnd);
            if (from >= to) continue;
            long first = Math.max((from - r.start()) / Protocol.PAGE, last + 1), end = (to - r.start() + Protocol.PAGE - 1) / Protocol.PAGE;
            if (end > first) pages += end - first;
            last = Math.max(last, end - 1);
        }
        return pages;
    }

    /** MAP's fields after the request id: u32 extent count, then per extent u64 start and u64 length. */
    ByteBuffer encode(int id) {
        ByteBuffer b = Protocol.le(8 + 16 * count()).putInt(id).putInt(count());
        for (int i = 0; i < count(); i++) b.putLong(bounds[2 * i]).putLong(bounds[2 * i + 1] - bounds[2 * i]);
        return b.flip();
    }

    /** A MAP's extents (after the request id), checked against linear memory of size bytes: anything else is a garbled answer. */
    static DataExtents decode(ByteBuffer b, long size) throws IOException {
        if (b.remaining() < 4) throw new IOException("a garbled map");
        int n = b.getInt();
        if (n < 0 || b.remaining() != 16L * n) throw new IOException("a garbled map");
        long[] bounds = new long[2 * n];
        long previousEnd = 0;
        for (int i = 0; i < n; i++) {
            long start = b.getLong(), length = b.getLong();
            if (start < previousEnd || length <= 0 || length > size - start || (start & (Protocol.PAGE - 1)) != 0
                    || ((start + length) & (Protocol.PAGE - 1)) != 0 && start + length != size) {
                throw new IOException("a garbled map (extent " + i + ")");
            }
            bounds[2 * i] = start;
            bounds[2 * i + 1] = start + length;
            previousEnd = start + length;
        }
        return new DataExtents(bounds);
    }
}
