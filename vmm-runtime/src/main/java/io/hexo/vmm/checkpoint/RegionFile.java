package io.hexo.vmm.checkpoint;

import io.hexo.vmm.memory.GuestMemory;
import io.hexo.vmm.memory.PageSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The payload of a memory region file (docs/architecture.md, "Checkpoint format", where the versions are
 * defined). Format 3, written here: u64 start, u64 length, u32 page size (4096), u32 reserved (0), u64
 * pages stored, zeros up to file offset 4096; the stored pages' bytes (only a region's last page may be
 * shorter); then one index entry per stored page — u32 page number in the region, u32 CRC-32C of that
 * page's bytes — in increasing page order. All-zero pages are not stored. Pages at 4 KiB-aligned file
 * offsets and the index after them are what let a save stream pages to disk with O_DIRECT as it finds
 * them ({@link DirectWriter}) and a resume read them with O_DIRECT. In a post-copy migration's minimal
 * checkpoint a region file lists no page (0 stored, no index): the page server has them and is asked by page
 * number, saying with each page whether it is zero and what its CRC is, so writing it does not grow with memory. The per-page CRCs let a resume verify each page as it is first used, while
 * the file's own CRCs (header, manifest) follow from them without reading the pages.
 *
 * <p>Read too: format 2 (the index, same entries, between the 32 bytes and the pages) and format 1 (u32
 * page numbers padded to 8 bytes, no per-page CRCs: the pages are read once up front to verify the file
 * and compute them).
 */
final class RegionFile {
    static final int PAGE = 4096;
    static final int HEAD = 32, ENTRY = 8;
    /** Format 3: where the first stored page starts in the file. */
    static final int PAGES_AT = DirectWriter.START;
    private static final ByteBuffer ZERO_PAGE = ByteBuffer.allocateDirect(PAGE);
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
     * Writes region r of linear memory (at linmemBase) as a complete file (format 3) and returns the file's
     * CRC-32C. Only pages that can hold data are read (holes in the memfd are zero without looking); each is
     * checked for zero, checksummed and copied, once, while {@link DirectWriter}'s thread writes the pages
     * found before it; the file's CRCs are combined from the page CRCs instead of a second pass.
     */
    static int write(Path path, String moduleId, GuestMemory memory, long linmemBase, RegionBounds r, long[] storedOut, boolean withPages,
                     boolean force, Consumer<String> notices) throws IOException {
        try {
            return writeOnce(path, moduleId, memory, linmemBase, r, storedOut, withPages, force, notices);
        } catch (IOException e) {
            // A file system that takes O_DIRECT at open but refuses its writes: once more through the page cache.
            if (!withPages || !DirectWriter.refusedDirectWrites(path, e, notices)) throw e;
            return writeOnce(path, moduleId, memory, linmemBase, r, storedOut, withPages, force, notices);
        }
    }

