package io.hexo.vmm.checkpoint;

import io.hexo.vmm.memory.GuestMemory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The payload of a memory region file (format 2; docs/architecture.md, "Checkpoint format"): u64 start,
 * u64 length, u32 page size (4096), u32 reserved (0), u64 pages stored, then one index entry per stored
 * page — u32 page number in the region, u32 CRC-32C of that page's bytes — in increasing page order,
 * then the stored pages' bytes in the same order (only a region's last page may be shorter). All-zero
 * pages are not stored. In a post-copy migration's minimal checkpoint the page bytes are left out and the
 * index lists the pages of the guest memory's data extents (which may still be zero) with CRC 0: the page
 * server has the bytes, and says with each page whether it is zero and what its CRC is. The per-page CRCs let a resume verify each page as it is first used, while the
 * file's own CRCs (header, manifest) follow from them without reading the pages.
 */
final class RegionFile {
    static final int PAGE = 4096;
    static final int HEAD = 32, ENTRY = 8;
    private static final ByteBuffer ZERO_PAGE = ByteBuffer.allocateDirect(PAGE);
    /** The longest single write straight from guest memory: 64 MiB. */
    private static final int MAX_RUN = 64 << 20;
    private static final Crc32c.Shift PAGE_SHIFT = new Crc32c.Shift(PAGE);
    private static final int WINDOW_PAGES = 512;

    private RegionFile() {}

    /** A region's stored pages: their numbers, CRCs, and where the first one starts in the file. */
    record Index(int[] pages, int[] crcs, long firstPageAt, long regionLength) {
        int stored() { return pages.length; }

        /** File offset of the k-th stored page (every stored page but the region's last is whole). */
        long at(int k) { return firstPageAt + (long) k * PAGE; }

        int length(int k) { return (int) Math.min(PAGE, regionLength - (long) pages[k] * PAGE); }
    }

    /**
     * Writes the payload of region r of linear memory (at linmemBase) and returns its CRC-32C. Only
     * pages that can hold data are read (holes in the memfd are zero without looking); each is checked
     * for zero and checksummed once, in place; then the stored pages go out in runs straight from guest
     * memory, and the payload's CRC is combined from the page CRCs instead of a second pass.
     */
    static int write(FileChannel ch, GuestMemory memory, long linmemBase, RegionBounds r, long[] storedOut, boolean withPages) throws IOException {
        long pages = (r.length() + PAGE - 1) / PAGE;
        int[] idx = new int[(int) Math.max(1, Math.min(pages, 1 << 16))], crcs = new int[idx.length];
        long base = linmemBase + r.start(), end = base + r.length();
        CRC32C crc = new CRC32C();
        int n = 0;
        // A post-copy migration's minimal checkpoint: the pages of the memfd's data extents, found with
        // SEEK_DATA/SEEK_HOLE without reading one (its cost does not grow with the guest's data); their
        // CRCs are 0 here, and the page server says per page whether it is zero and what its CRC is.
        for (long at = base; !withPages && at < end; ) {
            long data = memory.nextData(at, end);
            if (data >= end) break;
            long hole = memory.nextHole(data, end);
            for (long p = (data - base) / PAGE; p < (hole - base + PAGE - 1) / PAGE; p++) {
                if (n > 0 && idx[n - 1] >= p) continue; // extents meeting inside one page
                if (n == idx.length) idx = java.util.Arrays.copyOf(idx, n * 2);
                idx[n++] = (int) p;
            }
            at = Math.max(hole, data + 1);
        }
        if (!withPages) crcs = new int[idx.length];
        // Windows of 2 MiB: one SEEK_DATA skips the untouched ones (the memfd's holes); pages inside a
        // touched window are checked for zero and checksummed in place.
        for (long next = 0; withPages && next < pages; ) {
            long data = memory.nextData(base + next * PAGE, end);
            if (data >= end) break;
            long first = Math.max(next, (data - base) / PAGE), stop = Math.min(pages, first + WINDOW_PAGES);
            long from = base + first * PAGE;
            int chunkLen = (int) (Math.min(end, base + stop * PAGE) - from);
            ByteBuffer chunk = memory.buffer(from, chunkLen);
            for (int off = 0; off < chunkLen; off += PAGE) {
                int len = Math.min(PAGE, chunkLen - off);
                ByteBuffer page = chunk.slice(off, len);
                if (page.mismatch(ZERO_PAGE.slice(0, len)) == -1) continue;
                crc.reset();
                crc.update(page);
                if (n == idx.length) {
                    idx = java.util.Arrays.copyOf(idx, n * 2);
                    crcs = java.util.Arrays.copyOf(crcs, n * 2);
                }
                idx[n] = (int) (first + off / PAGE);
                crcs[n++] = (int) crc.getValue();
            }
            next = stop;
        }
        ByteBuffer head = ByteBuffer.allocate(HEAD + ENTRY * n).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(r.start()).putLong(r.length()).putInt(PAGE).putInt(0).putLong(n);
        for (int i = 0; i < n; i++) head.putInt(idx[i]).putInt(crcs[i]);
        head.flip();
        crc.reset();
        crc.update(head.duplicate());
        int payloadCrc = (int) crc.getValue();
        while (head.hasRemaining()) ch.write(head);
        for (int at = 0; withPages && at < n; ) {
            int first = idx[at], run = 1;
            while (at + run < n && idx[at + run] == first + run && run < MAX_RUN / PAGE) run++;
            long from = (long) first * PAGE;
            int len = (int) (Math.min(r.length(), (long) (first + run) * PAGE) - from);
            ByteBuffer src = memory.buffer(base + from, len);
            while (src.hasRemaining()) ch.write(src);
            for (int k = at; k < at + run; k++) {
                int pageLen = (int) Math.min(PAGE, r.length() - (long) idx[k] * PAGE);
                payloadCrc = pageLen == PAGE ? PAGE_SHIFT.append(payloadCrc, crcs[k]) : Crc32c.combine(payloadCrc, crcs[k], pageLen);
            }
            at += run;
        }
        storedOut[0] = n;
        return payloadCrc;
    }

