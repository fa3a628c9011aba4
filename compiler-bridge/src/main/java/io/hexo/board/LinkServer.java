package io.hexo.board;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The serving side of {@link HoldProtocol}, for the local {@link BoardHolder} (a Unix socket; its client
 * may name local files as input) and for the board's {@link BoardAgent} (loopback TCP behind a secret):
 * a thread per connection, each running one command through link. It leaves after idle seconds without
 * a command, at once on QUIT, and, when a client of another build comes, once its last client is done.
 */
final class LinkServer {
    /** What a connection must show before its request (the agent's secret); true to go on. */
    interface Gate {
        boolean admit(DataInputStream in) throws IOException;
    }

    private final ServerSocketChannel server;
    private final Gate gate;
    private final String build;
    private final BoardLink link;
    private final boolean localFiles;
    private final long idleSeconds;
    private final Runnable atLeave;
    private final AtomicInteger active = new AtomicInteger();
    private volatile long lastUsed = System.nanoTime();
    private volatile boolean retiring, contacted;
    private long firstContactSeconds = Long.MAX_VALUE / 2_000_000_000L;
    private Commands commands;

    /** The serving of a RUN request (a holder's; see {@link HoldProtocol}). */
    interface Commands {
        void serve(DataInputStream in, DataOutputStream out, Runnable close) throws IOException;
    }

    /** Serves RUN requests with commands (the agent serves none: a client of RUN gets no answer and falls back). */
    LinkServer commands(Commands commands) {
        this.commands = commands;
        return this;
    }

    /** build: the clients' build this server serves (null: any); localFiles: whether a client may send a file by its path. */
    LinkServer(ServerSocketChannel server, Gate gate, String build, BoardLink link, boolean localFiles, long idleSeconds, Runnable atLeave) {
        this.server = server;
        this.gate = gate;
        this.build = build;
        this.link = link;
        this.localFiles = localFiles;
        this.idleSeconds = idleSeconds;
        this.atLeave = atLeave;
    }

    /**
     * Leaves when nobody comes within seconds of its start (the agent: the holder that started it comes
     * within milliseconds, unless it was stopped in the meantime — then nobody ever will).
     */
    LinkServer firstContactWithin(long seconds) {
        firstContactSeconds = seconds;
        return this;
    }

    void serve() throws IOException {
        Thread idle = new Thread(this::watchIdle, "hexo-serve-idle");
        idle.setDaemon(true);
        idle.start();
        while (true) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!retiring) throw e;
                watchIdle(); // leaves once the last client is done
                return;
            }
            active.incrementAndGet();
            contacted = true;
            lastUsed = System.nanoTime();
            Thread t = new Thread(() -> {
                try (client) {
                    handle(client);
                } catch (IOException | RuntimeException e) {
                    // the client went away: its command was ended by the watch
                } finally {
                    lastUsed = System.nanoTime();
                    active.decrementAndGet();
                }
            }, "hexo-serve-client");
            t.setDaemon(true);
            t.start();
        }
    }

    private void handle(SocketChannel client) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(HoldProtocol.input(client), 1 << 16));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(HoldProtocol.output(client), 1 << 16));
        if (!gate.admit(in) || !HoldProtocol.MAGIC.equals(in.readUTF())) return;
        String theirs = in.readUTF();
        byte op = in.readByte();
        if (op == HoldProtocol.QUIT) leave(); // at once: a run followed through it learns it lost the connection
        if (op == HoldProtocol.RUN) {
            if (commands != null) {
                commands.serve(in, out, () -> {
                    try {
                        client.close();
                    } catch (IOException ignored) {
                        // closed already
                    }
                });
            }
            return;
        }
        if (build != null && !build.equals(theirs)) {
            // hexo was rebuilt since this one started: the new hexo starts one of its own
            HoldProtocol.writeFrame(out, HoldProtocol.STALE, "another build");
            retire();
            return;
        }
        if (op == HoldProtocol.INFO) {
            HoldProtocol.writeFrame(out, HoldProtocol.STATUS, link.hostKeyFingerprint());
            return;
        }
        if (op != HoldProtocol.CALL) return;
        String command = HoldProtocol.readString(in);
        byte kind = in.readByte();
        AtomicReference<Runnable> cancel = new AtomicReference<>();
        BoardLink.Input input = switch (kind) {
            case HoldProtocol.FILE_INPUT -> {
                Path file = Path.of(HoldProtocol.readString(in));
                long from = in.readLong();
                if (!localFiles) throw new IOException("a file by its path from another machine");
                yield BoardLink.Input.of(file, from, done -> progress(out, done));
            }
            // from the end of its input on, a client that goes away ends the command
            case HoldProtocol.STREAM_INPUT -> BoardLink.Input.of(HoldProtocol.framedInput(in, () -> watchForLeaving(in, cancel)));
            default -> null;
        };
        if (kind != HoldProtocol.STREAM_INPUT) watchForLeaving(in, cancel);
        try {
            Integer status = link.call(command, input, frames(out, HoldProtocol.OUT), frames(out, HoldProtocol.ERR), cancel::set);
            HoldProtocol.writeFrame(out, HoldProtocol.STATUS, String.valueOf(status == null ? -1 : status));
        } catch (IOException e) {
            HoldProtocol.writeFrame(out, HoldProtocol.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** A client that closes its connection before its command ended no longer wants it: it is ended. */
    private static void watchForLeaving(DataInputStream in, AtomicReference<Runnable> cancel) {
        Thread t = new Thread(() -> {
            try {
                while (in.read() >= 0) {
                    // a client sends nothing after its request
                }
            } catch (IOException ignored) {
                // as good as an end
            }
            Runnable c = cancel.get();
            if (c != null) c.run();
        }, "hexo-serve-watch");
        t.setDaemon(true);
        t.start();
    }

    private static void progress(DataOutputStream out, long done) {
        try {
            HoldProtocol.writeFrame(out, HoldProtocol.PROGRESS, String.valueOf(done));
        } catch (IOException ignored) {
            // the client went: the watch ends the command
        }
    }

    static OutputStream frames(DataOutputStream out, byte type) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                HoldProtocol.writeFrame(out, type, b, off, len);
            }
        };
    }

    private void watchIdle() {
        long idleNanos = idleSeconds * 1_000_000_000L;
        while (true) {
            try {
                Thread.sleep(retiring ? 20 : Math.min(1000, Math.max(100, idleNanos / 1_000_000 / 4)));
            } catch (InterruptedException e) {
                return;
            }
            long unused = System.nanoTime() - lastUsed;
            if (active.get() == 0 && (retiring || unused > idleNanos || !contacted && unused > firstContactSeconds * 1_000_000_000L)) leave();
        }
    }

    /** No new clients from now on; those there finish, then it leaves. */
    private void retire() {
        retiring = true;
        atLeave.run(); // its address goes now: the next client starts a new one
        try {
            server.close();
        } catch (IOException ignored) {
            // leaving anyway
        }
    }

    void leave() {
        if (!retiring) atLeave.run(); // a retired one's address was given up already, and may be a successor's by now
        Runtime.getRuntime().halt(0); // MINA's threads need not be asked: the connection closes with the process
    }
}