    private static int writeOnce(Path path, String moduleId, GuestMemory memory, long linmemBase, RegionBounds r, long[] storedOut, boolean withPages,
                                 boolean force, Consumer<String> notices) throws IOException {
        long started = System.nanoTime(), cpuStarted = StepTimes.threadCpuNanos();
        long pages = (r.length() + PAGE - 1) / PAGE;
        int[] idx = new int[withPages ? (int) Math.max(1, Math.min(pages, 1 << 16)) : 1], crcs = new int[idx.length];
        long base = linmemBase + r.start(), end = base + r.length();
        CRC32C crc = new CRC32C();
        int n = 0;
        int pagesCrc = 0;
        long pageBytes = 0;
        // A post-copy migration's minimal checkpoint: no pages at all (the page server has them), nothing worth O_DIRECT.
        long sizeHint = withPages ? r.length() + PAGE + ENTRY * pages : 0;
        try (DirectWriter out = DirectWriter.create(path, withPages, notices, sizeHint)) {
            // Only the memfd's data extents [data, hole) (SEEK_DATA/SEEK_HOLE, page-granular) are read, up to
            // 2 MiB at a time: reading a hole of a shared memfd would allocate a page for it (the kernel's first
            // use of a page, as costly here as a copy) just to find zeros. A region's pages are not aligned with
            // the memfd's, so a page at an extent's edge is read only in its part inside the extent, the rest
            // zero (scratch). Each page is checked for zero, checksummed and handed to the writer.
            ByteBuffer scratch = ByteBuffer.allocateDirect(PAGE);
            long data = 0, hole = Long.MIN_VALUE;
            for (long next = 0; withPages && next < pages; ) {
                long at = base + next * PAGE;
                if (at >= hole) { // past the extent: find the next one (SEEK_HOLE walks it to its end, so once per extent)
                    data = memory.nextData(at, end);
                    if (data >= end) break;
                    hole = memory.nextHole(data, end);
                }
                long first = Math.max(next, (data - base) / PAGE);
                long stop = Math.min(Math.min(pages, first + WINDOW_PAGES), Math.max(first + 1, (hole - base + PAGE - 1) / PAGE));
                long from = base + first * PAGE;
                int chunkLen = (int) (Math.min(end, base + stop * PAGE) - from);
                ByteBuffer chunk = memory.buffer(from, chunkLen); // a view: only what is read below is touched
                for (int off = 0; off < chunkLen; off += PAGE) {
                    int len = Math.min(PAGE, chunkLen - off);
                    long pageAt = from + off;
                    long in = Math.max(pageAt, data), upTo = Math.min(pageAt + len, hole);
                    if (in >= upTo) continue; // nothing of this page in the extent: zero
                    ByteBuffer page;
                    if (in == pageAt && upTo == pageAt + len) {
                        page = chunk.slice(off, len);
                    } else {
                        PageSource.zero(scratch.clear());
                        scratch.put((int) (in - pageAt), chunk, (int) (in - from), (int) (upTo - in));
                        page = scratch.slice(0, len);
                    }
                    if (page.mismatch(ZERO_PAGE.slice(0, len)) == -1) continue;
                    crc.reset();
                    crc.update(page.duplicate());
                    int c = (int) crc.getValue();
                    out.put(page);
                    if (n == idx.length) {
                        idx = java.util.Arrays.copyOf(idx, n * 2);
                        crcs = java.util.Arrays.copyOf(crcs, n * 2);
                    }
                    idx[n] = (int) (first + off / PAGE);
                    crcs[n++] = c;
                    pagesCrc = len == PAGE ? PAGE_SHIFT.append(pagesCrc, c) : Crc32c.combine(pagesCrc, c, len);
                    pageBytes += len;
                }
                next = stop;
            }
            ByteBuffer index = ByteBuffer.allocate(ENTRY * n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) index.putInt(idx[i]).putInt(crcs[i]);
            index.flip();
            crc.reset();
            crc.update(index.duplicate());
            int indexCrc = (int) crc.getValue();
            out.put(index);

            ByteBuffer head = ByteBuffer.allocate(PAGES_AT - CheckpointFile.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(r.start()).putLong(r.length()).putInt(PAGE).putInt(0).putLong(n);
            head.clear(); // the rest is the zeros up to the first page
            crc.reset();
            crc.update(head.duplicate());
            int payloadCrc = Crc32c.combine(Crc32c.combine((int) crc.getValue(), pagesCrc, pageBytes), indexCrc, (long) ENTRY * n);
            long payloadLength = head.remaining() + pageBytes + (long) ENTRY * n;
            ByteBuffer header = CheckpointFile.header(CheckpointFile.KIND_MEMORY, moduleId, payloadLength, payloadCrc);
            ByteBuffer firstBlock = ByteBuffer.allocate(PAGES_AT).put(header.duplicate()).put(head).flip();
            long size = out.finish(firstBlock, force);
            if (size != CheckpointFile.HEADER_SIZE + payloadLength) throw new IOException("region file " + path + " came out " + size + " bytes, not " + (CheckpointFile.HEADER_SIZE + payloadLength));
            storedOut[0] = n;
            StepTimes.regionWritten(r.file(), n, System.nanoTime() - started, StepTimes.threadCpuNanos() - cpuStarted, out.direct(), out.diskNanos(), out.idleNanos());
            return CheckpointFile.wholeCrc(header, payloadCrc, payloadLength);
        }
    }

    /**
     * A region file's header and index, every value checked without reading its pages: against the
     * manifest's entry (which {@link ManifestCheck} bounded by linear memory), the region's bounds and
     * the file's size; and the file's CRCs — the header's payload CRC and the manifest's whole-file CRC —
     * recomputed from the index's page CRCs. Each page is then verified against its own CRC when read.
     * A format 1 file has no page CRCs: its pages are read once here, to verify it and compute them.
     */
    static Index open(FileChannel ch, Path file, Checkpoint.Region r, Checkpoint.FileEntry entry, String moduleId, int formatVersion, boolean withPages)
            throws IOException, CheckpointException {
        String where = r.file() + " in " + file.getParent();
        long size = ch.size();
        if (size != entry.size()) throw new CheckpointException(where + " is truncated or was changed (size " + size + ", expected " + entry.size() + ")");
        if (size < CheckpointFile.HEADER_SIZE + HEAD) throw new CheckpointException(where + " is damaged (truncated region header)");
        ByteBuffer header = ByteBuffer.allocate(CheckpointFile.HEADER_SIZE);
        CheckpointFile.readFully(ch.position(0), header, where);
        int version = CheckpointFile.versionOf(header.flip());
        CheckpointFile.checkVersion(file, version);
        if (version != formatVersion) throw new CheckpointException(where + " does not match its manifest (format " + version + ", manifest format " + formatVersion + ")");
        // Format 3 pads the region's head to the first page: the padding is read (and checksummed) with it.
        int headLength = version >= 3 ? PAGES_AT - CheckpointFile.HEADER_SIZE : HEAD;
        if (size < CheckpointFile.HEADER_SIZE + headLength) throw new CheckpointException(where + " is damaged (truncated region header)");
        ByteBuffer head = ByteBuffer.allocate(headLength).order(ByteOrder.LITTLE_ENDIAN);
        CheckpointFile.readFully(ch, head, where);
        head.flip();
        long start = head.getLong(), length = head.getLong();
        int page = head.getInt(), reserved = head.getInt();
        long stored = head.getLong();
        while (head.hasRemaining()) {
            if (head.get() != 0) throw new CheckpointException(where + " is damaged (bytes where its format has zeros)");
        }
        head.rewind();
        long pages = (r.length() + PAGE - 1) / PAGE;
        if (start != r.start() || length != r.length() || page != PAGE || reserved != 0) {
            throw new CheckpointException(where + " does not match its manifest (region start, length or page size)");
        }
        int entrySize = version == 1 ? 4 : ENTRY;
        long indexBytes = version == 1 ? (4 * stored + 7) & ~7L : ENTRY * stored;
        if (stored < 0 || stored > pages || stored != r.pagesStored() || size - CheckpointFile.HEADER_SIZE - headLength < indexBytes) {
            throw new CheckpointException(where + " is damaged (page count " + stored + " for a region of " + pages + " pages)");
        }
        ByteBuffer index = ByteBuffer.allocate((int) indexBytes).order(ByteOrder.LITTLE_ENDIAN);
        long indexAt = version >= 3 ? size - indexBytes : CheckpointFile.HEADER_SIZE + headLength;
        CheckpointFile.readFully(ch.position(indexAt), index, where);
        index.flip();
        int[] idx = new int[(int) stored], crcs = new int[(int) stored];
        long bytes = 0;
        for (int i = 0; i < idx.length; i++) {
            long v = Integer.toUnsignedLong(index.getInt(i * entrySize));
            if (v >= pages || (i > 0 && v <= idx[i - 1])) throw new CheckpointException(where + " is damaged (page index " + v + ")");
            idx[i] = (int) v;
            if (version >= 2) crcs[i] = index.getInt(i * entrySize + 4);
            bytes += Math.min(PAGE, r.length() - v * PAGE);
        }
        long firstPageAt = version >= 3 ? PAGES_AT : CheckpointFile.HEADER_SIZE + headLength + indexBytes;
        long pagesEnd = version >= 3 ? size - indexBytes : size;
        if (!withPages) bytes = 0; // a post-copy migration's minimal checkpoint: the pages are the page server's
        if (pagesEnd - firstPageAt != bytes) throw new CheckpointException(where + " is damaged (" + (pagesEnd - firstPageAt) + " bytes of pages, " + bytes + " announced)");
        Index ix = new Index(idx, crcs, firstPageAt, r.length());
        // The file's checksums from the pages' ones: a damaged header, index or manifest entry is found now.
        CRC32C c = new CRC32C();
        c.update(head.duplicate());
        if (version < 3) c.update(index.duplicate());
        int payloadCrc = (int) c.getValue();
        if (version == 1) {
            payloadCrc = pageCrcsOfFormat1(ch, ix, payloadCrc, where);
        } else {
            for (int i = 0; withPages && i < idx.length; i++) {
                int len = ix.length(i);
                payloadCrc = len == PAGE ? PAGE_SHIFT.append(payloadCrc, crcs[i]) : Crc32c.combine(payloadCrc, crcs[i], len);
            }
        }
        if (version >= 3) {
            c.reset();
            c.update(index.duplicate());
            payloadCrc = Crc32c.combine(payloadCrc, (int) c.getValue(), indexBytes);
        }
        c.reset();
        c.update(header.array(), 0, CheckpointFile.HEADER_SIZE);
        int whole = Crc32c.combine((int) c.getValue(), payloadCrc, size - CheckpointFile.HEADER_SIZE);
        if (!HexFormat.of().toHexDigits(whole).equals(entry.crc32c())) throw new CheckpointException(where + " is damaged (checksum mismatch)");
        CheckpointFile.checkHeader(file, header.rewind(), size, payloadCrc, CheckpointFile.KIND_MEMORY, moduleId);
        return ix;
    }

    /**
     * Format 1 stored no page CRCs: every page is read here, once, its CRC computed into ix and the
     * payload's CRC continued over it, so that the file is verified before the guest runs and each page
     * is checked again against that CRC when it is installed. Returns the payload's CRC.
     */
    private static int pageCrcsOfFormat1(FileChannel ch, Index ix, int payloadCrc, String where) throws IOException, CheckpointException {
        ByteBuffer buf = ByteBuffer.allocateDirect(4 << 20);
        CRC32C crc = new CRC32C();
        for (int k = 0; k < ix.stored(); ) {
            int run = 0, bytes = 0;
            while (k + run < ix.stored() && bytes + ix.length(k + run) <= buf.capacity()) bytes += ix.length(k + run++);
            buf.clear().limit(bytes);
            CheckpointFile.readFully(ch.position(ix.at(k)), buf, where);
            for (int i = 0, pos = 0; i < run; i++) {
                int len = ix.length(k + i);
                crc.reset();
                crc.update(buf.slice(pos, len));
                ix.crcs()[k + i] = (int) crc.getValue();
                payloadCrc = len == PAGE ? PAGE_SHIFT.append(payloadCrc, ix.crcs()[k + i]) : Crc32c.combine(payloadCrc, ix.crcs()[k + i], len);
                pos += len;
            }
            k += run;
        }
        return payloadCrc;
    }
}
