package io.hexo.e2e;

import java.nio.file.Path;

/**
 * src-test's {@link OpenSshServer} for the IDE's board tests (compiled into the test bundle from src-test's sources,
 * not copied): a real Debian sshd on a loopback port, logins as the current user with one client key.
 */
public final class LoopbackBoard implements AutoCloseable {
    private final OpenSshServer sshd;

    public LoopbackBoard(Path dir) throws Exception {
        sshd = new OpenSshServer(dir);
    }

    public int port() {
        return sshd.port;
    }

    public Path clientKey() {
        return sshd.clientKey;
    }

    /** SHA256:… as ssh-keygen -l prints it. */
    public String hostKeyFingerprint() throws Exception {
        return sshd.hostKeyFingerprint();
    }

    @Override
    public void close() throws Exception {
        sshd.close();
    }
}
