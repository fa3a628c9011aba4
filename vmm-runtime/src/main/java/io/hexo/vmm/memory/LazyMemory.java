package io.hexo.vmm.memory;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * A range of guest memory whose contents arrive on first touch: when the guest (or the VMM) first uses
 * a block, the block is read from a {@link PageSource}, checked, and installed, while a background
 * prefetcher installs everything else in large batches. This is what makes `--resume` and a post-copy
 * migration start the guest at once instead of after copying all of memory.
 *
 * <p>How a touch is noticed and how a block is installed depends on the engine ({@link Installer}): on
 * KVM, userfaultfd on the VMM's mapping (UFFDIO_COPY wakes the vCPU); on the process engine, the guest
 * process's SIGSEGV handler asks over the doorbell and the block is written into the shared memfd. The
 * VMM's own accesses go through {@link GuestMemory#check}, which calls {@link #ensure} first.
 *
 * <p>Blocks are {@value #BLOCK} bytes: one 4 KiB page per round trip costs ~50 µs on KVM here, so
 * faults bring a whole block, and the prefetcher up to {@value #BATCH_BLOCKS} blocks per batch.
 */
public final class LazyMemory implements AutoCloseable {
    public static final int BLOCK = 64 << 10;
    static final int BATCH_BLOCKS = 64;

    /** How a block reaches guest memory on one engine. */
    public interface Installer {
        /** Makes [gpa, gpa + data.remaining()) hold data; data is page-aligned and whole blocks long. */
        void install(long gpa, ByteBuffer data);

        /** Every block is in: the engine may stop watching for touches. */
        default void allInstalled() {}
    }

    /** Why the guest cannot go on: a block's source failed (thrown at the VMM's own accesses). */
    public static final class Failed extends RuntimeException {
        Failed(String sentence) {
            super(sentence);
        }
    }

    private final long start, length;
    private final int blocks;
    private final PageSource source;
    private final Installer installer;
    /** Per block: 0 missing, 1 being filled, 2 filled (guarded by this). */
    private final byte[] state;
    private int filledBlocks;
    private volatile boolean complete;
    private volatile String failure;
    private volatile long faults, bytesFetched, faultNanos;
    private final long armedAt = System.nanoTime();
    private volatile long completedAt;
    private Thread prefetcher;
    private volatile boolean closed;
    private final ThreadLocal<ByteBuffer> staging = ThreadLocal.withInitial(() ->
            ByteBuffer.allocateDirect(BLOCK * BATCH_BLOCKS + 4096).alignedSlice(4096));

    /** [start, start+length) of guest memory, both multiples of 4 KiB. */
    public LazyMemory(long start, long length, PageSource source, Installer installer) {
        if ((start & 4095) != 0 || length <= 0) throw new IllegalArgumentException("lazy range must be page-aligned and non-empty");
        this.start = start;
        this.length = length;
        this.blocks = (int) ((length + BLOCK - 1) / BLOCK);
        this.source = source;
        this.installer = installer;
        this.state = new byte[blocks];
    }

    public long start() { return start; }

    public long length() { return length; }

    public boolean contains(long gpa) { return gpa >= start && gpa - start < length; }

    /** Every block is in (or the source failed). */
    public boolean complete() { return complete; }

    /** The sentence why the guest cannot go on, or null. */
    public String failure() { return failure; }

    public long faults() { return faults; }

    /** See {@link PageSource#holdEffectsUntilAllRead}. */
    public boolean holdsEffects() { return source.holdEffectsUntilAllRead(); }

    public long bytesFetched() { return bytesFetched; }

    public int blocks() { return blocks; }

    public synchronized int filledBlocks() { return filledBlocks; }

    /** Nanoseconds from arming to the last block, or -1 while blocks are missing. */
    public long fillNanos() { return completedAt == 0 ? -1 : completedAt - armedAt; }

    /** Makes [gpa, gpa+len) present (the part inside this range), waiting for blocks being filled. */
    public void ensure(long gpa, long len) {
        long from = Math.max(gpa, start), to = Math.min(gpa + Math.max(len, 1), start + length);
        if (from >= to) return; // not ours: memory outside the range is always there
        if (!complete) {
            for (long b = (from - start) / BLOCK; b <= (to - 1 - start) / BLOCK; b++) fill((int) b, 1);
        }
        if (failure != null) throw new Failed(failure);
    }

    /** A touch the engine noticed (a fault): the block that holds gpa. Returns false when the source failed. */
    public boolean fault(long gpa) {
        long t0 = System.nanoTime();
        if (contains(gpa)) fill((int) ((gpa - start) / BLOCK), 1);
        faultNanos += System.nanoTime() - t0;
        faults++;
        return failure == null;
    }

    /** Mean time from a fault being noticed to its block installed, in microseconds (0 before any). */
    public long meanFaultMicros() {
        long n = faults;
        return n == 0 ? 0 : faultNanos / n / 1000;
    }

    /**
     * Fills count blocks from first on (those still missing; the run stops at the first block someone
     * else is filling), then waits until the first block is filled by whoever filled it.
     */
    private void fill(int first, int count) {
        int n;
        synchronized (this) {
            while (state[first] == 1) waitQuietly();
            if (state[first] == 2) return;
            n = 0;
            while (n < count && first + n < blocks && state[first + n] == 0) state[first + n++] = 1;
        }
        long gpa = start + (long) first * BLOCK;
        int len = (int) Math.min((long) n * BLOCK, length - (gpa - start));
        ByteBuffer buf = staging.get().clear();
        int whole = (len + 4095) & ~4095;
        buf.limit(whole);
        String failed = null;
        try {
            if (failure != null) throw new PageSource.Failed(failure);
            source.read(gpa - start, buf.duplicate().limit(len));
            bytesFetched += len;
        } catch (PageSource.Failed e) {
            failed = e.getMessage();
        } catch (RuntimeException e) {
            failed = "guest memory could not be filled (" + e + ")";
        }
        if (failed != null) {
            // The damaged bytes never reach the guest: it gets zeros and is stopped at its next exit
            // (every hypercall checks failure()), so nothing computed from them leaves the VMM.
            if (failure == null) failure = failed;
            PageSource.zero(buf.duplicate().position(0).limit(whole));
        }
        PageSource.zero(buf.duplicate().position(len).limit(whole));
        installer.install(gpa, buf.duplicate().position(0).limit(whole));
        boolean last;
        synchronized (this) {
            for (int i = 0; i < n; i++) state[first + i] = 2;
            filledBlocks += n;
            last = filledBlocks == blocks;
            notifyAll();
        }
        if (last) finish();
    }

    private void finish() {
        completedAt = System.nanoTime();
        installer.allInstalled();
        if (failure == null) {
            try {
                source.allRead();
            } catch (PageSource.Failed e) {
                failure = e.getMessage();
            }
        }
        complete = true;
        synchronized (this) { notifyAll(); }
    }

    private void waitQuietly() {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failed("interrupted while guest memory was being filled");
        }
    }

    /** Starts the background prefetcher: every missing block, in order, in batches. */
    public synchronized void startPrefetch() {
        if (prefetcher != null) return;
        prefetcher = new Thread(() -> {
            try {
                source.beforePrefetch();
            } catch (PageSource.Failed e) {
                if (failure == null) failure = e.getMessage(); // every block still goes through fill(), which now only zeroes it
            }
            for (int b = 0; b < blocks && !closed; b++) {
                boolean missing;
                synchronized (this) { missing = state[b] == 0; }
                if (missing) fill(b, Math.max(1, Math.min(BATCH_BLOCKS, source.prefetchBlocks())));
            }
        }, "hexo-prefetch");
        prefetcher.setDaemon(true);
        prefetcher.start();
    }

    /**
     * Waits until every block is in; returns the failure sentence, or null. Effects the guest asks for
     * (output, files, exit) wait here ({@link PageSource#holdEffectsUntilAllRead}): nothing the guest computed
     * leaves the VMM before every page it could have used has been verified and, in a post-copy migration,
     * the source has handed the job over.
     */
    public String awaitComplete() {
        startPrefetch();
        synchronized (this) {
            while (!complete) {
                try {
                    wait(TimeUnit.MILLISECONDS.toMillis(100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "interrupted while guest memory was being filled";
                }
            }
        }
        return failure;
    }

    /** Stops the prefetcher (before guest memory goes away). */
    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) { t = prefetcher; }
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
