package io.hexo.vmm.postcopy;

import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.checkpoint.CheckpointDirectory;
import io.hexo.vmm.checkpoint.CheckpointException;
import io.hexo.vmm.checkpoint.CheckpointReader;
import io.hexo.vmm.loader.ImageInfo;
import io.hexo.vmm.memory.PageSource;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A destination started before the source's migration point (`--resume --full-chkpt-restore 0 --server
 * HOST[:PORT] --wait`): its guest boots up to the restore while it waits on one connection to the page
 * server, said hello to with the program's identity and the token of the source's {@value PageServer#KEY_FILE}
 * (so a waiting destination of another program, or a stranger, is refused before anything is sent). When the
 * source reaches its point it sends the minimal checkpoint over that connection (FILE messages); it lands in
 * the checkpoint directory unforced — it is worth nothing without its live source — and is verified and
 * resumed as any minimal checkpoint, the connection becoming the first of the session's two.
 *
 * <p>Nothing is at stake while waiting (the source runs the job): a link that drops is tried again for
 * {@link Protocol#WAIT_RECONNECT_MS}, then this run stops with one sentence, having run nothing.
 */
public final class WaitingDestination {
    private final PostCopyMode mode;
    private final Path dir;
    private final ImageInfo info;
    private final Consumer<String> notices;
    private final InetSocketAddress at;
    private final String token;
    private final long session = new SecureRandom().nextLong();
    private Socket socket;
    private DataInputStream in;
    private DataOutputStream out;
    /** The source's part of the resume latency (its migration point to the first file's sending) and that file's arrival here. */
    private long sourceMicros, arrivedAt;

    /** The checkpoint received and opened for resume, its pages coming from the connection waited on. */
    public record Arrival(CheckpointReader.Resumable resumable, RemotePages pages) {}

    private WaitingDestination(PostCopyMode mode, Path dir, ImageInfo info, Consumer<String> notices, InetSocketAddress at, String token) {
        this.mode = mode;
        this.dir = dir;
        this.info = info;
        this.notices = notices;
        this.at = at;
        this.token = token;
    }

    /**
     * Reads the key and says hello now, before the guest boots: a missing key, an unreachable source, another
     * program or a wrong token is one sentence and nothing runs.
     */
    public static WaitingDestination connect(PostCopyMode mode, Path dir, ImageInfo info, Consumer<String> notices) throws PageSource.Failed {
        InetSocketAddress at = RemotePages.address(mode.server());
        Path key = dir.resolve(PageServer.KEY_FILE);
        String token;
        try {
            token = Files.readString(key, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new PageSource.Failed("--wait needs the source's " + PageServer.KEY_FILE + " in " + dir
                    + (e instanceof java.nio.file.NoSuchFileException ? "" : " (" + e.getMessage() + ")") + ": copy it from the source's checkpoint directory (the source writes it when it starts with --full-chkpt-save 0)");
        }
        if (!token.matches("[0-9a-f]{64}")) throw new PageSource.Failed(key + " is not a post-copy key (64 hex digits): copy it again from the source's checkpoint directory");
        WaitingDestination w = new WaitingDestination(mode, dir, info, notices, at, token);
        w.open(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Protocol.WAIT_RECONNECT_MS));
        WarmUp.start(info);
        mode.status().enter(PostCopyStatus.Phase.WAITING, mode.server(), null);
        notices.accept("hexo: post-copy: waiting on " + mode.server() + " for the source's migration point (the guest is booted and resumes the moment it comes)");
        return w;
    }

    /** Connects, says HELLO and WAIT, trying again until deadline (System.nanoTime). */
    private void open(long deadline) throws PageSource.Failed {
        IOException last = null;
        for (int attempt = 0; attempt == 0 || System.nanoTime() < deadline; attempt++) {
            if (attempt > 0) pause(attempt);
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(at.getHostString(), at.getPort()), 2000);
                s.setTcpNoDelay(true);
                s.setKeepAlive(true);
                s.setSoTimeout(4000);
                DataInputStream i = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 20));
                DataOutputStream o = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
                Protocol.send(o, Protocol.HELLO, Protocol.hello(Protocol.VERSION, info.moduleId(), token, session));
                Protocol.Message m = Protocol.receive(i);
                if (m.type() == Protocol.REFUSED) {
                    s.close();
                    throw new PageSource.Failed(Protocol.sentence(m.body()));
                }
                if (m.type() != Protocol.WELCOME) throw new IOException("the server at " + mode.server() + " does not speak hexo's post-copy protocol");
                try {
                    Protocol.checkWelcome(m, mode.server());
                } catch (PageSource.Failed e) {
                    s.close();
                    throw e;
                }
                Protocol.send(o, Protocol.WAIT, null);
                s.setSoTimeout(0); // the migration point may be hours away; keep-alive notices a peer gone for good
                socket = s;
                in = i;
                out = o;
                return;
            } catch (IOException e) {
                last = e;
                try {
                    s.close();
                } catch (IOException ignored) {
                    // never opened
                }
            }
        }
        throw new PageSource.Failed("cannot reach the page server at " + mode.server() + " (" + last.getMessage()
                + "): start the source with --full-chkpt-save 0 first, or check --server");
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(Math.min(500, 50L << Math.min(attempt - 1, 4)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits for the minimal checkpoint (the guest booted and at its restore), puts it into the checkpoint
     * directory and opens it for resume; one sentence when the source goes before its migration point.
     */
    public Arrival await() throws PageSource.Failed, CheckpointException, IOException {
        List<String> names = receive();
        CheckpointDirectory.commit(dir, names, false);
        RemotePages[] pages = new RemotePages[1];
        CheckpointReader.Resumable r = CheckpointReader.openForResume(dir, info.moduleId(), minimal -> {
            if (minimal.postCopy() == null || !token.equals(minimal.postCopy().token())) {
                throw new CheckpointException("the source sent a checkpoint that is not this migration's: nothing was resumed");
            }
            try {
                socket.setSoTimeout(4000);
            } catch (IOException e) {
                // the first request finds out
            }
            pages[0] = RemotePages.adopt(at, minimal, info, mode.status(), session, socket, in, out);
            return pages[0];
        });
        return new Arrival(r, pages[0]);
    }

    /** The FILE messages, each written as NAME.tmp; their names, mdata.bin last. */
    private List<String> receive() throws PageSource.Failed, IOException {
        List<String> names = new ArrayList<>();
        while (true) {
            Protocol.Message m;
            try {
                m = Protocol.receive(in);
            } catch (IOException e) {
                names.clear();
                reopenOrStop(e);
                continue;
            }
            if (m.type() == Protocol.REFUSED) throw new PageSource.Failed(Protocol.sentence(m.body()) + "; nothing was resumed");
            if (m.type() != Protocol.FILE || m.body().remaining() < 6) throw new PageSource.Failed("the page server at " + mode.server() + " sent a garbled message; nothing was resumed");
            if (names.isEmpty()) arrivedAt = System.nanoTime(); // the first file: the source's part of the latency ended as it left
            ByteBuffer b = m.body();
            sourceMicros = Integer.toUnsignedLong(b.getInt());
            byte[] n = new byte[b.getShort() & 0xffff];
            b.get(n);
            String name = new String(n, StandardCharsets.UTF_8);
            if (!Checkpoint.ALL_FILES.contains(name)) throw new PageSource.Failed("the page server at " + mode.server() + " sent a file a checkpoint has not (" + name + "); nothing was resumed");
            try (var ch = java.nio.channels.FileChannel.open(dir.resolve(name + ".tmp"), java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                while (b.hasRemaining()) ch.write(b);
            }
            names.add(name);
            if (name.equals(Checkpoint.MANIFEST)) return names;
        }
    }

    /** The link dropped while waiting: the source still runs the job, so try again a little, then say so. */
    private void reopenOrStop(IOException why) throws PageSource.Failed {
        try {
            socket.close();
        } catch (IOException ignored) {
            // broken already
        }
        try {
            open(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Protocol.WAIT_RECONNECT_MS));
        } catch (PageSource.Failed e) {
            mode.status().enter(PostCopyStatus.Phase.LOST);
            throw new PageSource.Failed("the source at " + mode.server() + " went away before its migration point (" + (why.getMessage() == null ? "the connection closed" : why.getMessage())
                    + ", and it cannot be reached again): nothing was resumed here; the job stays with the source if it still runs");
        }
    }

    /** The guest's next instruction is now: how long after the source's migration point (each side on its own clock). */
    public String resumedLine() {
        long now = System.nanoTime(), here = (now - arrivedAt) / 1000;
        return "hexo: post-copy: resumed " + (sourceMicros + here) + " us after the source's migration point (" + sourceMicros
                + " us there until the minimal checkpoint left, " + here + " us here from its arrival to the guest's next instruction; CLOCK_MONOTONIC "
                + now / 1000 + " us now)";
    }

    /** The run ends before the checkpoint came (the guest could not boot): the source keeps the job. */
    public void close() {
        try {
            if (socket != null) socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
