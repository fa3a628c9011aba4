package io.hexo.board;

import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.net.SshdSocketAddress;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

/** The holder's link to the board's {@link BoardAgent}: a direct-tcpip channel of the holder's connection per command. */
final class AgentLink implements BoardLink {
    /** The agent is not there (any more): the holder runs the command through an exec channel instead. */
    static final class Unreachable extends IOException {
        Unreachable(String message) {
            super(message);
        }
    }

    private final ClientSession session;
    private final int port;
    private final byte[] secret;
    private final String fingerprint;

    AgentLink(ClientSession session, int port, String secret, String fingerprint) {
        this.session = session;
        this.port = port;
        this.secret = (secret + "\n").getBytes(StandardCharsets.US_ASCII);
        this.fingerprint = fingerprint;
    }

    @Override
    public Integer call(String command, Input in, OutputStream out, OutputStream err, Consumer<Runnable> cancel) throws IOException {
        ChannelDirectTcpip ch;
        try {
            ch = session.createDirectTcpipChannel(new SshdSocketAddress("127.0.0.1", 0), new SshdSocketAddress("127.0.0.1", port));
            ch.open().verify(Duration.ofSeconds(10));
        } catch (IOException | RuntimeException e) {
            throw new Unreachable("the board's hexo agent on port " + port + " is not there: " + e.getMessage());
        }
        try (ch) {
            cancel.accept(() -> ch.close(true));
            // An agent that goes away mid-command: sshd sends EOF and waits for our close, while MINA's pipe
            // would wait for data for ever. Told of the EOF, the pipe gives what it holds, then its end.
            Thread eof = new Thread(() -> {
                ch.waitFor(java.util.EnumSet.of(org.apache.sshd.client.channel.ClientChannelEvent.EOF,
                        org.apache.sshd.client.channel.ClientChannelEvent.CLOSED), 0L);
                if (ch.getInvertedOut() instanceof org.apache.sshd.common.channel.ChannelPipedInputStream pipe) pipe.eof();
            }, "hexo-agent-eof");
            eof.setDaemon(true);
            eof.start();
            OutputStream up = ch.getInvertedIn();
            up.write(secret);
            // Its answers start with the first frame: an agent that is gone closes the channel at once.
            return HoldProtocol.clientCall(ch.getInvertedOut(), up, "*", command, in, false, out, err);
        }
    }

    @Override
    public String hostKeyFingerprint() {
        return fingerprint;
    }

    @Override
    public String kind() {
        return "agent";
    }

    @Override
    public void close() {
        // the channels close with their commands
    }
}
