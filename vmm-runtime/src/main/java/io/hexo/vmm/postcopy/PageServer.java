package io.hexo.vmm.postcopy;

import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.checkpoint.CheckpointPages;
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
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The source of a post-copy migration: after the minimal checkpoint is written, the guest stays stopped
 * at its migration point, its memory untouched, and this serves its pages to the destination that shows
 * the migration's token — until that destination says it holds every page (or that the job ended there).
 * Only then does the source let go. A dropped link changes nothing here: the destination reconnects with
 * the same session; another session is refused, so only one destination ever runs the guest on.
 */
public final class PageServer implements AutoCloseable {
    /** Where to listen (`--bind`, default loopback; `--port`, default 5050; 0 = any free port). */
    public record Settings(String bind, int port) {}

    private final ServerSocket socket;
    private final Consumer<String> notices;
    /** Per migration, carried only by the minimal checkpoint: a stranger on the network cannot read guest memory. */
    private final String token = HexFormat.of().formatHex(random32());
    private final CountDownLatch handedOver = new CountDownLatch(1);
    private final AtomicLong pagesServed = new AtomicLong(), requests = new AtomicLong(), bytesServed = new AtomicLong();
    private final PostCopyStatus status;
    private final java.util.Map<Integer, java.util.BitSet> served = new java.util.HashMap<>();
    private volatile long session;
    private volatile boolean sessionTaken;
    private volatile String ending;

    private PageServer(ServerSocket socket, Consumer<String> notices, PostCopyStatus status) {
        this.socket = socket;
        this.notices = notices;
        this.status = status;
    }

