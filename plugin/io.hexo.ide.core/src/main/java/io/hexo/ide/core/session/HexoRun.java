package io.hexo.ide.core.session;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

import io.hexo.vmm.run.RunEvent;

/**
 * One {@code hexo run} child process of a {@link GuestSession}: its output pumped into the session's Console, its event
 * stream followed, and what those events said about it. A session has one at a time, except during a post-copy
 * migration, when the source serves its pages while the destination already runs the guest on.
 */
final class HexoRun {
    final String isa;
    /** The SSH board it runs on (hexo run --board), or null on this host. */
    final String board;
    final Path checkpointDir;
    final RunSpec.PostCopyPart part;
    final Process process;
    private final Path eventsFile;
    private final List<Thread> pumps = new ArrayList<>();
    private final EventTail tail;

    /** The engine hexo named in this run's started event (hexo chooses; the IDE only reports). */
    volatile String engineNamed;
    /** hexo's JVM, from the started event: the process SIGUSR1 migrates. */
    volatile long hexoPid = -1;
    /** A post-copy source's page server, from its serving event: the session starts the destination then. */
    volatile String servingAt;
    volatile boolean destinationStarted;
    /** The reason word of this run's exit event (exited, trapped, checkpointed, failed), or null before it. */
    volatile String exitReason;

    /** Starts {@code cmd} (which writes its events to {@code eventsFile}) in {@code workDir}; events go to {@code onEvent} in order. */
    HexoRun(String isa, String board, Path checkpointDir, RunSpec.PostCopyPart part, List<String> cmd, Path eventsFile, Path workDir,
            String name, BiConsumer<HexoRun, RunEvent> onEvent) throws IOException {
        this.isa = isa;
        this.board = board;
        this.checkpointDir = checkpointDir;
        this.part = part;
        this.eventsFile = eventsFile;
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        process = pb.start();
        tail = new EventTail(eventsFile, e -> onEvent.accept(this, e), name);
    }

    /** Follows its events and its output (stdout: the guest's; stderr: hexo's words and the guest's stderr). */
    void start(ChainStreamMonitor out, ChainStreamMonitor err) {
        tail.start();
        pumps.add(pump(process.getInputStream(), out, "hexo stdout"));
        pumps.add(pump(process.getErrorStream(), err, "hexo stderr"));
    }

    /** After the process ended: its last output and events, then the events file goes. */
    void drain() throws InterruptedException {
        for (Thread t : pumps) {
            t.join(5000);
        }
        tail.finish();
        try {
            Files.deleteIfExists(eventsFile);
        } catch (IOException e) {
            // a temporary file: the system's cleaner gets it
        }
    }

    /** SIGTERM to hexo and what it started. */
    void destroy() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }

    /** A thread that copies a child's stream into a Console stream until the child closes it. */
    static Thread pump(InputStream in, ChainStreamMonitor monitor, String name) {
        Thread t = new Thread(() -> {
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                char[] buf = new char[8192];
                int n;
                while ((n = r.read(buf)) >= 0) {
                    monitor.append(new String(buf, 0, n));
                }
            } catch (IOException e) {
                // process gone
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
