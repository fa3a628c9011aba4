package io.hexo.cli;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.postcopy.PostCopyStatus;
import io.hexo.vmm.run.FunctionSource;
import io.hexo.vmm.run.Outcome;
import io.hexo.vmm.run.RunEvent;
import io.hexo.vmm.vm.Vm;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code hexo run --events=json [--events-to=DEST]}: the run's events ({@link RunEvent}), one JSON object a line, on
 * a file or a descriptor the caller opened, so that front-ends follow a guest without parsing hexo's sentences and
 * stdout stays the guest's. Progress (engine started, migration points, a request) is sampled from the running
 * {@link Vm}; the ending (checkpoint, trap, exit) comes from its {@link Outcome}.
 */
final class EventOptions {
    /** How often the running guest is sampled: often enough for a progress column, rare enough to cost nothing. */
    private static final long SAMPLE_MILLIS = 100;

    @Option(names = "--events", paramLabel = "FORMAT", description = "Write the run's events (started, migration points, checkpoint, trap, exit) as FORMAT: json, one object a line (docs/architecture.md, \"Event stream\").")
    String format;

    // No default descriptor: inside the JVM a low descriptor may be one of its own files (its jars).
    @Option(names = "--events-to", paramLabel = "FILE", description = "Where --events go: a file (created or truncated), or /dev/fd/N for a descriptor the caller opened (e.g. --events-to=/dev/fd/3 3>&2).")
    String destination;

    /** Runs the guest, writing its events when --events was given. */
    Outcome run(Vm vm, RunCommand run) {
        if (format == null) return vm.run();
        PrintStream out;
        try {
            out = open();
        } catch (IllegalArgumentException e) {
            return new Outcome.Failed(e.getMessage());
        }
        Watcher watcher = new Watcher(vm, Isa.parse(run.isa), run.out, run.resume, out);
        Thread sampler = new Thread(watcher::sample, "hexo events");
        sampler.setDaemon(true);
        sampler.start();
        Outcome outcome = vm.run();
        sampler.interrupt();
        try {
            sampler.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watcher.end(outcome);
        out.close();
        return outcome;
    }

    private PrintStream open() {
        if (!"json".equals(format)) {
            throw new IllegalArgumentException("--events " + format + " is no event format: give --events=json");
        }
        if (destination == null) {
            throw new IllegalArgumentException("--events=json needs --events-to=FILE (a file, or /dev/fd/N for a descriptor you opened, e.g. 3>events.jsonl)");
        }
        Path file = Path.of(destination).toAbsolutePath();
        java.util.regex.Matcher fd = DESCRIPTOR.matcher(destination);
        if (fd.matches()) return descriptor(fd.group(1));
        if (!Files.isDirectory(file.getParent())) {
            throw new IllegalArgumentException("--events-to " + destination + ": the directory " + file.getParent() + " does not exist");
        }
        try {
            return new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("--events-to " + destination + " cannot be written (" + e.getMessage() + "): give a writable file");
        }
    }

    private static final java.util.regex.Pattern DESCRIPTOR = java.util.regex.Pattern.compile("/(?:dev|proc/self)/fd/(\\d{1,5})");

    /**
     * A descriptor the caller opened for writing. Inside the JVM an unclaimed number may be one of the JVM's own
     * files (its jars, the JDK's lib/modules), all opened read-only: writing there would corrupt them, so only a
     * descriptor open for writing (its fdinfo's access mode) is used, and it is appended to, never truncated.
     */
    private PrintStream descriptor(String n) {
        String flags;
        try {
            flags = Files.readAllLines(Path.of("/proc/self/fdinfo", n)).stream().filter(l -> l.startsWith("flags:"))
                    .map(l -> l.substring(6).trim()).findFirst().orElse("0");
        } catch (IOException e) {
            flags = null;
        }
        int access = flags == null ? -1 : Integer.parseInt(flags, 8) & 3;
        if (access != 1 && access != 2) {
            throw new IllegalArgumentException("--events-to " + destination + ": descriptor " + n + " was not opened for writing by the caller: open it (e.g. "
                    + n + ">events.jsonl) or give a file");
        }
        try {
            return new PrintStream(Files.newOutputStream(Path.of("/proc/self/fd", n), java.nio.file.StandardOpenOption.WRITE,
                    java.nio.file.StandardOpenOption.APPEND), false, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("--events-to " + destination + " cannot be written (" + e.getMessage() + ")");
        }
    }

    /** Turns what the Vm shows into events, each said once. */
    private static final class Watcher {
        private final Vm vm;
        private final Isa isa;
        private final Path imageDir;
        private final boolean resumed;
        private final PrintStream out;
        private boolean started;
        private boolean requested;
        private long points;
        private PostCopyStatus.Snapshot postCopySaid;

        Watcher(Vm vm, Isa isa, Path imageDir, boolean resumed, PrintStream out) {
            this.vm = vm;
            this.resumed = resumed;
            this.isa = isa;
            this.imageDir = imageDir;
            this.out = out;
            if (vm.postCopyStatus() != null) vm.postCopyStatus().onPhase(this::postCopy);
        }

        void sample() {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    progress(vm.pointsPassedSoFar());
                    Thread.sleep(SAMPLE_MILLIS);
                }
            } catch (InterruptedException e) {
                // the run ended
            }
        }

        private synchronized void progress(long passed) {
            if (!started && vm.engineDescription() != null) {
                started = true;
                emit(new RunEvent.Started(isa.displayName(), vm.engineDescription(), imageDir.resolve(isa.imageName()).toAbsolutePath().toString(),
                        ProcessHandle.current().pid(), resumed));
            }
            if (!started) return;
            if (passed != points) {
                points = passed;
                emit(new RunEvent.PointsPassed(passed));
            }
            if (!requested && vm.migrationRequested()) {
                requested = true;
                emit(new RunEvent.MigrationRequested());
            }
            PostCopyStatus.Snapshot now = vm.postCopyStatus() == null ? null : vm.postCopyStatus().snapshot();
            if (now != null && postCopySaid != null && !postCopySaid.phase().last() && !now.sameCounts(postCopySaid)) postCopy(now);
        }

        /** A post-copy phase as it changes (said at once), or its counts as they change (sampled). */
        private synchronized void postCopy(PostCopyStatus.Snapshot now) {
            if (!started) progress(vm.pointsPassedSoFar());
            emit(new RunEvent.PostCopyProgress(now.role().word(), now.phase().word(), now.address(), now.pagesMoved(), now.pagesTotal(),
                    now.faultsServed(), now.phase().last() ? 0 : now.bytesPerSecondSince(postCopySaid)));
            postCopySaid = now;
        }

        synchronized void end(Outcome outcome) {
            progress(vm.pointsReached());
            if (outcome instanceof Outcome.Checkpointed c) {
                emit(new RunEvent.CheckpointWritten(c.dir().toAbsolutePath().toString(), bytes(c.dir()), c.pointsReached()));
            } else if (outcome instanceof Outcome.Trapped t) {
                FunctionSource.Place at = FunctionSource.of(imageDir, t.function());
                emit(new RunEvent.Trap(t.function(), at == null ? null : at.file(), at == null ? null : at.line(), t.message()));
            }
            emit(RunEvent.exitOf(outcome));
        }

        private static long bytes(Path dir) {
            long n = 0;
            for (String f : Checkpoint.ALL_FILES) {
                try {
                    n += Files.size(dir.resolve(f));
                } catch (IOException e) {
                    // a file this checkpoint does not have
                }
            }
            return n;
        }

        private void emit(RunEvent e) {
            out.println(e.toJson());
            out.flush();
        }
    }
}
