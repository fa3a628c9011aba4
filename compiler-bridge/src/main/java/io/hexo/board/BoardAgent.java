package io.hexo.board;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * hexo's agent on a board (`hexo board agent --idle S FILE`, started by a {@link BoardHolder} from the
 * board's deployed runtime): runs the commands of hexo's board work on the board with /bin/sh, reached
 * by the holder through a direct-tcpip channel of its one SSH connection. Why not an exec channel per
 * command: sshd starts each through the user's login shell, whose start-up files can cost more than the
 * command (a ~/.bashrc that runs `pyenv init` takes ~0.3 s); the agent's own start pays that once.
 *
 * <p>It listens on loopback only, on a port the system picks, and serves only connections that first
 * send the secret it wrote, with the port and its pid, into FILE (mode 0600, in a 0700 directory): the
 * board's other users can connect but cannot know the secret; the holder reads it over SSH. It leaves
 * after its idle time, removing FILE; a holder that finds FILE but no agent behind it starts another.
 */
public final class BoardAgent {
    private BoardAgent() {}

    public static void run(Path file, long idleSeconds) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String hex = HexFormat.of().formatHex(secret);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, "{\"port\":" + port + ",\"secret\":\"" + hex + "\",\"pid\":" + ProcessHandle.current().pid() + "}\n");
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        byte[] expected = (hex + "\n").getBytes(StandardCharsets.US_ASCII);
        LinkServer.Gate gate = (DataInputStream in) -> MessageDigest.isEqual(expected, in.readNBytes(expected.length));
        new LinkServer(server, gate, null, new LocalLink(), false, idleSeconds, () -> {
            try {
                // only our own file: a newer agent may have replaced it
                if (Files.readString(file).contains("\"pid\":" + ProcessHandle.current().pid() + "}")) Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // gone already
            }
        }).firstContactWithin(30).serve();
    }
}