    /**
     * A region file's header and index, every value checked without reading its pages: against the
     * manifest's entry (which {@link ManifestCheck} bounded by linear memory), the region's bounds and
     * the file's size; and the file's CRCs — the header's payload CRC and the manifest's whole-file CRC —
     * recomputed from the index's page CRCs. Each page is then verified against its own CRC when read.
     */
    static Index open(FileChannel ch, Path file, Checkpoint.Region r, Checkpoint.FileEntry entry, String moduleId, boolean withPages)
            throws IOException, CheckpointException {
        String where = r.file() + " in " + file.getParent();
        long size = ch.size();
        if (size != entry.size()) throw new CheckpointException(where + " is truncated or was changed (size " + size + ", expected " + entry.size() + ")");
        if (size < CheckpointFile.HEADER_SIZE + HEAD) throw new CheckpointException(where + " is damaged (truncated region header)");
        ByteBuffer header = ByteBuffer.allocate(CheckpointFile.HEADER_SIZE);
        CheckpointFile.readFully(ch.position(0), header, where);
        ByteBuffer head = ByteBuffer.allocate(HEAD).order(ByteOrder.LITTLE_ENDIAN);
        CheckpointFile.readFully(ch, head, where);
        head.flip();
        long start = head.getLong(), length = head.getLong();
        int page = head.getInt(), reserved = head.getInt();
        long stored = head.getLong();
        long pages = (r.length() + PAGE - 1) / PAGE;
        if (start != r.start() || length != r.length() || page != PAGE || reserved != 0) {
            throw new CheckpointException(where + " does not match its manifest (region start, length or page size)");
        }
        if (stored < 0 || stored > pages || stored != r.pagesStored() || size - CheckpointFile.HEADER_SIZE - HEAD < ENTRY * stored) {
            throw new CheckpointException(where + " is damaged (page count " + stored + " for a region of " + pages + " pages)");
        }
        ByteBuffer index = ByteBuffer.allocate((int) (ENTRY * stored)).order(ByteOrder.LITTLE_ENDIAN);
        CheckpointFile.readFully(ch, index, where);
        index.flip();
        int[] idx = new int[(int) stored], crcs = new int[(int) stored];
        long bytes = 0;
        for (int i = 0; i < idx.length; i++) {
            long v = Integer.toUnsignedLong(index.getInt());
            if (v >= pages || (i > 0 && v <= idx[i - 1])) throw new CheckpointException(where + " is damaged (page index " + v + ")");
            idx[i] = (int) v;
            crcs[i] = index.getInt();
            bytes += Math.min(PAGE, r.length() - v * PAGE);
        }
        long firstPageAt = CheckpointFile.HEADER_SIZE + HEAD + ENTRY * stored;
        if (!withPages) bytes = 0; // a post-copy migration's minimal checkpoint: the pages are the page server's
        if (size - firstPageAt != bytes) throw new CheckpointException(where + " is damaged (" + (size - firstPageAt) + " bytes of pages, " + bytes + " announced)");
        // The file's checksums from the pages' ones: a damaged header, index or manifest entry is found now.
        CRC32C c = new CRC32C();
        c.update(head.flip());
        c.update(index.flip());
        int payloadCrc = (int) c.getValue();
        for (int i = 0; withPages && i < idx.length; i++) {
            int len = (int) Math.min(PAGE, r.length() - (long) idx[i] * PAGE);
            payloadCrc = len == PAGE ? PAGE_SHIFT.append(payloadCrc, crcs[i]) : Crc32c.combine(payloadCrc, crcs[i], len);
        }
        c.reset();
        c.update(header.array(), 0, CheckpointFile.HEADER_SIZE);
        int whole = Crc32c.combine((int) c.getValue(), payloadCrc, size - CheckpointFile.HEADER_SIZE);
        if (!HexFormat.of().toHexDigits(whole).equals(entry.crc32c())) throw new CheckpointException(where + " is damaged (checksum mismatch)");
        CheckpointFile.checkHeader(file, header.flip(), size, payloadCrc, CheckpointFile.KIND_MEMORY, moduleId);
        return new Index(idx, crcs, firstPageAt, r.length());
    }
}
