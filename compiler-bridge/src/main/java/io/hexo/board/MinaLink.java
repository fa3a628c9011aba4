package io.hexo.board;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.function.Consumer;

/** A board link over a MINA SSHD connection of this JVM: one exec channel per command. */
final class MinaLink implements BoardLink {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final SshClient client;
    private final ClientSession session;
    private final Forwards forwards;

    MinaLink(SshClient client, ClientSession session, Forwards forwards) {
        this.client = client;
        this.session = session;
        this.forwards = forwards;
    }

    /** The board's loopback port whose connections come to host:port here. */
    int forwardFromBoard(String host, int port) throws IOException {
        forwards.allow(host, port);
        return session.startRemotePortForwarding(new org.apache.sshd.common.util.net.SshdSocketAddress("127.0.0.1", 0),
                new org.apache.sshd.common.util.net.SshdSocketAddress(host, port)).getPort();
    }

    /** This machine's loopback port whose connections go to host:port on the board. */
    int forwardToBoard(String host, int port) throws IOException {
        return session.startLocalPortForwarding(new org.apache.sshd.common.util.net.SshdSocketAddress("127.0.0.1", 0),
                new org.apache.sshd.common.util.net.SshdSocketAddress(host, port)).getPort();
    }

    @Override
    public Integer call(String command, Input in, OutputStream out, OutputStream err, Consumer<Runnable> cancel) throws IOException {
        try (ChannelExec ch = session.createExecChannel(command)) {
            ch.setOut(out);
            ch.setErr(err);
            ch.open().verify(TIMEOUT);
            cancel.accept(() -> ch.close(true));
            IOException failed = null;
            boolean channelWent = false;
            // Closing stdin sends EOF: a command that reads it ends, one that does not never notices.
            try (OutputStream up = ch.getInvertedIn()) {
                if (in != null) {
                    WriteFailures w = new WriteFailures(up);
                    try {
                        in.writeTo(w);
                    } finally {
                        channelWent = w.failed;
                    }
                }
            } catch (IOException e) {
                failed = e;
            }
            if (failed != null && !channelWent) {
                ch.close(true);
                throw failed; // our own input could not be read: our failure, not the board's
            }
            ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), 0L);
            Integer status = ch.getExitStatus();
            return status;
        }
    }

    /** Tells writes into the channel that failed (the link) from reads of the input that failed (ours). */
    private static final class WriteFailures extends java.io.FilterOutputStream {
        boolean failed;

        WriteFailures(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void close() {
            // the channel's stdin is closed by its owner
        }
    }

    ClientSession session() {
        return session;
    }

    boolean isOpen() {
        return session.isOpen();
    }

    /** Runs when the connection closes, whoever closed it. */
    void onClose(Runnable r) {
        session.addCloseFutureListener(f -> r.run());
    }

    @Override
    public String hostKeyFingerprint() {
        return KeyUtils.getFingerPrint(session.getServerKey());
    }

    @Override
    public String kind() {
        return "direct";
    }

    @Override
    public void close() {
        session.close(true);
        client.stop();
    }
}
