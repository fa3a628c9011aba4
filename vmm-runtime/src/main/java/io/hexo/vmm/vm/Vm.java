package io.hexo.vmm.vm;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.checkpoint.CheckpointDirectory;
import io.hexo.vmm.checkpoint.CheckpointException;
import io.hexo.vmm.checkpoint.CheckpointReader;
import io.hexo.vmm.engine.Engine;
import io.hexo.vmm.engine.EngineChoice;
import io.hexo.vmm.engine.EngineUnavailableException;
import io.hexo.vmm.engine.Exit;
import io.hexo.vmm.engine.GuestLayout;
import io.hexo.vmm.guest.GuestConsole;
import io.hexo.vmm.guest.GuestFiles;
import io.hexo.vmm.guest.MigrationControl;
import io.hexo.vmm.hypercall.ClockCalls;
import io.hexo.vmm.hypercall.FileCalls;
import io.hexo.vmm.hypercall.HypercallTable;
import io.hexo.vmm.hypercall.LifecycleCalls;
import io.hexo.vmm.hypercall.MigrationCalls;
import io.hexo.vmm.loader.ElfImage;
import io.hexo.vmm.loader.ImageException;
import io.hexo.vmm.loader.ImageInfo;
import io.hexo.vmm.memory.GuestMemory;
import io.hexo.vmm.memory.LazyMemory;
import io.hexo.vmm.memory.PageSource;
import io.hexo.vmm.checkpoint.CheckpointPages;
import io.hexo.vmm.postcopy.PostCopyMode;
import io.hexo.vmm.postcopy.PostCopyStatus;
import io.hexo.vmm.postcopy.RemotePages;
import io.hexo.vmm.postcopy.WaitingDestination;
import io.hexo.vmm.run.MemSize;
import io.hexo.vmm.run.Outcome;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * One guest run, set up the way Linux's KVM selftests set up a VM — readable top to bottom in
 * {@link #run()}: read the image, lay out memory, load, write the boot information, pick the engine,
 * run until the guest exits, traps or checkpoints.
 *
 * <p>{@link #requestMigration()} may be called from any thread (signal handler, timer, IDE).
 */
public final class Vm {
    /** Everything `hexo run` can be told. */
    public record Config(Path imageDir, Isa isa, long mem, List<String> args, List<String> env, Path workdir,
                         boolean verbose, EngineChoice engine, Path checkpointDir, long migrateAtPoint,
                         boolean resume, GuestConsole console, List<GuestFiles.Mount> mounts) {
        public Config(Path imageDir, Isa isa, long mem, List<String> args, List<String> env, Path workdir, boolean verbose,
                      EngineChoice engine, Path checkpointDir, long migrateAtPoint, boolean resume, GuestConsole console) {
            this(imageDir, isa, mem, args, env, workdir, verbose, engine, checkpointDir, migrateAtPoint, resume, console, List.of());
        }
    }

    private static final long STACK_GUARD_SIZE = 0x200000;
    /** argv[0] on both ISAs: a program that prints it must not change its output when it migrates. */
    public static final String PROGRAM_NAME = "prog";
    /** Room the program needs beyond its initial linear memory before MEM is called too small. */
    private static final long MIN_HEAP = 8L << 20;

    private final Config config;
    private final MigrationControl control;
    private final GuestMemory memory;
    private volatile String engineDescription;
    private volatile long pointsReached;
    private volatile int gdbPort;
    private volatile boolean migrationRequested;
    private PostCopyMode postCopy;
    private RemotePages remotePages;
    /** While true, guest memory is mapped and {@link #pointsPassedSoFar} may read the control block (guarded by control). */
    private boolean guestRunning;

    public Vm(Config config) {
        this.config = config;
        this.memory = GuestMemory.allocate(config.mem());
        this.control = new MigrationControl(memory, config.migrateAtPoint());
    }

    /** Before {@link #run}: the guest waits for gdb on this TCP port before its first instruction (process engine). */
    public void debugWithGdb(int port) {
        gdbPort = port;
    }

    /** Before {@link #run}: this run is the source or the destination of a post-copy migration. */
    public void postCopy(PostCopyMode mode) {
        postCopy = mode;
    }

    /** What front-ends follow of a post-copy migration, or null when this run takes no part in one. */
    public PostCopyStatus postCopyStatus() {
        return postCopy == null ? null : postCopy.status();
    }

    /** Asks the guest to migrate at its next migration point. */
    public void requestMigration() {
        migrationRequested = true;
        control.request();
    }

    /** Whether {@link #requestMigration} was called (a request a program without migration points never answers). */
    public boolean migrationRequested() { return migrationRequested; }

    /** "KVM" or "emulated ...", once the engine is chosen. */
    public String engineDescription() { return engineDescription; }

    /** Migration points the program had passed when the run ended (counted from its start). */
    public long pointsReached() { return pointsReached; }

    /** Migration points passed so far, read live from the guest's control block while it runs (progress events). */
    public long pointsPassedSoFar() {
        synchronized (control) { return guestRunning ? pointsInGuest() : pointsReached; }
    }

    public Outcome run() {
        if (!java.nio.file.Files.isDirectory(config.workdir())) {
            memory.close();
            return new Outcome.Failed("the working directory " + config.workdir() + " does not exist: create it, or pass another --workdir");
        }
        try (memory; GuestFiles files = new GuestFiles(config.workdir(), config.mounts(), config.console().notices());
             CheckpointDirectory.Owner owner = CheckpointDirectory.claim(config.checkpointDir())) {
            ElfImage image = ElfImage.read(config.imageDir().resolve(config.isa().imageName()));
            ImageInfo info = checkImage(image);
            GuestLayout layout = layout(image, info);
            // Resume checks everything but the pages now; each page is verified as it is first used (LazyMemory).
            // A post-copy destination started before its source's migration point (--wait) gets its checkpoint at the restore.
            WaitingResume waiting = config.resume() && postCopy != null && postCopy.waitForSource() ? new WaitingResume(info) : null;
            CheckpointReader.Resumable resumable = config.resume() && waiting == null ? CheckpointReader.openForResume(config.checkpointDir(), info.moduleId(),
                    postCopy == null || postCopy.server() == null ? null : minimal -> connectToSource(minimal, info)) : null;
            if (postCopy != null && postCopy.serve() != null) postCopy.listenEarly(info, config.checkpointDir(), config.console().notices());
            Checkpoint resumeFrom = resumable == null ? null : resumable.checkpoint();
            Engine[] engineRef = new Engine[1];
            image.load(memory);
            writeBootInfo(layout, info);

            LifecycleCalls lifecycle = new LifecycleCalls(memory, image, layout, control, config.console().kernelLog());
            HypercallTable hypercalls = new HypercallTable(memory,
                    lifecycle,
                    new FileCalls(memory, files, config.console()),
                    new ClockCalls(memory, control),
                    new MigrationCalls(new MigrationCalls.Context(memory, layout, info, files, control, config.checkpointDir(),
                            config.isa().displayName(), () -> engineDescription, config.console().notices(), resumeFrom,
                            resumable == null ? null : resumable.pages(), () -> engineRef[0], postCopy, waiting)));

            try (Engine engine = Engines.create(config.isa(), config.engine(), new Engine.Setup(memory, layout, gdbPort),
                    config.console().notices())) {
                engineDescription = engine.description();
                engineRef[0] = engine;
                Exit exit;
                synchronized (control) { guestRunning = true; }
                try {
                    exit = engine.run(hypercalls);
                } finally {
                    synchronized (control) { pointsReached = pointsInGuest(); guestRunning = false; }
                    LazyMemory lazy = memory.lazy();
                    if (lazy != null) lazy.close(); // the prefetcher stops before guest memory goes away
                }
                LazyMemory lazy = memory.lazy();
                try {
                    if (lazy != null && lazy.failure() != null) return new Outcome.Failed(lazy.failure());
                    if (remotePages != null) sayHowPagesCame(lazy);
                } finally {
                    if (resumable != null) resumable.pages().close();
                    if (waiting != null) waiting.close();
                    if (postCopy != null) postCopy.runEnded();
                }
                if (exit instanceof Exit.Fault f) return lifecycle.fault(f);
                return hypercalls.outcome() != null ? hypercalls.outcome() : new Outcome.Failed("the engine stopped the guest without a reason");
            }
        } catch (ImageException | EngineUnavailableException | IllegalArgumentException e) {
            return new Outcome.Failed(e.getMessage());
        } catch (CheckpointException e) {
            return new Outcome.Failed(e.getMessage() + (config.resume() ? "; nothing was resumed" : ""));
        } catch (IOException e) {
            return new Outcome.Failed("cannot use " + e.getMessage() + " (working directory " + config.workdir() + ")");
        }
    }

    /** The count in the guest's control block (in linear memory): if that memory could not be filled, the last one known. */
    private long pointsInGuest() {
        try {
            return control.pointsReached();
        } catch (LazyMemory.Failed e) {
            return pointsReached;
        }
    }

    /** {@link io.hexo.vmm.postcopy.WaitingDestination} as the restore's pending checkpoint: connected (and checked) before the guest boots. */
    private final class WaitingResume implements MigrationCalls.PendingResume {
        private final WaitingDestination destination;
        private CheckpointReader.Resumable resumable;

        WaitingResume(ImageInfo info) throws CheckpointException {
            try {
                destination = WaitingDestination.connect(postCopy, config.checkpointDir(), info, config.console().notices());
            } catch (PageSource.Failed e) {
                throw new CheckpointException(e.getMessage());
            }
        }

        @Override
        public CheckpointReader.Resumable await() throws CheckpointException, IOException {
            try {
                WaitingDestination.Arrival a = destination.await();
                remotePages = a.pages();
                resumable = a.resumable();
                return resumable;
            } catch (PageSource.Failed e) {
                throw new CheckpointException(e.getMessage());
            }
        }

        @Override
        public void resumed() {
            config.console().notices().accept(destination.resumedLine());
        }

        void close() {
            if (resumable != null) resumable.pages().close();
            destination.close();
        }
    }

    private CheckpointPages.Fetch connectToSource(Checkpoint minimal, ImageInfo info) throws CheckpointException {
        try {
            remotePages = RemotePages.connect(postCopy, minimal, info);
            return remotePages;
        } catch (PageSource.Failed e) {
            throw new CheckpointException(e.getMessage());
        }
    }

    /** The destination's summary of its post-copy migration (the hand-over itself came with the last page). */
    private void sayHowPagesCame(LazyMemory lazy) {
        long ms = lazy == null ? -1 : lazy.fillNanos() / 1_000_000;
        config.console().notices().accept("hexo: post-copy from " + remotePages.server() + ": " + (lazy == null ? "no pages"
                : lazy.filledBlocks() + "/" + lazy.blocks() + " blocks of 64 KiB moved (" + (lazy.bytesFetched() >> 20) + " MiB), " + lazy.faults()
                + " faults served (" + lazy.meanFaultMicros() + " us each to serve)" + (ms > 0 ? ", all in after " + ms + " ms (" + (lazy.bytesFetched() / 1000 / Math.max(1, ms)) + " MB/s)" : ""))
                + ", " + remotePages.mapSaid()
                + (remotePages.reconnects() > 0 ? ", " + remotePages.reconnects() + " reconnections" : "")
                + (remotePages.handedOver() ? "; hand-over done (every page held in memory)" : "; no hand-over"));
    }

    private ImageInfo checkImage(ElfImage image) {
        if (image.isa() != config.isa()) {
            throw new ImageException(image.path() + " is an " + image.isa().displayName() + " image, not "
                    + config.isa().displayName() + ": rebuild with `hexo build`");
        }
        ImageInfo info = image.info();
        if (info.abiVersion() != Abi.VERSION) {
            throw new ImageException(image.path() + " was built for hexo ABI " + info.abiVersion() + " but this hexo speaks ABI "
                    + Abi.VERSION + ": rebuild it with `hexo build`");
        }
        return info;
    }

    private GuestLayout layout(ElfImage image, ImageInfo info) {
        long guard = image.symbol("__hexo_stack_guard");
        long imageEnd = image.end();
        long linmemBase = GuestLayout.linmemBaseAfter(imageEnd);
        // Images built since hexo compiled linear memory's address into the program (FixedLinearMemory): at its
        // guest-physical base, or (since AddressArithmetic) at the program's own view of it.
        long view = image.hasSymbol("__hexo_linmem") && image.symbol("__hexo_linmem") == Abi.LINMEM_VIEW ? Abi.LINMEM_VIEW : 0;
        if (image.hasSymbol("__hexo_linmem") && view == 0 && image.symbol("__hexo_linmem") != linmemBase) {
            throw new ImageException(image.path() + " expects its linear memory at 0x" + Long.toHexString(image.symbol("__hexo_linmem"))
                    + " but hexo places it at 0x" + Long.toHexString(linmemBase) + ": rebuild it with `hexo build`");
        }
        long needed = linmemBase + info.initialLinmem() + MIN_HEAP;
        if (config.mem() < needed) {
            throw new IllegalArgumentException("MEM=" + MemSize.format(config.mem()) + " is too small for this program: it needs at least "
                    + MemSize.format(GuestLayout.alignUp(needed, 1 << 20)) + " (use --mem " + MemSize.format(GuestLayout.alignUp(needed * 2, 1 << 20)) + ")");
        }
        long traps = image.isa() == Isa.X86_64 ? image.symbol("hexo_x86_trap_vectors") : 0;
        return new GuestLayout(memory.size(), image.entry(), image.symbol("__hexo_stack_top"), guard, guard + STACK_GUARD_SIZE,
                imageEnd, linmemBase, traps, view);
    }

    private void writeBootInfo(GuestLayout layout, ImageInfo info) {
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        List<String> argv = new java.util.ArrayList<>();
        argv.add(PROGRAM_NAME);
        argv.addAll(config.args());
        for (String s : argv) append(strings, s);
        for (String s : config.env()) append(strings, s);
        if (strings.size() > Abi.STRINGS_SIZE) {
            throw new IllegalArgumentException("the arguments and environment take " + strings.size() + " bytes; at most "
                    + Abi.STRINGS_SIZE + " fit: pass fewer or shorter ones");
        }
        memory.write(Abi.STRINGS_ADDR, strings.toByteArray());
        long bi = Abi.BOOT_INFO_ADDR;
        memory.putInt(bi + Abi.BI_MAGIC, Abi.BOOT_MAGIC);
        memory.putInt(bi + Abi.BI_ABI_VERSION, Abi.VERSION);
        memory.putLong(bi + Abi.BI_MEM_SIZE, memory.size());
        memory.putLong(bi + Abi.BI_LINMEM_BASE, layout.linmemBase());
        memory.putLong(bi + Abi.BI_LINMEM_LIMIT, layout.linmemLimit());
        memory.putLong(bi + Abi.BI_ARGC, argv.size());
        memory.putLong(bi + Abi.BI_ENVC, config.env().size());
        memory.putLong(bi + Abi.BI_STRINGS_SIZE, strings.size());
        memory.putInt(bi + Abi.BI_RESUME, config.resume() ? 1 : 0);
        memory.putInt(bi + Abi.BI_VERBOSE, config.verbose() ? 1 : 0);
    }

    private static void append(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        out.write(0);
    }
}
