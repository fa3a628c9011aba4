package io.hexo.vmm.postcopy;

import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.checkpoint.CheckpointException;
import io.hexo.vmm.checkpoint.CheckpointPages;
import io.hexo.vmm.checkpoint.CheckpointReader;
import io.hexo.vmm.checkpoint.CheckpointWriter;
import io.hexo.vmm.loader.ImageInfo;
import io.hexo.vmm.memory.GuestMemory;
import io.hexo.vmm.memory.PageSource;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * The destination of a post-copy migration: pages from the source's page server, asked for by page number
 * (each answer says which pages are zero and carries the CRCs of the others, which {@link CheckpointPages}
 * checks). The guest resumes knowing no page; the prefetcher's first request is the source's map of the pages
 * that hold data ({@link #beforePrefetch}), after which the rest are zero here without asking.
 * A dropped link is retried (the way QEMU's postcopy recovery reconnects) with the same session, so the
 * source knows it is still the one destination, for {@link Protocol#RECONNECT_WINDOW_MS} after the last
 * request the source answered; the source takes the job back only after a longer silence. The guest's
 * effects wait for the hand-over ({@link #holdEffectsUntilAllRead}), so a destination that stops —
 * its source gone, or fenced off because the source took the job back — has let nothing out.
 *
 * <p>Every page received is also kept, as it was at the migration point, in a memory of its own ({@link #kept}):
 * if the source's answer to DONE never comes, this side cannot know whether the job became its own, and
 * writes the job's full checkpoint from those pages instead of discarding them ({@link #keepTheJob}).
 *
 * <p>Two connections of the one session: a fault takes whichever is free, so it does not queue behind
 * the prefetcher's request in flight on the other.
 */
public final class RemotePages implements CheckpointPages.Fetch {
    private static final int CONNECT_TIMEOUT_MS = 2000, READ_TIMEOUT_MS = 4000;

    private final String host;
    private final int port;
    private final Checkpoint cp;
    private final ImageInfo info;
    private final PostCopyStatus status;
    /**
     * Linear memory as it was at the migration point (offset = linear address), the pages that hold data
     * written as they arrive: the guest changes its own copy at once, and a checkpoint needs this one.
     */
    private final GuestMemory kept;
    /** The source said REFUSED: it took the job back (or never was ours), so nothing is kept. */
    private volatile boolean refused;
    private boolean keptClosed; // guarded by kept
    private final long session;
    private final Channel[] channels = {new Channel(), new Channel()};
    private final java.util.concurrent.atomic.AtomicInteger nextId = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean handedOver;
    /** When the last request the source answered was sent (System.nanoTime): the reconnection window starts there. */
    private volatile long answeredRequestSentAt;
    private volatile long reconnects;
    /** The hand-over went unanswered and the job's full checkpoint was written and verified ({@link #keepTheJob}). */
    private boolean keptInCheckpoint;
    /** The source's map of the pages that hold data; null until it came (every page is asked for meanwhile). */
    private volatile DataExtents map;
    /** How long the prefetcher waited for the map (ns), -1 before it came. */
    private volatile long mapNanos = -1;

    /** One connection to the page server; used by one thread at a time (its lock). */
    private static final class Channel {
        final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
        Socket socket;
        DataInputStream in;
        DataOutputStream out;
        boolean everOpen;
    }

    private RemotePages(String host, int port, Checkpoint cp, ImageInfo info, PostCopyStatus status, long session) {
        this.session = session;
        this.host = host;
        this.port = port;
        this.cp = cp;
        this.info = info;
        this.status = status;
        this.kept = GuestMemory.allocate(Math.max(cp.linmemSize(), 4096));
    }

    /** One request and its answer on a connection. */
    private interface Exchange<T> {
        T run(DataInputStream in, DataOutputStream out) throws IOException, PageSource.Failed;
    }

    /** Connects and says hello before the guest runs: a wrong token, program or version is refused now, in one sentence. */
    public static RemotePages connect(PostCopyMode mode, Checkpoint cp, ImageInfo info) throws PageSource.Failed {
        InetSocketAddress at = address(mode.server());
        String host = at.getHostString();
        int port = at.getPort();
        RemotePages r = new RemotePages(host, port, cp, info, mode.status(), new SecureRandom().nextLong());
        try {
            r.answeredRequestSentAt = System.nanoTime();
            r.open(r.channels[0]);
            r.channels[0].everOpen = true;
        } catch (PageSource.Failed | RuntimeException e) {
            r.kept.close();
            throw e;
        } catch (IOException e) {
            r.kept.close();
            throw new PageSource.Failed("cannot reach the page server at " + host + ":" + port + " (" + e.getMessage()
                    + "): start the source with --full-chkpt-save 0, or check --server");
        }
        return r;
    }

    /**
     * A destination that waited (`--wait`): the connection it waited on, already past HELLO, becomes the
     * first of its session's two.
     */
    static RemotePages adopt(InetSocketAddress at, Checkpoint cp, ImageInfo info, PostCopyStatus status, long session,
                             Socket s, DataInputStream in, DataOutputStream out) {
        RemotePages r = new RemotePages(at.getHostString(), at.getPort(), cp, info, status, session);
        Channel c = r.channels[0];
        c.socket = s;
        c.in = in;
        c.out = out;
        c.everOpen = true;
        r.answeredRequestSentAt = System.nanoTime();
        return r;
    }

    /** --server HOST[:PORT] (port 5050 when left out), unresolved. */
    static InetSocketAddress address(String server) throws PageSource.Failed {
        int colon = server.lastIndexOf(':');
        String host = server;
        int port = 5050;
        if (colon > 0 && server.indexOf(':') == colon) {
            host = server.substring(0, colon);
            try {
                port = Integer.parseInt(server.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        if (port < 0 || port > 65535) throw new PageSource.Failed("--server " + server + " is not HOST[:PORT]: give e.g. --server 127.0.0.1:5050");
        return InetSocketAddress.createUnresolved(host, port);
    }

    public String server() { return host + ":" + port; }

    public long reconnects() { return reconnects; }

    private void open(Channel c) throws IOException, PageSource.Failed {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            s.setTcpNoDelay(true);
            s.setSoTimeout(READ_TIMEOUT_MS);
            DataInputStream i = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 20));
            DataOutputStream o = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
            Protocol.send(o, Protocol.HELLO, Protocol.hello(Protocol.VERSION, cp.moduleId(), cp.postCopy().token(), session));
            Protocol.Message m = Protocol.receive(i);
            if (m.type() == Protocol.REFUSED) {
                refused = true;
                throw new PageSource.Failed(Protocol.sentence(m.body()));
            }
            if (m.type() != Protocol.WELCOME) throw new IOException("the server at " + server() + " does not speak hexo's post-copy protocol");
            Protocol.checkWelcome(m, server());
            c.socket = s;
            c.in = i;
            c.out = o;
        } catch (IOException | PageSource.Failed | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** A (re)connection: a refusal now means the source fenced this migration off (it took the job back). */
    private void reopen(Channel c) throws IOException, PageSource.Failed {
        try {
            open(c);
        } catch (PageSource.Failed refused) {
            throw new PageSource.Failed(refused.getMessage() + "; this run stops here, having let nothing out");
        }
        if (c.everOpen) reconnects++;
        c.everOpen = true;
    }

    /** A free connection (a fault finds the one the prefetcher is not using), locked; or the first one once free. */
    private Channel acquire() {
        for (Channel c : channels) if (c.lock.tryLock()) return c;
        channels[0].lock.lock();
        return channels[0];
    }

    /**
     * Runs op on a connection, reconnecting after a dropped link until the window since the last answered
     * request has passed (one more try is always made, so a source that took the job back is heard saying so).
     */
    private <T> T exchange(Exchange<T> op) throws PageSource.Failed {
        return exchange(op, true);
    }

    /** lostIsLast false: the caller says how it ended (the hand-over: the job may be kept in a full checkpoint). */
    private <T> T exchange(Exchange<T> op, boolean lostIsLast) throws PageSource.Failed {
        Channel c = acquire();
        IOException last = null;
        try {
            for (int attempt = 0; ; attempt++) {
                long sent = System.nanoTime();
                try {
                    if (c.socket == null) {
                        pause(attempt);
                        reopen(c);
                    }
                    T answer = op.run(c.in, c.out);
                    answeredRequestSentAt = Math.max(answeredRequestSentAt, sent);
                    return answer;
                } catch (IOException e) {
                    last = e;
                    drop(c);
                }
                if (System.nanoTime() - answeredRequestSentAt > TimeUnit.MILLISECONDS.toNanos(Protocol.RECONNECT_WINDOW_MS)) {
                    throw new PageSource.Failed("the page server at " + server() + " is gone (no answer for " + Protocol.RECONNECT_WINDOW_MS / 1000
                            + " s: " + (last == null ? "?" : last.getMessage()) + "); this run stops here, having let nothing out, and the source takes the job back");
                }
            }
        } catch (PageSource.Failed e) {
            drop(c);
            if (lostIsLast) status.enter(PostCopyStatus.Phase.LOST);
            throw e;
        } finally {
            c.lock.unlock();
        }
    }

    /** Pages travel by page number ({@link #fetchPages}), never by their place in a checkpoint file's index. */
    @Override
    public void fetch(int region, int first, int count, ByteBuffer dst) throws IOException {
        throw new IOException("a post-copy migration's pages are fetched by page number");
    }

    @Override
    public void fetchPages(int region, int firstPage, int count, ByteBuffer dst, int[] lengths, int[] crcs) throws PageSource.Failed {
        int start = dst.position();
        exchange((in, out) -> {
            int id = nextId.getAndIncrement();
            dst.position(start);
            Protocol.send(out, Protocol.GET, Protocol.le(16).putInt(id).putInt(region).putInt(firstPage).putInt(count).flip());
            Protocol.Message m = Protocol.receive(in);
            if (m.type() == Protocol.REFUSED) {
                refused = true;
                throw new PageSource.Failed("the page server at " + server() + " refused: " + Protocol.sentence(m.body()));
            }
            ByteBuffer b = m.body();
            if (m.type() != Protocol.PAGES || b.remaining() < 4 + 8L * count || b.getInt() != id) throw new IOException("a garbled answer");
            long bytes = 0;
            for (int i = 0; i < count; i++) {
                lengths[i] = b.getInt();
                crcs[i] = b.getInt();
                if (lengths[i] < 0 || lengths[i] > Protocol.PAGE) throw new IOException("a garbled answer");
                bytes += lengths[i];
            }
            if (b.remaining() != bytes || bytes > dst.remaining()) throw new IOException("a garbled answer");
            dst.put(b);
            keep(region, firstPage, count, dst, start, lengths);
            return null;
        });
    }

    /**
     * The prefetcher's first request: the map of the pages that hold data (the guest already runs, asking for
     * whatever it touches). From then on pages outside it are zero here without asking, and only the data
     * extents are fetched.
     */
    @Override
    public void beforePrefetch() throws PageSource.Failed {
        long asked = System.nanoTime();
        map = exchange((in, out) -> {
            int id = nextId.getAndIncrement();
            Protocol.send(out, Protocol.GET_MAP, Protocol.le(4).putInt(id).flip());
            Protocol.Message m = Protocol.receive(in);
            if (m.type() == Protocol.REFUSED) {
                refused = true;
                throw new PageSource.Failed("the page server at " + server() + " refused: " + Protocol.sentence(m.body()));
            }
            ByteBuffer b = m.body();
            if (m.type() != Protocol.MAP || b.remaining() < 4 || b.getInt() != id) throw new IOException("a garbled answer");
            return DataExtents.decode(b, cp.linmemSize());
        });
        mapNanos = System.nanoTime() - asked;
    }

    @Override
    public boolean mayHoldData(long from, long to) {
        DataExtents m = map;
        return m == null || m.overlaps(from, to);
    }

    /** "the source's map (N extents) came M ms after the guest resumed", or that it never came. */
    public String mapSaid() {
        DataExtents m = map;
        return m == null ? "no map from the source" : "the source's map of data pages (" + m.count() + " extents) in " + mapNanos / 1_000_000 + " ms";
    }

    /** The pages of one answer, as they were at the migration point, into {@link #kept} (zero pages stay holes). */
    private void keep(int region, int firstPage, int count, ByteBuffer dst, int start, int[] lengths) {
        long at = cp.regions().get(region).start() + (long) firstPage * Protocol.PAGE;
        synchronized (kept) {
            if (keptClosed) return;
            for (int i = 0, pos = start; i < count; i++, at += Protocol.PAGE) {
                if (lengths[i] == 0) continue;
                kept.install(at, dst.duplicate().position(pos).limit(pos + lengths[i]));
                pos += lengths[i];
            }
        }
    }

    /** The kept pages are needed no more (handed over, taken back, or written to the full checkpoint). */
    private void closeKept() {
        synchronized (kept) {
            keptClosed = true;
            kept.close();
        }
    }

    /**
     * DONE went out and no BYE came back within the window: the source may have taken DONE (then the job
     * is this side's, and the source is gone) or not (then it takes the job back). Neither side may run the
     * guest on without knowing, and the job must not be lost: this side writes the job's full checkpoint
     * (the migration point: the minimal checkpoint's thread and files with the kept pages) the normal way —
     * atomic, forced to disk, verified — and says under which condition it is the job. Returns that sentence.
     */
    private String keepTheJob() {
        Path dir = cp.dir();
        String unanswered = "the page server at " + server() + " did not answer the hand-over (no BYE within " + Protocol.RECONNECT_WINDOW_MS / 1000
                + " s of DONE), so this run cannot know whether the job became its own: it stops here, having let nothing out";
        try {
            CheckpointReader.ThreadState t = CheckpointReader.thread(cp);
            CheckpointWriter.write(dir, kept, info, new CheckpointWriter.State(cp.isa(), cp.engine(), 0, cp.linmemSize(), t.globals(),
                    t.asyncifyData(), t.control(), t.pointsReached(), cp.openFiles()));
            CheckpointReader.verify(dir, info.moduleId());
            keptInCheckpoint = true;
        } catch (CheckpointException | IOException | RuntimeException e) {
            return unanswered + ", and could not write the job's full checkpoint to " + dir + " (" + e.getMessage()
                    + "): if the source said it took the job back, the job runs there; if it said \"post-copy hand-over\", the job is lost";
        }
        return unanswered + ", holding every page: the job's full checkpoint (at its migration point) is in " + dir
                + ": if the source said \"post-copy hand-over\", the job is this checkpoint's — go on with hexo run --resume --checkpoint-dir " + dir
                + " and this run's image (without --full-chkpt-restore 0 and --server); if it said \"took the job back\", the source runs it, and this checkpoint must not be resumed";
    }

    private static void pause(int attempt) {
        if (attempt == 0) return;
        try {
            Thread.sleep(Math.min(1000, 50L << Math.min(attempt - 1, 5)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void drop(Channel c) {
        if (c.socket != null) {
            try {
                c.socket.close();
            } catch (IOException ignored) {
                // already broken
            }
        }
        c.socket = null;
    }

    /** 256 KiB per request: a fault behind a prefetch batch waits about a millisecond on a LAN, not a 4 MiB transfer. */
    @Override
    public int prefetchBlocks() { return 4; }

    /**
     * Every page is here: DONE, and the source's BYE makes the job this side's (handed over); only then may
     * the guest's effects leave. A source that took the job back meanwhile refuses, and this side stops.
     */
    @Override
    public synchronized void allRead() throws PageSource.Failed {
        if (handedOver) return;
        try {
            handOver();
        } catch (PageSource.Failed e) {
            if (refused) { // the source took the job back: it runs it, nothing is to be kept here
                status.enter(PostCopyStatus.Phase.LOST);
                throw e;
            }
            String said = keepTheJob();
            status.enter(keptInCheckpoint ? PostCopyStatus.Phase.UNCONFIRMED : PostCopyStatus.Phase.LOST);
            throw new PageSource.Failed(said);
        } finally {
            closeKept();
        }
        handedOver = true;
        close(); // the source waits for this close to know its BYE arrived
        status.enter(PostCopyStatus.Phase.HANDED_OVER);
    }

    /** DONE, answered by BYE (the job is this side's) or REFUSED (the source took it back). */
    private void handOver() throws PageSource.Failed {
        exchange((in, out) -> {
            Protocol.send(out, Protocol.DONE, Protocol.le(1).put((byte) Protocol.HOLDS_EVERY_PAGE).flip());
            Protocol.Message m = Protocol.receive(in);
            if (m.type() == Protocol.REFUSED) {
                refused = true;
                throw new PageSource.Failed("the page server at " + server() + " refused the hand-over: " + Protocol.sentence(m.body())
                        + "; this run stops here, having let nothing out");
            }
            if (m.type() != Protocol.BYE) throw new IOException("a garbled answer");
            return null;
        }, false);
    }

    public boolean handedOver() { return handedOver; }

    @Override
    public void close() {
        closeKept();
        for (Channel c : channels) {
            c.lock.lock();
            try {
                drop(c);
            } finally {
                c.lock.unlock();
            }
        }
    }
}
