package io.hexo.vmm.postcopy;

import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.checkpoint.CheckpointPages;
import io.hexo.vmm.memory.PageSource;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * The destination of a post-copy migration: stored pages' bytes from the source's page server (the
 * minimal checkpoint says which pages hold data and their CRCs, which {@link CheckpointPages} checks).
 * A dropped link is retried a bounded number of times (the way QEMU's postcopy recovery reconnects)
 * with the same session, so the source knows it is still the one destination; if the source stays
 * gone, the run stops with one sentence.
 */
public final class RemotePages implements CheckpointPages.Fetch {
    /** Reconnection: up to ATTEMPTS tries, waiting 50 ms doubling to 1 s between them (about 8 s in all). */
    static final int ATTEMPTS = 12;
    private static final int CONNECT_TIMEOUT_MS = 2000, READ_TIMEOUT_MS = 10_000;

    private final String host;
    private final int port;
    private final Checkpoint cp;
    private final long session = new SecureRandom().nextLong();
    private Socket socket;
    private DataInputStream in;
    private DataOutputStream out;
    private int nextId;
    private boolean handedOver;
    private volatile long reconnects;
    private final PostCopyStatus status;

    private RemotePages(String host, int port, Checkpoint cp, PostCopyStatus status) {
        this.host = host;
        this.port = port;
        this.cp = cp;
        this.status = status;
    }

    /** Connects and says hello before the guest runs: a wrong token, program or version is refused now, in one sentence. */
    public static RemotePages connect(PostCopyMode mode, Checkpoint cp) throws PageSource.Failed {
        String server = mode.server();
        int colon = server.lastIndexOf(':');
        String host = server;
        int port = 5050;
        if (colon > 0 && server.indexOf(':') == colon) {
            host = server.substring(0, colon);
            try {
                port = Integer.parseInt(server.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new PageSource.Failed("--server " + server + " is not HOST[:PORT]: give e.g. --server 127.0.0.1:5050");
            }
        }
        RemotePages r = new RemotePages(host, port, cp, mode.status());
        try {
            r.open();
        } catch (IOException e) {
            throw new PageSource.Failed("cannot reach the page server at " + host + ":" + port + " (" + e.getMessage()
                    + "): start the source with --full-chkpt-save 0, or check --server");
        }
        return r;
    }

    public String server() { return host + ":" + port; }

    public long reconnects() { return reconnects; }

    private void open() throws IOException, PageSource.Failed {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            s.setTcpNoDelay(true);
            s.setSoTimeout(READ_TIMEOUT_MS);
            DataInputStream i = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 20));
            DataOutputStream o = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
            Protocol.send(o, Protocol.HELLO, Protocol.hello(Protocol.VERSION, cp.moduleId(), cp.postCopy().token(), session));
            Protocol.Message m = Protocol.receive(i);
            if (m.type() == Protocol.REFUSED) throw new PageSource.Failed(Protocol.sentence(m.body()));
            if (m.type() != Protocol.WELCOME) throw new IOException("the server at " + server() + " does not speak hexo's post-copy protocol");
            socket = s;
            in = i;
            out = o;
        } catch (IOException | PageSource.Failed | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public synchronized void fetch(int region, int first, int count, ByteBuffer dst) throws PageSource.Failed {
        try {
            fetchOrFail(region, first, count, dst);
        } catch (PageSource.Failed e) {
            status.enter(PostCopyStatus.Phase.LOST);
            throw e;
        }
    }

    private void fetchOrFail(int region, int first, int count, ByteBuffer dst) throws PageSource.Failed {
        IOException last = null;
        for (int attempt = 0; attempt <= ATTEMPTS; attempt++) {
            try {
                if (socket == null) {
                    pause(attempt);
                    open();
                    reconnects++;
                }
                int id = nextId++;
                Protocol.send(out, Protocol.GET, Protocol.le(16).putInt(id).putInt(region).putInt(first).putInt(count).flip());
                Protocol.Message m = Protocol.receive(in);
                if (m.type() == Protocol.REFUSED) throw new PageSource.Failed("the page server at " + server() + " refused: " + Protocol.sentence(m.body()));
                if (m.type() != Protocol.PAGES || m.body().remaining() != 4 + dst.remaining() || m.body().getInt() != id) {
                    throw new IOException("a garbled answer");
                }
                dst.put(m.body());
                return;
            } catch (IOException e) {
                last = e;
                drop();
            }
        }
        throw new PageSource.Failed("the page server at " + server() + " is gone (no answer after " + ATTEMPTS + " reconnection attempts: "
                + (last == null ? "?" : last.getMessage()) + "); this run stops here and the source keeps the job (its minimal checkpoint is in "
                + cp.dir() + ")");
    }

    private static void pause(int attempt) {
        if (attempt == 0) return;
        try {
            Thread.sleep(Math.min(1000, 50L << Math.min(attempt - 1, 5)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drop() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already broken
            }
        }
        socket = null;
    }

    /** 256 KiB per request: a fault behind a prefetch batch waits about a millisecond on a LAN, not a 4 MiB transfer. */
    @Override
    public int prefetchBlocks() { return 4; }

    /** Every page is here: the source may go (hand-over, reason HOLDS_EVERY_PAGE). */
    @Override
    public void allRead() {
        handOver(Protocol.HOLDS_EVERY_PAGE);
    }

    /** The job ended here before every page was fetched: the source may go too. */
    public void jobEnded() {
        handOver(Protocol.JOB_ENDED);
    }

    /** DONE, then BYE; retried like a fetch. True once the source has confirmed. */
    public synchronized boolean handOver(int why) {
        for (int attempt = 0; !handedOver && attempt <= ATTEMPTS; attempt++) {
            try {
                if (socket == null) {
                    pause(attempt);
                    open();
                }
                Protocol.send(out, Protocol.DONE, Protocol.le(1).put((byte) why).flip());
                if (Protocol.receive(in).type() == Protocol.BYE) {
                    handedOver = true;
                    status.enter(PostCopyStatus.Phase.HANDED_OVER);
                }
            } catch (IOException | PageSource.Failed e) {
                drop();
            }
        }
        drop();
        return handedOver;
    }

    public synchronized boolean handedOver() { return handedOver; }

    @Override
    public synchronized void close() {
        drop();
    }
}
