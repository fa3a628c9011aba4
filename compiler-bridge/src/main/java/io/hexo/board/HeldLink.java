package io.hexo.board;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A board link through a {@link BoardHolder}: each command is one connection to the holder's socket. */
final class HeldLink implements BoardLink {
    private final Path socket;
    private final String build;
    private final String fingerprint;

    private HeldLink(Path socket, String build, String fingerprint) {
        this.socket = socket;
        this.build = build;
        this.fingerprint = fingerprint;
    }

    /**
     * The holder listening at socket, or null when there is none that serves this build (no holder, a
     * dead one, whose socket is removed, or one of another build, which is asked to retire).
     */
    static HeldLink reach(Path socket) {
        String build = HoldProtocol.build();
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            DataOutputStream out = request(ch, build, HoldProtocol.INFO);
            out.flush();
            DataInputStream in = new DataInputStream(HoldProtocol.input(ch));
            byte type = in.readByte();
            String text = new String(in.readNBytes(in.readInt()), StandardCharsets.UTF_8);
            return type == HoldProtocol.STATUS ? new HeldLink(socket, build, text) : null;
        } catch (IOException e) {
            if (!(e instanceof java.io.EOFException)) {
                try {
                    java.nio.file.Files.deleteIfExists(socket); // nobody listens there any more
                } catch (IOException ignored) {
                    // the holder started next replaces it
                }
            }
            return null;
        }
    }

    private static DataOutputStream request(SocketChannel ch, String build, byte op) throws IOException {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(HoldProtocol.output(ch), 1 << 16));
        out.writeUTF(HoldProtocol.MAGIC);
        out.writeUTF(build);
        out.writeByte(op);
        return out;
    }

    @Override
    public Integer call(String command, Input in, OutputStream out, OutputStream err, java.util.function.Consumer<Runnable> cancel) throws IOException {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return null; // the holder went between two commands: as a lost connection
        }
        try (ch) {
            // the holder runs on this machine: it reads a file input itself
            return HoldProtocol.clientCall(HoldProtocol.input(ch), HoldProtocol.output(ch), build, command, in, true, out, err);
        }
    }

    @Override
    public String hostKeyFingerprint() {
        return fingerprint;
    }

    @Override
    public String kind() {
        return "held";
    }

    @Override
    public void close() {
        // each command had its own connection to the holder; the holder's connection to the board stays
    }
}
