package io.hexo.vmm.postcopy;

import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.memory.GuestMemory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The source of a post-copy migration: after the minimal checkpoint is written, the guest stays stopped
 * at its migration point, its memory untouched, and this serves its pages to the destination that shows
 * the migration's token. How it ends is decided in one place ({@link #state}, under this object's lock):
 * <ul>
 * <li>the destination's DONE: it holds every page; the job is its own (handed over), the source goes;
 * <li>no word from the destination for {@link Protocol#TAKE_BACK_AFTER_MS}, longer than the destination
 * keeps trying ({@link Protocol#RECONNECT_WINDOW_MS}), or the user's request: the source takes the job
 * back and runs the guest on itself; the session is fenced, so that a destination that comes back is
 * refused and stops, having let nothing out (it holds its effects until the hand-over).
 * </ul>
 * A dropped link before either changes nothing: the destination reconnects with the same session.
 */
public final class PageServer implements AutoCloseable {
    /** Where to listen (`--bind`, default loopback; `--port`, default 5050; 0 = any free port). */
    public record Settings(String bind, int port) {}

    /** How the migration ended for the source: handed over (the source goes) or taken back (the guest goes on here). */
    public record Ending(boolean takenBack, String sentence) {}

    private enum State { WAITING, SERVING, HANDED_OVER, TAKEN_BACK }

    /** What a destination asks for once the guest reached its migration point (set by {@link #serve}). */
    private record Point(Checkpoint minimal, ServedMemory memory, long reached) {}

    /** The file a destination started before the migration point (`--wait`) needs from the source: the token. */
    public static final String KEY_FILE = "postcopy.key";

    private final ServerSocket socket;
    private final String moduleId;
    private final Consumer<String> notices;
    private final PostCopyStatus status;
    /** Per migration, carried only by the minimal checkpoint: a stranger on the network cannot read guest memory. */
    private final String token = HexFormat.of().formatHex(random32());
    private final AtomicLong pagesServed = new AtomicLong(), requests = new AtomicLong(), bytesServed = new AtomicLong();
    private final Map<Integer, BitSet> served = new HashMap<>();
    private final Set<Socket> live = new HashSet<>();
    // Guarded by this.
    private State state = State.WAITING;
    private Point point;
    /** A destination's session holds this migration (the first HELLO); a waiting one that goes before the point lets go. */
    private boolean bound;
    private Socket waiter;
    private long session, lastHeard, handedOverAt;
    private boolean byeDelivered;
    private String ending;

    private PageServer(ServerSocket socket, String moduleId, Consumer<String> notices, PostCopyStatus status) {
        this.socket = socket;
        this.moduleId = moduleId;
        this.notices = notices;
        this.status = status;
    }

    private static byte[] random32() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /**
     * Binds (when the run starts, or at the latest before anything is written, so that a port in use is said
     * while the guest can still go on here) and accepts: a destination may connect and wait (WAIT) before
     * the migration point; pages are served once {@link #serve} has the minimal checkpoint.
     */
    static PageServer listen(PostCopyMode mode, String moduleId, Consumer<String> notices) throws IOException {
        Settings s = mode.serve();
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        try {
            ss.bind(new InetSocketAddress(InetAddress.getByName(s.bind()), s.port()));
        } catch (IOException e) {
            ss.close();
            throw new IOException("cannot listen on " + s.bind() + ":" + s.port() + " (" + e.getMessage() + ")");
        }
        PageServer server = new PageServer(ss, moduleId, notices, mode.status());
        Thread acceptor = new Thread(server::acceptLoop, "hexo-page-server");
        acceptor.setDaemon(true);
        acceptor.start();
        return server;
    }

    /**
     * The token, for a destination started before the migration point: DIR/{@value #KEY_FILE}, readable by
     * its owner only (the minimal checkpoint carries the same token once written).
     */
    void writeKey(java.nio.file.Path dir) throws IOException {
        java.nio.file.Path key = dir.resolve(KEY_FILE), tmp = dir.resolve(KEY_FILE + ".tmp");
        java.nio.file.Files.deleteIfExists(tmp);
        java.nio.file.Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        java.nio.file.Files.writeString(tmp, token + "\n");
        java.nio.file.Files.move(tmp, key, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** HOST:PORT as the destination should name it. */
    public String where() {
        InetAddress a = socket.getInetAddress();
        String host = a.isAnyLocalAddress() ? "127.0.0.1" : a.getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + socket.getLocalPort();
    }

    public Checkpoint.PostCopy migration() {
        return new Checkpoint.PostCopy(token, where());
    }

    /**
     * Serves the guest's pages (the regions of its minimal checkpoint) from guest memory until the
     * hand-over or the take-back; returns how it ended. reached: when the guest reached its migration point
     * (System.nanoTime), to say how long the guest was stopped before its pages could be had.
     */
    public Ending serve(Checkpoint minimal, GuestMemory memory, long linmemBase, long reached) {
        synchronized (this) {
            point = new Point(minimal, new ServedMemory(memory, linmemBase, minimal), reached);
            if (bound && state == State.WAITING) state = State.SERVING; // a destination waits: the take-back clock runs from now
            lastHeard = System.nanoTime();
            notifyAll();
        }
        long stoppedMicros = (System.nanoTime() - reached) / 1000;
        ServedMemory pages;
        synchronized (this) { pages = point.memory(); }
        status.enter(PostCopyStatus.Phase.SERVING, where(), new PostCopyStatus.Counts() {
            public long pagesMoved() { return pagesServed.get(); }

            public long pagesTotal() { return pages.pagesTotal(); }

            public long faultsServed() { return requests.get(); }

            public long bytesMoved() { return bytesServed.get(); }
        });
        notices.accept("hexo: post-copy: serving the guest's pages on " + where() + " (minimal checkpoint in " + minimal.dir() + ", written "
                + stoppedMicros + " us after the migration point); on the destination: hexo run --resume --full-chkpt-restore 0 --server "
                + where() + " (Ctrl-C here takes the job back)");
        synchronized (this) {
            while (true) {
                long now = System.nanoTime();
                if (state == State.HANDED_OVER && (byeDelivered || now - handedOverAt > ms(Protocol.RECONNECT_WINDOW_MS))) break;
                if (state == State.TAKEN_BACK) break;
                if (state != State.HANDED_OVER && status.takeBackRequested()) {
                    takeBack("as asked");
                } else if (state == State.SERVING && now - lastHeard > ms(Protocol.TAKE_BACK_AFTER_MS)) {
                    takeBack("after no word from its destination for " + Protocol.TAKE_BACK_AFTER_MS / 1000 + " s");
                } else {
                    try {
                        wait(100);
                    } catch (InterruptedException e) {
                        // the guest's pages must stay served until the hand-over: keep waiting
                    }
                }
            }
        }
        if (state == State.HANDED_OVER) {
            status.enter(PostCopyStatus.Phase.HANDED_OVER);
            close();
            return new Ending(false, ending);
        }
        status.enter(PostCopyStatus.Phase.TAKEN_BACK);
        return new Ending(true, ending);
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /**
     * The fence: from now on every hello for this migration is refused and the live connections are
     * closed, so the destination learns it at its next request. The listening socket stays open until
     * the process ends, to say so.
     */
    private synchronized void takeBack(String why) {
        state = State.TAKEN_BACK;
        ending = "hexo: post-copy: the source took the job back " + why + " (" + pagesServed.get() + " pages served in " + requests.get()
                + " requests); the guest goes on here from its migration point; a destination that comes back is refused, and a checkpoint a destination wrote of this migration must not be resumed";
        for (Socket s : live) closeQuietly(s);
        live.clear();
        notifyAll();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                return;
            }
            Thread t = new Thread(() -> connection(s), "hexo-page-server-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void connection(Socket s) {
        try (s; DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 20))) {
            s.setTcpNoDelay(true);
            Protocol.Message hello = Protocol.receive(in);
            String refusal = checkHello(hello, s);
            if (refusal != null) {
                Protocol.send(out, Protocol.REFUSED, Protocol.sentence(refusal));
                return;
            }
            Protocol.send(out, Protocol.WELCOME, Protocol.le(4).putInt(Protocol.VERSION).flip());
            while (true) {
                Protocol.Message m = Protocol.receive(in);
                if (m.type() == Protocol.WAIT) {
                    synchronized (this) { waiter = s; }
                    Point p = awaitPointWatching(s, in);
                    if (p == null) return;
                    sendMinimal(out, p);
                    continue;
                }
                Point p = awaitPoint(s);
                if (p == null || !heard()) return; // taken back meanwhile: the destination learns it when it says hello again
                if (m.type() == Protocol.GET && m.body().remaining() >= 16) {
                    ByteBuffer b = m.body();
                    int id = b.getInt(), region = b.getInt(), first = b.getInt(), count = b.getInt();
                    BitSet data = new BitSet();
                    ByteBuffer reply = p.memory().pages(id, region, first, count, data);
                    if (reply == null) {
                        Protocol.send(out, Protocol.REFUSED, Protocol.sentence("the destination asked for pages outside the guest's memory"));
                        return;
                    }
                    Protocol.send(out, Protocol.PAGES, reply);
                    countServed(region, first, data);
                    bytesServed.addAndGet(reply.limit());
                    requests.incrementAndGet();
                } else if (m.type() == Protocol.GET_MAP && m.body().remaining() >= 4) {
                    Protocol.send(out, Protocol.MAP, p.memory().map().encode(m.body().getInt()));
                } else if (m.type() == Protocol.DONE) {
                    int why = m.body().remaining() > 0 ? m.body().get() : Protocol.HOLDS_EVERY_PAGE;
                    if (!handOver(why)) {
                        Protocol.send(out, Protocol.REFUSED, Protocol.sentence(fenced()));
                        return;
                    }
                    Protocol.send(out, Protocol.BYE, null);
                    awaitClose(in);
                    return;
                } else {
                    return; // not our protocol: drop the connection, keep serving
                }
            }
        } catch (IOException e) {
            // a dropped link: the destination reconnects with its session; the pages stay here
        } finally {
            synchronized (this) {
                live.remove(s);
                if (waiter == s && point == null) bound = false; // it went before the point: another destination may wait
            }
        }
    }

    /** The migration point (the minimal checkpoint written), waited for; null when s or the server closed meanwhile. */
    private Point awaitPoint(Socket s) {
        return awaitPoint(s, Long.MAX_VALUE);
    }

    private synchronized Point awaitPoint(Socket s, long millis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(millis, 1L << 40));
        while (point == null && !s.isClosed() && !socket.isClosed() && System.nanoTime() < until) {
            try {
                wait(100);
            } catch (InterruptedException e) {
                return null;
            }
        }
        return point;
    }

    /**
     * The point, for a destination that waits (WAIT): woken at once when it comes, and every 100 ms a 1 ms
     * look whether the destination is still there — one that went (stopped, to be started again) lets its
     * session go, so that the next waiting destination is not refused as a second one. Null when it went.
     */
    private Point awaitPointWatching(Socket s, DataInputStream in) throws IOException {
        while (true) {
            Point p = awaitPoint(s, 100);
            if (p != null || s.isClosed() || socket.isClosed()) return p;
            s.setSoTimeout(1);
            try {
                in.read(); // nothing is due from a waiting destination: the end of its stream, or a peer to drop
                return null;
            } catch (java.net.SocketTimeoutException stillThere) {
                // waiting, as it should
            } finally {
                s.setSoTimeout(0);
            }
        }
    }

    /**
     * The minimal checkpoint to a destination that waits for it: each file in a FILE message, mdata.bin last,
     * each with the microseconds since the migration point (what the destination adds its own part to).
     */
    private void sendMinimal(DataOutputStream out, Point p) throws IOException {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (Checkpoint.FileEntry f : p.minimal().files()) names.add(f.name());
        names.add(Checkpoint.MANIFEST);
        // The source's part of the resume latency ends as the first file leaves; the destination counts from its arrival.
        long micros = (System.nanoTime() - p.reached()) / 1000;
        for (String name : names) {
            byte[] bytes = java.nio.file.Files.readAllBytes(p.minimal().dir().resolve(name));
            byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Protocol.send(out, Protocol.FILE, Protocol.le(4 + 2 + n.length + bytes.length).putInt((int) Math.min(micros, Integer.MAX_VALUE))
                    .putShort((short) n.length).put(n).put(bytes).flip());
        }
        notices.accept("hexo: post-copy: the minimal checkpoint went to the waiting destination " + micros + " us after the migration point (CLOCK_MONOTONIC "
                + p.reached() / 1000 + " us at the point)");
    }

    /** The commit point: from here on the job is the destination's, and the source never takes it back. */
    private synchronized boolean handOver(int why) {
        if (state == State.TAKEN_BACK) return false;
        if (state != State.HANDED_OVER) {
            state = State.HANDED_OVER;
            handedOverAt = System.nanoTime();
            ending = "hexo: post-copy hand-over: " + (why == Protocol.JOB_ENDED ? "the job ended on the destination"
                    : "the destination holds every page (in its memory)") + "; " + pagesServed.get() + " pages served in "
                    + requests.get() + " requests; the source is done, and the job is the destination's (running there or, if the destination heard no BYE,"
                    + " in the full checkpoint it wrote)";
        }
        notifyAll();
        return true;
    }

    /**
     * After BYE: the destination closes the connection once it has read it. Until then (or a while after
     * the link broke) the source stays, so that a destination whose BYE was lost hears it again.
     */
    private void awaitClose(DataInputStream in) {
        try {
            while (in.read() >= 0) {
                // nothing more is expected
            }
            synchronized (this) {
                byeDelivered = true;
                notifyAll();
            }
        } catch (IOException e) {
            // broken: the destination may come back within its window and say DONE again
        }
    }

    /** A message from the session's destination: the take-back clock starts again. False once taken back. */
    private synchronized boolean heard() {
        if (state == State.TAKEN_BACK) return false;
        lastHeard = System.nanoTime();
        return true;
    }

    private String fenced() {
        return "the source at " + where() + " took this migration's job back and runs the guest on itself: a destination may not resume it";
    }

    /** Pages of the data extents served at least once (a page sent again after a dropped link counts once). */
    private void countServed(int region, int first, BitSet data) {
        synchronized (served) {
            BitSet bits = served.computeIfAbsent(region, r -> new BitSet());
            for (int i = data.nextSetBit(0); i >= 0; i = data.nextSetBit(i + 1)) {
                if (!bits.get(first + i)) {
                    bits.set(first + i);
                    pagesServed.incrementAndGet();
                }
            }
        }
    }

    /** Why a hello is refused (one sentence, sent to the destination), or null when s now serves the session. */
    private synchronized String checkHello(Protocol.Message m, Socket s) {
        String other = "this is a hexo post-copy page server; the peer spoke another protocol";
        if (m.type() != Protocol.HELLO || m.body().remaining() < 4) return other;
        ByteBuffer b = m.body();
        int version = b.getInt();
        // The version first, whatever the rest looks like: another version's HELLO may be laid out differently.
        if (version != Protocol.VERSION) return Protocol.versionRefusal(where(), Protocol.VERSION, version);
        if (b.remaining() < 64 + 64 + 8) return other;
        String pair = Protocol.ascii(b, 64), tok = Protocol.ascii(b, 64);
        long sess = b.getLong();
        if (!pair.equals(moduleId)) {
            return "the page server at " + where() + " serves another program (module " + moduleId.substring(0, 12) + ", not " + pair.substring(0, Math.min(12, pair.length()))
                    + "): point --server at the source of this migration";
        }
        if (!MessageDigest.isEqual(tok.getBytes(), token.getBytes())) {
            return "the page server at " + where() + " refused the token: it belongs to another migration (take the minimal checkpoint this source wrote)";
        }
        if (state == State.TAKEN_BACK) return fenced();
        if (bound && sess != session) {
            return point == null ? "another destination already waits for this migration: only one side may run the guest"
                    : "another destination already resumed this migration: only one side may run the guest";
        }
        bound = true;
        if (state == State.WAITING && point != null) state = State.SERVING;
        session = sess;
        lastHeard = System.nanoTime();
        live.add(s);
        return null;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** Stops listening, unless the job was taken back: then the socket stays to refuse a returning destination until the process ends. */
    @Override
    public void close() {
        status.arm(false); // a source that never served (its checkpoint failed) runs on: Ctrl-C ends hexo again
        synchronized (this) {
            if (state == State.TAKEN_BACK) return;
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing was written through it
        }
    }
}
