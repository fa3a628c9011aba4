package io.hexo.vmm.checkpoint;

import io.hexo.vmm.memory.PageSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A checkpoint's linear memory as a {@link PageSource}: the region files opened once (so a later
 * checkpoint renamed over them does not change what this resume reads), their indices checked up
 * front ({@link RegionFile#open}), and each stored page verified against its CRC-32C whenever it is
 * read. Offsets are linear-memory addresses.
 */
public final class CheckpointPages implements PageSource, AutoCloseable {
    private record Open(Checkpoint.Region region, FileChannel ch, RegionFile.Index index, int[] slotOfPage) {}

    /**
     * Where stored pages' bytes come from: the region files, or a post-copy source's page server. Fills
     * dst (exactly the bytes of stored pages first..first+count of region number `region`, in the order
     * of the index); they are verified here.
     */
    public interface Fetch extends AutoCloseable {
        void fetch(int region, int first, int count, ByteBuffer dst) throws IOException, Failed;

        /**
         * A post-copy page server's answer for pages firstPage..firstPage+count of a region (page numbers):
         * per page its length in dst (0: the page is all zeros, nothing sent) and its CRC-32C; dst holds the
         * other pages' bytes one after another.
         */
        default void fetchPages(int region, int firstPage, int count, ByteBuffer dst, int[] lengths, int[] crcs) throws IOException, Failed {
            throw new IOException("pages of a checkpoint on disk are read by their place in the index");
        }

        /** See {@link PageSource#prefetchBlocks}. */
        default int prefetchBlocks() { return 64; }

        /** See {@link PageSource#beforePrefetch}: a page server's map of the pages that hold data. */
        default void beforePrefetch() throws Failed {}

        /**
         * A page server: whether linear memory [from, to) may hold data (false: the source's map says it is all
         * zeros, nothing to ask; true while no map has come: ask, and the source says which pages are zero).
         */
        default boolean mayHoldData(long from, long to) { return true; }

        /** Every page is in: for a page server, the hand-over (which may fail: the guest must not go on). */
        default void allRead() throws Failed {}

        @Override
        default void close() {}
    }

    private final Checkpoint cp;
    private final List<Open> regions;
    private final Fetch fetch;
    private static final int MAX_READ_PAGES = 1024;
    private final ThreadLocal<ByteBuffer> scratch = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(MAX_READ_PAGES * RegionFile.PAGE));

    private CheckpointPages(Checkpoint cp, List<Open> regions, Fetch fetch) {
        this.cp = cp;
        this.regions = regions;
        this.fetch = fetch != null ? fetch : (region, first, count, dst) -> {
            Open o = regions.get(region);
            long at = o.index().at(first);
            while (dst.hasRemaining()) {
                if (o.ch().read(dst, at + dst.position()) < 0) throw new Failed(o.region().file() + " in " + cp.dir() + " shrank while it was read");
            }
        };
    }

    /** The memory of a checkpoint whose manifest has been verified: every region file's header and index checked. */
    public static CheckpointPages open(Checkpoint cp) throws CheckpointException, IOException {
        if (cp.postCopy() != null) {
            throw new CheckpointException("the checkpoint in " + cp.dir() + " is the minimal checkpoint of a post-copy migration (its pages are on the source"
                    + (cp.postCopy().server() == null ? "" : " at " + Printable.of(cp.postCopy().server())) + "): resume it with --full-chkpt-restore 0 --server HOST[:PORT]");
        }
        return open(cp, null);
    }

    /** The same, with the stored pages' bytes from fetch (null: the region files). */
    public static CheckpointPages open(Checkpoint cp, Fetch fetch) throws CheckpointException, IOException {
        List<Open> open = new ArrayList<>();
        try {
            for (Checkpoint.Region r : cp.regions()) {
                Checkpoint.FileEntry entry = cp.files().stream().filter(f -> f.name().equals(r.file())).findFirst()
                        .orElseThrow(() -> new CheckpointException(Checkpoint.MANIFEST + " in " + cp.dir() + " lists no checksum for " + r.file()));
                FileChannel ch = CheckpointFile.open(cp.dir().resolve(r.file()));
                try {
                    RegionFile.Index index = RegionFile.open(ch, cp.dir().resolve(r.file()), r, entry, cp.moduleId(), cp.formatVersion(), cp.postCopy() == null);
                    // A minimal checkpoint lists no pages (they are asked of the page server by number): nothing per page here.
                    int[] slot = null;
                    if (cp.postCopy() == null) {
                        slot = new int[(int) ((r.length() + RegionFile.PAGE - 1) / RegionFile.PAGE)];
                        java.util.Arrays.fill(slot, -1);
                        for (int k = 0; k < index.stored(); k++) slot[index.pages()[k]] = k;
                    } else if (index.stored() != 0) {
                        throw new CheckpointException(r.file() + " in " + cp.dir() + " lists pages, as minimal checkpoints of an earlier hexo did: resume it with the hexo that wrote it");
                    }
                    open.add(new Open(r, ch, index, slot));
                } catch (CheckpointException | IOException | RuntimeException e) {
                    ch.close();
                    throw e;
                }
            }
        } catch (CheckpointException | IOException | RuntimeException e) {
            for (Open o : open) o.ch().close();
            throw e;
        }
        CheckpointPages pages = new CheckpointPages(cp, open, fetch);
        if (fetch == null) pages.readAhead();
        return pages;
    }

    /**
     * Reads the region files front to back on a thread of their own, into the page cache, ahead of the
     * prefetcher that follows in the same order. Measured: a resume whose files are not in the page cache
     * (a save with O_DIRECT leaves none there; another machine's checkpoint) took 1.8 s instead of 0.7 s
     * to have all 277 MB of NPB IS B's pages in, the prefetcher's 4 MiB reads and the guest's 64 KiB
     * faults waiting on the disk one after another. The bytes read here are dropped: what the guest gets
     * is still read and verified by {@link #read}. Stops at the first error (the files closed at the end).
     */
    private void readAhead() {
        Thread t = new Thread(() -> {
            ByteBuffer sink = ByteBuffer.allocateDirect(READ_AHEAD);
            try {
                for (Open o : regions) {
                    long end = o.index().at(o.index().stored());
                    for (long at = o.index().firstPageAt(); at < end && o.ch().isOpen(); at += READ_AHEAD) {
                        if (o.ch().read(sink.clear().limit((int) Math.min(READ_AHEAD, end - at)), at) < 0) break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // closed at the end, or a file the real reads will report on: nothing to do here
            }
        }, "hexo-read-ahead");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    private static final int READ_AHEAD = 8 << 20;

    /** Bytes of linear memory the checkpoint describes. */
    public long size() { return cp.linmemSize(); }

    @Override
    public void read(long offset, ByteBuffer dst) throws Failed {
        long end = offset + dst.remaining();
        int base = dst.position();
        PageSource.zero(dst); // unstored pages and what no region covers
        try {
            for (Open o : regions) {
                Checkpoint.Region r = o.region();
                long from = Math.max(offset, r.start()), to = Math.min(end, r.start() + r.length());
                if (from >= to) continue;
                int firstPage = (int) ((from - r.start()) / RegionFile.PAGE), lastPage = (int) ((to - 1 - r.start()) / RegionFile.PAGE);
                if (cp.postCopy() != null) {
                    readRemote(o, firstPage, lastPage, offset, end, dst, base);
                    continue;
                }
                for (int p = firstPage; p <= lastPage; ) {
                    int k = o.slotOfPage()[p];
                    if (k < 0) { p++; continue; }
                    int run = 1;
                    while (p + run <= lastPage && run < MAX_READ_PAGES && o.slotOfPage()[p + run] == k + run) run++;
                    readRun(o, k, run, offset, end, dst, base);
                    p += run;
                }
            }
        } catch (IOException e) {
            throw new Failed((cp.postCopy() != null ? "cannot fetch pages for the checkpoint in " : "cannot read the checkpoint in ") + cp.dir() + " (" + e.getMessage() + ")");
        }
    }

    /** Stored pages k..k+run of one region: read in one call, each verified, the part inside [offset, end) copied to dst. */
    private void readRun(Open o, int k, int run, long offset, long end, ByteBuffer dst, int base) throws IOException, Failed {
        RegionFile.Index ix = o.index();
        int bytes = bytesOf(regions.indexOf(o), k, run);
        ByteBuffer buf = scratch.get().clear().limit(bytes);
        fetch.fetch(regions.indexOf(o), k, run, buf);
        CRC32C crc = new CRC32C();
        int pos = 0;
        for (int i = 0; i < run; i++) {
            int len = ix.length(k + i);
            crc.reset();
            crc.update(buf.slice(pos, len));
            int page = ix.pages()[k + i];
            if ((int) crc.getValue() != ix.crcs()[k + i]) {
                throw new Failed(o.region().file() + " in " + cp.dir() + " is damaged (page " + page + " fails its checksum); nothing computed from it was let out");
            }
            long pageAt = o.region().start() + (long) page * RegionFile.PAGE;
            long from = Math.max(pageAt, offset), to = Math.min(pageAt + len, end);
            if (from < to) dst.put(base + (int) (from - offset), buf, pos + (int) (from - pageAt), (int) (to - from));
            pos += len;
        }
    }

    /**
     * Pages firstPage..lastPage of a region from a post-copy page server: those the source's map says may
     * hold data (every one before the map came), in runs; the server says which are zero and sends the others
     * with their CRCs.
     */
    private void readRemote(Open o, int firstPage, int lastPage, long offset, long end, ByteBuffer dst, int base) throws IOException, Failed {
        for (int p = firstPage; p <= lastPage; ) {
            if (!mayHoldData(o, p)) { p++; continue; }
            int run = 1;
            while (p + run <= lastPage && run < MAX_READ_PAGES && mayHoldData(o, p + run)) run++;
            readRemoteRun(o, p, run, offset, end, dst, base);
            p += run;
        }
    }

    private boolean mayHoldData(Open o, int page) {
        long at = o.region().start() + (long) page * RegionFile.PAGE;
        return fetch.mayHoldData(at, Math.min(at + RegionFile.PAGE, o.region().start() + o.region().length()));
    }

    private void readRemoteRun(Open o, int firstPage, int run, long offset, long end, ByteBuffer dst, int base) throws IOException, Failed {
        Checkpoint.Region r = o.region();
        int region = regions.indexOf(o);
        int[] lengths = new int[run], crcs = new int[run];
        ByteBuffer buf = scratch.get().clear().limit((int) Math.min((long) run * RegionFile.PAGE, r.length() - (long) firstPage * RegionFile.PAGE));
        fetch.fetchPages(region, firstPage, run, buf, lengths, crcs);
        CRC32C crc = new CRC32C();
        int pos = 0;
        for (int i = 0; i < run; i++) {
            int len = lengths[i], page = firstPage + i;
            if (len == 0) continue; // all zeros: dst already is
            long pageAt = r.start() + (long) page * RegionFile.PAGE;
            crc.reset();
            crc.update(buf.slice(pos, len));
            if (len != Math.min(RegionFile.PAGE, r.length() - (long) page * RegionFile.PAGE) || (int) crc.getValue() != crcs[i]) {
                throw new Failed("page " + page + " of " + r.file() + " from the page server fails its checksum: the migration stops");
            }
            long from = Math.max(pageAt, offset), to = Math.min(pageAt + len, end);
            if (from < to) dst.put(base + (int) (from - offset), buf, pos + (int) (from - pageAt), (int) (to - from));
            pos += len;
        }
    }

    @Override
    public int prefetchBlocks() { return fetch.prefetchBlocks(); }

    @Override
    public void beforePrefetch() throws Failed { fetch.beforePrefetch(); }

    /**
     * A checkpoint on disk may hold a damaged page the guest has not touched yet; a post-copy destination
     * may yet be fenced off by a source that takes its job back: either way nothing leaves before the end.
     */
    @Override
    public boolean holdEffectsUntilAllRead() { return true; }

    @Override
    public void allRead() throws Failed {
        long bytes = 0;
        for (Open o : regions) for (int k = 0; k < o.index().stored(); k++) bytes += o.index().length(k);
        StepTimes.allPagesIn(bytes);
        try {
            fetch.allRead();
        } finally {
            closeFiles();
        }
    }

    public Checkpoint checkpoint() { return cp; }

    /** Bytes of the stored pages first..first+count of a region (every page whole but a region's last). */
    public int bytesOf(int region, int first, int count) {
        RegionFile.Index ix = regions.get(region).index();
        int bytes = 0;
        for (int i = 0; i < count; i++) bytes += ix.length(first + i);
        return bytes;
    }

    @Override
    public void close() {
        fetch.close();
        closeFiles();
    }

    private void closeFiles() {
        for (Open o : regions) {
            try {
                o.ch().close();
            } catch (IOException ignored) {
                // read-only: nothing to lose
            }
        }
    }
}
