package io.hexo.vmm.memory;

import java.nio.ByteBuffer;

/**
 * Where the contents of guest memory that fills itself come from ({@link LazyMemory}): a local checkpoint
 * (CheckpointPages) or, in a post-copy migration, the source's page server (io.hexo.vmm.postcopy). A
 * source verifies what it hands out — every page against its checksum — so a damaged page is refused
 * here and never reaches the guest.
 */
public interface PageSource {
    /**
     * Fills dst from its position to its limit with the bytes at [offset, offset + dst.remaining()) of the
     * range this source serves (offsets from the range's start). Pages the source holds no data for are zeros.
     *
     * @throws Failed with one sentence (what, where) when a page is damaged or cannot be had
     */
    void read(long offset, ByteBuffer dst) throws Failed;

    /**
     * Whether what the guest asks the outside world for (output, files, its exit) must wait until every
     * page has been read and verified, and {@link #allRead} has returned: a checkpoint on disk may hold a
     * damaged page the guest has not touched yet; a post-copy destination owns the job only once the
     * source has confirmed the hand-over.
     */
    default boolean holdEffectsUntilAllRead() { return false; }

    /**
     * Blocks the prefetcher reads at a time: large for a file; smaller over a network, where a fault
     * that arrives while a batch is in flight waits for it.
     */
    default int prefetchBlocks() { return 64; }

    /**
     * Run by the prefetcher before its first block, while the guest already runs: a post-copy page server's
     * map of the pages that hold data, so that the rest is zero without asking. A failure (one sentence) stops
     * the guest as a damaged page would.
     */
    default void beforePrefetch() throws Failed {}

    /**
     * Called once every page has been read: the source may let go of its files or its connection. A
     * failure (one sentence) stops the guest as a damaged page would.
     */
    default void allRead() throws Failed {}

    /** Sets dst's bytes from its position to its limit to zero (position and limit unchanged), in bulk. */
    static void zero(ByteBuffer dst) {
        for (int at = dst.position(); at < dst.limit(); at += Zeros.BUFFER.capacity()) {
            dst.put(at, Zeros.BUFFER, 0, Math.min(Zeros.BUFFER.capacity(), dst.limit() - at));
        }
    }

    /** A page that cannot be served: the guest must not run on. The message is one sentence. */
    final class Failed extends Exception {
        public Failed(String sentence) {
            super(sentence);
        }
    }

    /** Zeros to copy from. */
    final class Zeros {
        static final ByteBuffer BUFFER = ByteBuffer.allocateDirect(1 << 20);

        private Zeros() {}
    }
}
