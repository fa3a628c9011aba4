package io.hexo.vmm.postcopy;

import io.hexo.vmm.memory.LazyMemory;

/**
 * A run's part in a post-copy migration: the source serves its pages after the minimal checkpoint
 * (`--full-chkpt-save 0`), the destination resumes from that checkpoint and fetches them from `server`
 * (`--resume --full-chkpt-restore 0 --server HOST[:PORT]`). {@code status} is what front-ends follow.
 */
public record PostCopyMode(PageServer.Settings serve, String server, PostCopyStatus status) {
    /** The source; what its migration point will need is readied on a background thread now, while the guest runs. */
    public static PostCopyMode source(String bind, int port) {
        Thread warm = new Thread(io.hexo.vmm.checkpoint.CheckpointWriter::warmUp, "hexo-postcopy-warm-up");
        warm.setDaemon(true);
        warm.setPriority(Thread.MIN_PRIORITY);
        warm.start();
        return new PostCopyMode(new PageServer.Settings(bind, port), null, new PostCopyStatus(PostCopyStatus.Role.SOURCE));
    }

    public static PostCopyMode destination(String server) {
        return new PostCopyMode(null, server, new PostCopyStatus(PostCopyStatus.Role.DESTINATION));
    }

    /** The destination's guest runs on while lazy fills in its memory. */
    public void resumed(LazyMemory lazy) {
        status.enter(PostCopyStatus.Phase.RESUMED, server, new PostCopyStatus.Counts() {
            private final long pages = (lazy.length() + 4095) / 4096;

            public long pagesMoved() {
                int filled = lazy.filledBlocks();
                return filled == lazy.blocks() ? pages : (long) filled * (LazyMemory.BLOCK / 4096);
            }

            public long pagesTotal() { return pages; }

            public long faultsServed() { return lazy.faults(); }

            public long bytesMoved() { return lazy.bytesFetched(); }
        });
    }
}
