package io.hexo.vmm.hypercall;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.checkpoint.CheckpointException;
import io.hexo.vmm.checkpoint.CheckpointReader;
import io.hexo.vmm.checkpoint.CheckpointWriter;
import io.hexo.vmm.engine.Engine;
import io.hexo.vmm.engine.GuestLayout;
import io.hexo.vmm.guest.GuestFiles;
import io.hexo.vmm.guest.MigrationControl;
import io.hexo.vmm.loader.ImageInfo;
import io.hexo.vmm.memory.GuestMemory;
import io.hexo.vmm.memory.LazyMemory;
import io.hexo.vmm.memory.PageSource;
import io.hexo.vmm.postcopy.PageServer;
import io.hexo.vmm.postcopy.PostCopyMode;
import io.hexo.vmm.run.Outcome;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Checkpoint (the guest unwound at a migration point) and restore (a resumed guest asks for its
 * state). The guest's snapshot descriptor is checked against what the VMM itself knows — linear
 * memory's place and limit, the image's globals count — before anything is read or written.
 */
public final class MigrationCalls implements HypercallFamily {
    /** The restore side: the verified checkpoint to resume, and the notices channel. */
    public record Context(GuestMemory memory, GuestLayout layout, ImageInfo info, GuestFiles files, MigrationControl control,
                          Path checkpointDir, String isa, Supplier<String> engine, Consumer<String> notices,
                          Checkpoint resumeFrom, PageSource resumePages, Supplier<Engine> lazyEngine, PostCopyMode postCopy,
                          PendingResume pending) {
        /** Memory loaded in full at the restore (no engine to fill it lazily). */
        public Context(GuestMemory memory, GuestLayout layout, ImageInfo info, GuestFiles files, MigrationControl control,
                       Path checkpointDir, String isa, Supplier<String> engine, Consumer<String> notices, Checkpoint resumeFrom) {
            this(memory, layout, info, files, control, checkpointDir, isa, engine, notices, resumeFrom, null, null, null, null);
        }
    }

    /**
     * A resume whose checkpoint is not there yet: a post-copy destination started before its source's
     * migration point (`--wait`) boots its guest up to the restore and waits there for it.
     */
    public interface PendingResume {
        /** Waits for the checkpoint and opens it; one sentence (CheckpointException) when it never comes. */
        CheckpointReader.Resumable await() throws CheckpointException, IOException;

        /** The guest's next instruction is the resumed program's. */
        void resumed();
    }

    private final Context c;

    public MigrationCalls(Context context) {
        this.c = context;
    }

    @Override
    public void register(HypercallTable t) {
        t.register(Abi.HC_CHECKPOINT, a -> checkpoint(a[0]));
        t.register(Abi.HC_RESTORE, a -> restore(a[0]));
    }

    private record Snapshot(long linmemSize, long globals, int nglobals, long asyncifyData, long control) {}

    private Snapshot snapshot(long addr) {
        GuestMemory m = c.memory();
        m.check(addr, Abi.SNAP_SIZE);
        long base = m.getLong(addr + Abi.SNAP_LINMEM_BASE), size = m.getLong(addr + Abi.SNAP_LINMEM_SIZE);
        long n = m.getLong(addr + Abi.SNAP_NGLOBALS), globals = m.getLong(addr + Abi.SNAP_GLOBALS);
        if (base != c.layout().linmemBase() || size < 0 || size > c.layout().linmemLimit() || size % 65536 != 0
                || n != c.info().globals()) {
            throw new GuestStopped(new Outcome.Failed("the guest described its state inconsistently (linear memory at 0x"
                    + Long.toHexString(base) + ", " + size + " bytes, " + n + " globals): no checkpoint was taken"));
        }
        m.check(globals, 8 * n);
        return new Snapshot(size, globals, (int) n, m.getLong(addr + Abi.SNAP_ASYNCIFY_DATA), m.getLong(addr + Abi.SNAP_CONTROL));
    }

    private long checkpoint(long addr) {
        long reached = System.nanoTime();
        LazyMemory lazy = c.memory().lazy();
        String unfilled = lazy == null ? null : lazy.awaitComplete(); // a checkpoint holds every page, so they must all be here
        if (unfilled != null) throw new GuestStopped(new Outcome.Failed(unfilled));
        Snapshot s = snapshot(addr);
        long[] globals = new long[s.nglobals()];
        for (int i = 0; i < globals.length; i++) globals[i] = c.memory().getLong(s.globals() + 8L * i);
        long points = c.control().pointsReached();
        if (points < 0) { // a count the guest wrote itself: a checkpoint must be one a reader accepts
            throw new GuestStopped(new Outcome.Failed("the guest's migration point count is corrupt (" + Long.toUnsignedString(points)
                    + "): no checkpoint was taken"));
        }
        c.control().freeze();
        try {
            CheckpointWriter.State state = new CheckpointWriter.State(c.isa(), c.engine().get(),
                    c.layout().linmemBase(), s.linmemSize(), globals, s.asyncifyData(), s.control(), points, c.files().snapshot());
            if (c.postCopy() != null && c.postCopy().serve() != null) return postCopySource(state, points, reached);
            CheckpointWriter.write(c.checkpointDir(), c.memory(), c.info(), state);
        } catch (IOException | CheckpointException e) {
            c.control().thaw();
            // Never lose the guest: it stays here and goes on running.
            c.notices().accept("hexo: could not write the checkpoint to " + c.checkpointDir() + " (" + e.getMessage()
                    + "): the program goes on here");
            return 0;
        }
        throw new GuestStopped(new Outcome.Checkpointed(c.checkpointDir(), points));
    }

