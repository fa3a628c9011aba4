package io.hexo.board;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A whole hexo command run inside a {@link BoardHolder} for the `hexo` launcher's native client
 * (resources/client/hexo-board-client.c), so that a warm `hexo run --board` starts no JVM here: the
 * client sends its argv, working directory and environment, relays the command's output, Ctrl-C,
 * SIGTERM and SIGUSR1, and exits with the command's status. While the command runs, its thread (and
 * the threads it starts) see this as {@link #current()}: their System.out and System.err are the
 * client's, relative paths are the client's, and signal handlers and exits go to the client instead of
 * this process.
 */
public final class HeldCommand {
    /** What runs the command (the CLI, which this package must not depend on). */
    public interface Runner {
        /** Whether this holder can run argv for the board it holds (else the client runs hexo's JVM). */
        boolean serves(List<String> argv, String board);

        /** Runs argv as `hexo ARGV...` would, its output on System.out/err; its exit status. */
        int run(List<String> argv);
    }

    /** Thrown in the command's thread by {@link #exit}: the command ends there. */
    public static final class Exit extends RuntimeException {
        Exit() {
            super(null, null, false, false);
        }
    }

    private static final InheritableThreadLocal<HeldCommand> CURRENT = new InheritableThreadLocal<>();
    private static final Object INSTALL = new Object();
    private static volatile boolean routed;

    private final Path cwd;
    private final Map<String, String> env;
    final PrintStream out, err;
    private final Map<String, Runnable> handlers = new ConcurrentHashMap<>();
    private final List<Runnable> cancels = new CopyOnWriteArrayList<>();
    private final java.util.function.IntConsumer finish;
    private volatile boolean done;
    private volatile Thread commandThread;

    HeldCommand(Path cwd, Map<String, String> env, PrintStream out, PrintStream err, java.util.function.IntConsumer finish) {
        this.cwd = cwd;
        this.env = env;
        this.out = out;
        this.err = err;
        this.finish = finish;
    }

    /** The command this thread runs for a native client, or null in a hexo process of its own. */
    public static HeldCommand current() {
        return CURRENT.get();
    }

    /** The client's working directory (relative paths of its command line are resolved against it). */
    public Path cwd() {
        return cwd;
    }

    /** The client's environment. */
    public Map<String, String> env() {
        return env;
    }

    /** What to do on the client's signal: "INT", "TERM" or "USR1" (as sun.misc.Signal.handle locally). */
    public void onSignal(String name, Runnable handler) {
        handlers.put(name, handler);
    }

    /**
     * The client exits with status now (as System.exit would end a hexo of its own); the command's work
     * on the board is cancelled. Never returns when called from the command's own thread.
     */
    public void exit(int status) {
        end(status);
        if (Thread.currentThread() == commandThread) throw new Exit();
    }

    /** Runs the command with this context in the calling thread; its status. */
    int runIn(Runner runner, List<String> argv) {
        installRouting();
        commandThread = Thread.currentThread();
        CURRENT.set(this);
        try {
            return runner.run(argv);
        } catch (Exit e) {
            return -1;
        } finally {
            CURRENT.remove();
        }
    }

    /** A signal from the client: its handler, else what a JVM does by default (INT and TERM end it). */
    void signal(String name) {
        Runnable h = handlers.get(name);
        if (h != null) {
            CURRENT.set(this); // what the handler prints goes to the client
            try {
                h.run();
            } finally {
                CURRENT.remove();
            }
        } else if (!name.equals("USR1")) {
            end(name.equals("INT") ? 130 : 143);
        }
    }

    /**
     * o, writing as this command's threads do from any thread: MINA delivers an exec channel's output
     * from its own I/O threads, which are no threads of the command (System.out there is the holder's).
     */
    java.io.OutputStream bind(java.io.OutputStream o) {
        return new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                HeldCommand was = CURRENT.get();
                CURRENT.set(HeldCommand.this);
                try {
                    o.write(b, off, len);
                } finally {
                    CURRENT.set(was);
                }
            }

            @Override
            public void flush() throws java.io.IOException {
                HeldCommand was = CURRENT.get();
                CURRENT.set(HeldCommand.this);
                try {
                    o.flush();
                } finally {
                    CURRENT.set(was);
                }
            }
        };
    }

    /** Work on the board to stop when the client goes (the channels of the command's calls). */
    void onCancel(Runnable cancel) {
        if (done) cancel.run();
        else cancels.add(cancel);
    }

    /** The client went, or was told to exit: whatever the command still does on the board stops. */
    void end(int status) {
        synchronized (this) {
            if (done) return;
            done = true;
        }
        if (status >= 0) finish.accept(status);
        for (Runnable c : cancels) c.run();
    }

    boolean done() {
        return done;
    }

    /**
     * System.out and System.err become streams that write to the current command's client, or where
     * they wrote before for the holder's own threads (its log).
     */
    private static void installRouting() {
        synchronized (INSTALL) {
            if (routed) return;
            System.setOut(new PrintStream(new Routed(System.out, true), true));
            System.setErr(new PrintStream(new Routed(System.err, false), true));
            routed = true;
        }
    }

    private static final class Routed extends java.io.OutputStream {
        private final PrintStream own;
        private final boolean isOut;

        Routed(PrintStream own, boolean isOut) {
            this.own = own;
            this.isOut = isOut;
        }

        private PrintStream target() {
            HeldCommand c = CURRENT.get();
            return c == null ? own : isOut ? c.out : c.err;
        }

        @Override
        public void write(int b) {
            target().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            target().write(b, off, len);
        }

        @Override
        public void flush() {
            target().flush();
        }
    }
}
