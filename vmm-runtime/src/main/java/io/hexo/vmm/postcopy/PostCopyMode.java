package io.hexo.vmm.postcopy;

import io.hexo.vmm.memory.LazyMemory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A run's part in a post-copy migration: the source serves its pages after the minimal checkpoint
 * (`--full-chkpt-save 0`), the destination resumes from that checkpoint and fetches them from `server`
 * (`--resume --full-chkpt-restore 0 --server HOST[:PORT]`), or — started before the migration point with
 * `--wait` — receives the minimal checkpoint over the same connection the moment the source reaches it.
 * {@code status} is what front-ends follow.
 */
public record PostCopyMode(PageServer.Settings serve, String server, boolean waitForSource, PostCopyStatus status,
                           AtomicReference<PageServer> listening) {
    /** The source; what its migration point will need is readied on a background thread now, while the guest runs. */
    public static PostCopyMode source(String bind, int port) {
        Thread warm = new Thread(io.hexo.vmm.checkpoint.CheckpointWriter::warmUp, "hexo-postcopy-warm-up");
        warm.setDaemon(true);
        warm.setPriority(Thread.MIN_PRIORITY);
        warm.start();
        return new PostCopyMode(new PageServer.Settings(bind, port), null, false, new PostCopyStatus(PostCopyStatus.Role.SOURCE), new AtomicReference<>());
    }

    public static PostCopyMode destination(String server) {
        return destination(server, false);
    }

    /** waitForSource: started before the source's migration point (`--wait`). */
    public static PostCopyMode destination(String server, boolean waitForSource) {
        return new PostCopyMode(null, server, waitForSource, new PostCopyStatus(PostCopyStatus.Role.DESTINATION), new AtomicReference<>());
    }

    /**
     * The source, as its run starts: the page server listens from now on and the token is in
     * dir/{@value PageServer#KEY_FILE}, so that a destination can be started and wait (`--wait`) before the
     * migration point. A port that cannot be had now is tried again at the point (said in one line).
     */
    public void listenEarly(io.hexo.vmm.loader.ImageInfo info, Path dir, Consumer<String> notices) {
        String moduleId = info.moduleId();
        WarmUp.start(info);
        try {
            PageServer s = PageServer.listen(this, moduleId, notices);
            try {
                s.writeKey(dir);
            } catch (IOException e) {
                s.close();
                throw new IOException("cannot write " + dir.resolve(PageServer.KEY_FILE) + ": " + e.getMessage());
            }
            listening.set(s);
            notices.accept("hexo: post-copy: the page server listens on " + s.where() + " from now on; to resume the moment the migration point is"
                    + " reached, start the destination now with --wait and a copy of " + dir.resolve(PageServer.KEY_FILE) + " in its checkpoint directory");
        } catch (IOException e) {
            notices.accept("hexo: post-copy: " + e.getMessage() + "; trying again at the migration point (a destination cannot wait for it meanwhile)");
        }
    }

    /**
     * The source at its migration point: the page server (listening since the run started, or bound now).
     * From here a Ctrl-C takes the job back (at once once serving) instead of ending hexo.
     */
    public PageServer atMigrationPoint(String moduleId, Consumer<String> notices) throws IOException {
        status.arm(true);
        PageServer s = listening.getAndSet(null);
        if (s != null) return s;
        try {
            return PageServer.listen(this, moduleId, notices);
        } catch (IOException e) {
            status.arm(false);
            throw e;
        }
    }

    /** The run ends without having migrated: a destination that waits hears the connection close. */
    public void runEnded() {
        PageServer s = listening.getAndSet(null);
        if (s != null) s.close();
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