    /**
     * Post-copy source: the minimal checkpoint (no page bytes), then the guest's pages served from here,
     * the guest stopped at its migration point, until the destination holds them all — or until the source
     * takes the job back (its destination lost, or the user asked): then, as when the port cannot be had or
     * the checkpoint cannot be written, the program goes on here from the state it never left.
     */
    private long postCopySource(CheckpointWriter.State state, long points, long reached) {
        PageServer.Ending ending;
        try (PageServer server = c.postCopy().atMigrationPoint(c.info().moduleId(), c.notices())) {
            Checkpoint minimal = CheckpointWriter.write(c.checkpointDir(), c.memory(), c.info(), state, server.migration());
            ending = server.serve(minimal, c.memory(), c.layout().linmemBase(), reached);
        } catch (IOException | CheckpointException e) {
            c.control().thaw();
            c.notices().accept("hexo: could not start the post-copy migration (" + e.getMessage() + "): the program goes on here");
            return 0;
        }
        c.notices().accept(ending.sentence());
        if (ending.takenBack()) {
            c.control().withdraw();
            return 0;
        }
        throw new GuestStopped(new Outcome.Checkpointed(c.checkpointDir(), points));
    }

    /**
     * The guest goes on at once; its linear memory fills itself from the checkpoint (or the page server)
     * as it is touched, the rest in the background ({@link LazyMemory}).
     */
    private void fillLazily(Checkpoint cp, PageSource pages) throws CheckpointException {
        if (cp.linmemSize() > c.layout().linmemLimit()) {
            throw new CheckpointException("the checkpoint in " + cp.dir() + " needs " + (cp.linmemSize() >> 20)
                    + " MiB of program memory but MEM leaves " + (c.layout().linmemLimit() >> 20) + " MiB: give it more with --mem");
        }
        if (cp.linmemSize() == 0) return;
        LazyMemory lazy = c.lazyEngine().get().fillLazily(c.layout().linmemBase(), cp.linmemSize(), pages);
        lazy.startPrefetch();
        if (c.postCopy() != null) c.postCopy().resumed(lazy);
    }

    private long restore(long addr) {
        Checkpoint cp = c.resumeFrom();
        PageSource pages = c.resumePages();
        if (cp == null && c.pending() != null) {
            try {
                CheckpointReader.Resumable r = c.pending().await();
                cp = r.checkpoint();
                pages = r.pages();
            } catch (CheckpointException e) {
                throw new GuestStopped(new Outcome.Failed(e.getMessage()));
            } catch (IOException e) {
                throw new GuestStopped(new Outcome.Failed("cannot resume the checkpoint in " + c.checkpointDir() + ": " + e.getMessage()));
            }
        }
        if (cp == null) return -Abi.EINVAL;
        Snapshot s = snapshot(addr);
        try {
            CheckpointReader.ThreadState thread = CheckpointReader.thread(cp);
            if (thread.globals().length != s.nglobals()) throw new CheckpointException(Checkpoint.THREAD + " in " + cp.dir() + " does not match this image");
            if (pages == null) {
                CheckpointReader.loadMemory(cp, c.memory(), c.layout().linmemBase(), c.layout().linmemLimit());
            } else {
                fillLazily(cp, pages);
            }
            for (int i = 0; i < thread.globals().length; i++) c.memory().putLong(s.globals() + 8L * i, thread.globals()[i]);
            c.memory().putLong(addr + Abi.SNAP_LINMEM_SIZE, cp.linmemSize());
            c.memory().putLong(addr + Abi.SNAP_ASYNCIFY_DATA, thread.asyncifyData());
            c.files().restore(CheckpointReader.openFiles(cp));
            if (c.pending() != null) c.pending().resumed();
            return 0;
        } catch (CheckpointException e) {
            throw new GuestStopped(new Outcome.Failed(e.getMessage()));
        } catch (IOException e) {
            throw new GuestStopped(new Outcome.Failed("cannot resume the checkpoint in " + cp.dir() + ": " + e.getMessage()));
        } catch (io.hexo.vmm.engine.EngineUnavailableException e) {
            throw new GuestStopped(new Outcome.Failed("cannot resume the checkpoint in " + cp.dir() + " on this engine: " + e.getMessage()));
        } catch (RuntimeException e) {
            // A value no check foresaw: still one sentence, and the guest does not run on half-restored state.
            throw new GuestStopped(new Outcome.Failed("cannot resume the checkpoint in " + cp.dir() + ": it is damaged in a way hexo did not expect ("
                    + e.getClass().getSimpleName() + "); nothing was resumed"));
        }
    }
}