    private static byte[] random32() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** Binds before anything is written, so that a port in use is said while the guest can still go on here. */
    public static PageServer listen(PostCopyMode mode, Consumer<String> notices) throws IOException {
        Settings s = mode.serve();
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        try {
            ss.bind(new InetSocketAddress(InetAddress.getByName(s.bind()), s.port()));
        } catch (IOException e) {
            ss.close();
            throw new IOException("cannot listen on " + s.bind() + ":" + s.port() + " (" + e.getMessage() + ")");
        }
        return new PageServer(ss, notices, mode.status());
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
     * Serves pages of the minimal checkpoint (its index says which pages hold data) from guest memory
     * until the hand-over; returns the sentence that says how it ended.
     */
    public String serve(CheckpointPages index, GuestMemory memory, long linmemBase) {
        notices.accept("hexo: post-copy: serving the guest's pages on " + where() + " (minimal checkpoint in " + index.checkpoint().dir()
                + "); on the destination: hexo run --resume --full-chkpt-restore 0 --server " + where());
        long stored = index.checkpoint().regions().stream().mapToLong(Checkpoint.Region::pagesStored).sum();
        status.enter(PostCopyStatus.Phase.SERVING, where(), new PostCopyStatus.Counts() {
            public long pagesMoved() { return pagesServed.get(); }

            public long pagesTotal() { return stored; }

            public long faultsServed() { return requests.get(); }

            public long bytesMoved() { return bytesServed.get(); }
        });
        Thread acceptor = new Thread(() -> acceptLoop(index, memory, linmemBase), "hexo-page-server");
        acceptor.setDaemon(true);
        acceptor.start();
        while (true) {
            try {
                handedOver.await();
                break;
            } catch (InterruptedException e) {
                // the guest's pages must stay served until the hand-over: keep waiting
            }
        }
        close();
        return ending;
    }

    private void acceptLoop(CheckpointPages index, GuestMemory memory, long linmemBase) {
        while (!socket.isClosed()) {
            Socket s;
            try {
                s = socket.accept();
            } catch (IOException e) {
                return;
            }
            Thread t = new Thread(() -> connection(s, index, memory, linmemBase), "hexo-page-server-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void connection(Socket s, CheckpointPages index, GuestMemory memory, long linmemBase) {
        try (s; DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 20))) {
            s.setTcpNoDelay(true);
            Protocol.Message hello = Protocol.receive(in);
            String refusal = checkHello(hello, index.checkpoint().moduleId());
            if (refusal != null) {
                Protocol.send(out, Protocol.REFUSED, Protocol.sentence(refusal));
                return;
            }
            Protocol.send(out, Protocol.WELCOME, Protocol.le(4).putInt(Protocol.VERSION).flip());
            while (true) {
                Protocol.Message m = Protocol.receive(in);
                if (m.type() == Protocol.GET) {
                    ByteBuffer b = m.body();
                    int id = b.getInt(), region = b.getInt(), first = b.getInt(), count = b.getInt();
                    ByteBuffer pages = pages(index, memory, linmemBase, region, first, count);
                    if (pages == null) {
                        Protocol.send(out, Protocol.REFUSED, Protocol.sentence("the destination asked for pages the minimal checkpoint does not list"));
                        return;
                    }
                    ByteBuffer reply = Protocol.le(4 + pages.remaining()).putInt(id).put(pages).flip();
                    Protocol.send(out, Protocol.PAGES, reply);
                    countServed(region, first, count);
                    bytesServed.addAndGet(reply.limit() - 4);
                    requests.incrementAndGet();
                } else if (m.type() == Protocol.DONE) {
                    int why = m.body().remaining() > 0 ? m.body().get() : Protocol.HOLDS_EVERY_PAGE;
                    Protocol.send(out, Protocol.BYE, null);
                    ending = "hexo: post-copy hand-over: " + (why == Protocol.JOB_ENDED ? "the job ended on the destination"
                            : "the destination holds every page (in its memory)") + "; " + pagesServed.get() + " pages served in "
                            + requests.get() + " requests; the source is done";
                    status.enter(PostCopyStatus.Phase.HANDED_OVER);
                    handedOver.countDown();
                    return;
                } else {
                    return; // not our protocol: drop the connection, keep serving
                }
            }
        } catch (IOException e) {
            // a dropped link: the destination reconnects with its session; the pages stay here
        }
    }

    /** Pages served at least once (a page sent again after a dropped link counts once). */
    private void countServed(int region, int first, int count) {
        synchronized (served) {
            java.util.BitSet bits = served.computeIfAbsent(region, r -> new java.util.BitSet());
            pagesServed.addAndGet(count - bits.get(first, first + count).cardinality());
            bits.set(first, first + count);
        }
    }

    /** Why a hello is refused (one sentence, sent to the destination), or null. */
    private synchronized String checkHello(Protocol.Message m, String moduleId) {
        if (m.type() != Protocol.HELLO || m.body().remaining() < 4 + 64 + 64 + 8) return "this is a hexo post-copy page server; the peer spoke another protocol";
        ByteBuffer b = m.body();
        int version = b.getInt();
        String pair = Protocol.ascii(b, 64), tok = Protocol.ascii(b, 64);
        long sess = b.getLong();
        if (version != Protocol.VERSION) {
            return "the page server speaks post-copy protocol " + Protocol.VERSION + " but the destination speaks " + version + ": use the same hexo on both sides";
        }
        if (!pair.equals(moduleId)) {
            return "the page server at " + where() + " serves another program (module " + moduleId.substring(0, 12) + ", not " + pair.substring(0, Math.min(12, pair.length()))
                    + "): point --server at the source of this migration";
        }
        if (!MessageDigest.isEqual(tok.getBytes(), token.getBytes())) {
            return "the page server at " + where() + " refused the token: it belongs to another migration (take the minimal checkpoint this source wrote)";
        }
        if (sessionTaken && sess != session) {
            return "another destination already resumed this migration: only one side may run the guest";
        }
        sessionTaken = true;
        session = sess;
        return null;
    }

    /** The bytes of stored pages first..first+count of a region, from guest memory; null when out of the index. */
    private static ByteBuffer pages(CheckpointPages index, GuestMemory memory, long linmemBase, int region, int first, int count) {
        if (region < 0 || region >= index.checkpoint().regions().size()) return null;
        int[] stored = index.storedPages(region);
        if (first < 0 || count <= 0 || first > stored.length - count || count > 1024) return null;
        Checkpoint.Region r = index.checkpoint().regions().get(region);
        ByteBuffer out = ByteBuffer.allocate(index.bytesOf(region, first, count));
        for (int i = 0; i < count; i++) {
            long at = (long) stored[first + i] * 4096;
            int len = (int) Math.min(4096, r.length() - at);
            out.put(memory.buffer(linmemBase + r.start() + at, len));
        }
        return out.flip();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing was written through it
        }
    }
}
