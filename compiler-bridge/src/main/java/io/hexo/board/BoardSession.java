package io.hexo.board;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One SSH connection to a board through Apache MINA SSHD, with the user's keys and host keys checked
 * against ~/.ssh/known_hosts — never MINA's default verifier, which accepts any key. An unknown or a
 * changed host key, an unreachable board and a refused login are each one sentence saying what to do.
 */
public final class BoardSession implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** What a session may do with the host key the board presents. */
    public enum HostKeys { KNOWN_ONLY, RECORD_IF_UNKNOWN }

    private final Board board;
    private final SshClient client;
    private final ClientSession session;

    private BoardSession(Board board, SshClient client, ClientSession session) {
        this.board = board;
        this.client = client;
        this.session = session;
    }

    public Board board() { return board; }

    /** The board's name, for sentences. */
    public String name() { return board.name(); }

    /** ~/.ssh, or HEXO_SSH_DIR (tests, and users who keep their keys elsewhere). */
    public static Path sshDir() {
        String dir = System.getenv("HEXO_SSH_DIR");
        return dir != null && !dir.isEmpty() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".ssh");
    }

    public static Path knownHosts() {
        return sshDir().resolve("known_hosts");
    }

    /** Connects and logs in, or throws a BoardException whose message is the sentence to show. */
    public static BoardSession open(Board board, HostKeys policy) throws BoardException {
        try {
            // An absent file would send every key to the fallback verifier, which cannot say why it refused.
            Files.createDirectories(knownHosts().getParent());
            if (!Files.exists(knownHosts())) Files.createFile(knownHosts());
        } catch (IOException e) {
            throw new BoardException("cannot use " + knownHosts() + ": " + e.getMessage());
        }
        Verifier verifier = new Verifier(knownHosts(), policy == HostKeys.RECORD_IF_UNKNOWN);
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(verifier);
        // A link that dies without a word (cable, Wi-Fi, a board that lost power) is noticed in ~15 s, not never.
        org.apache.sshd.core.CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, Duration.ofSeconds(5));
        org.apache.sshd.core.CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, 3);
        List<Path> keys = keys(board);
        client.setKeyIdentityProvider(new FileKeyPairProvider(keys));
        preferAesGcm(client);
        client.start();
        ClientSession session = null;
        try {
            session = client.connect(board.user(), board.host(), board.port()).verify(TIMEOUT).getSession();
            session.auth().verify(TIMEOUT);
            if (verifier.recorded != null) appendKnownHost(board, verifier.recorded);
            return new BoardSession(board, client, session);
        } catch (IOException | RuntimeException e) {
            if (session != null) session.close(true);
            client.stop();
            throw explain(board, verifier, keys, e);
        }
    }

    /** Runs a command on the board; its standard output, or a sentence when it fails. */
    public String exec(String command) throws BoardException {
        try {
            return session.executeRemoteCommand(command, TIMEOUT);
        } catch (IOException e) {
            throw new BoardException("the command failed on the board: " + firstLine(e.getMessage()));
        }
    }

    /** A command whose exit status says nothing useful (e.g. sha256sum over files that may be missing): its output. */
    String execIgnoringStatus(String command) throws BoardException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (org.apache.sshd.client.channel.ChannelExec ch = session.createExecChannel(command)) {
            ch.setOut(out);
            ch.setErr(java.io.OutputStream.nullOutputStream());
            ch.open().verify(TIMEOUT);
            ch.waitFor(java.util.EnumSet.of(org.apache.sshd.client.channel.ClientChannelEvent.CLOSED), TIMEOUT);
        } catch (IOException e) {
            throw new BoardException("the command failed on the board: " + firstLine(e.getMessage()));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    ClientSession session() { return session; }

    /**
     * The argv of OpenSSH's ssh running command on this board with the same login as this session (its
     * keys only, host key checked against the same known_hosts, no prompt, no ~/.ssh/config), or null when
     * this machine has no ssh or the user did not ask for it. SSH is MINA SSHD's (a decision of the
     * project: one Java implementation, the user's keys and known_hosts, no dependence on the machine's
     * client); HEXO_SSH_CLIENT=openssh opts into OpenSSH for the bulk bytes, whose crypto in C moves a
     * checkpoint up to ~2x faster than MINA's in a JVM that lives for a few seconds (the JIT is still
     * warming up when the transfer ends): bench/README.md, boards.sh.
     */
    List<String> openssh(String command) throws BoardException {
        if (!System.getenv().getOrDefault("HEXO_SSH_CLIENT", "mina").equals("openssh")) return null;
        Path ssh = null;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "ssh");
            if (Files.isExecutable(p)) {
                ssh = p;
                break;
            }
        }
        if (ssh == null) return null;
        List<String> argv = new ArrayList<>(List.of(ssh.toString(), "-F", "/dev/null", "-T", "-x", "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts(),
                "-o", "GlobalKnownHostsFile=/dev/null", "-o", "ConnectTimeout=" + TIMEOUT.toSeconds(),
                "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3", "-o", "LogLevel=ERROR",
                "-p", String.valueOf(board.port()), "-l", board.user()));
        for (Path key : keys(board)) argv.addAll(List.of("-i", key.toString()));
        argv.addAll(List.of("--", board.host(), command));
        return argv;
    }

    /** The SHA-256 fingerprint of the board's host key, as ssh shows it. */
    public String hostKeyFingerprint() {
        return KeyUtils.getFingerPrint(session.getServerKey());
    }

    @Override
    public void close() {
        session.close(true);
        client.stop();
    }

    private static List<Path> keys(Board board) throws BoardException {
        if (board.key() != null && !board.key().isEmpty()) {
            Path key = Path.of(board.key().replaceFirst("^~(?=/)", System.getProperty("user.home")));
            if (!Files.isReadable(key)) throw new BoardException("board " + board.name() + ": the key " + key + " cannot be read: check --key");
            return List.of(key);
        }
        List<Path> defaults = new ArrayList<>();
        for (String name : new String[] {"id_ed25519", "id_ecdsa", "id_rsa"}) {
            Path p = sshDir().resolve(name);
            if (Files.isReadable(p)) defaults.add(p);
        }
        if (defaults.isEmpty()) {
            throw new BoardException("no SSH key to log in to board " + board.name() + ": none of id_ed25519, id_ecdsa, id_rsa in "
                    + sshDir() + "; make one with ssh-keygen, or give the board one with --key");
        }
        return defaults;
    }

    /**
     * AES-GCM first: the JVM's AES and GHASH intrinsics (x86-64 and AArch64) move a checkpoint over it
     * about twice as fast as over MINA's first choice, ChaCha20-Poly1305, which it computes in Java.
     */
    private static void preferAesGcm(SshClient client) {
        List<String> names = new ArrayList<>(client.getCipherFactoriesNames());
        List<String> gcm = names.stream().filter(n -> n.contains("-gcm@")).toList();
        names.removeAll(gcm);
        names.addAll(0, gcm);
        client.setCipherFactoriesNameList(String.join(",", names));
    }

    /** Records the board's key as ssh itself would ([host]:port for a port other than 22). */
    private static void appendKnownHost(Board board, PublicKey key) throws IOException {
        String host = board.port() == 22 ? board.host() : "[" + board.host() + "]:" + board.port();
        Files.createDirectories(knownHosts().getParent());
        Files.writeString(knownHosts(), host + " " + PublicKeyEntry.toString(key) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static BoardException explain(Board board, Verifier v, List<Path> keys, Exception e) {
        String where = "board " + board.name() + " (" + board.host() + ":" + board.port() + ")";
        if (v.unknown != null) {
            return new BoardException(where + " presented a host key that " + knownHosts() + " does not know ("
                    + KeyUtils.getFingerPrint(v.unknown) + "): check that fingerprint on the board, then run `hexo board trust "
                    + board.name() + "`");
        }
        if (v.changed != null) {
            return new BoardException(where + " presented a different host key (" + KeyUtils.getFingerPrint(v.changed) + ") than "
                    + knownHosts() + " records for it: it may not be your board; if it was reinstalled, remove the old entry"
                    + " (ssh-keygen -R '[" + board.host() + "]:" + board.port() + "') and run `hexo board trust " + board.name() + "`");
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException) {
                return new BoardException("cannot reach " + where + ": " + firstLine(t.getMessage())
                        + "; check --host and --port, and that an SSH server runs there");
            }
        }
        String message = firstLine(e.getMessage());
        if (message.contains("No more authentication methods") || message.toLowerCase().contains("auth")) {
            return new BoardException(where + " refused user " + board.user() + " with the key(s) " + keys
                    + ": add the public key to ~" + board.user() + "/.ssh/authorized_keys on the board, or give another with --key");
        }
        return new BoardException("cannot connect to " + where + ": " + message);
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.strip().lines().findFirst().orElse("");
    }

    /** known_hosts checking that remembers why it said no (for the sentence), and records on `trust`. */
    private static final class Verifier extends KnownHostsServerKeyVerifier {
        private final boolean recordIfUnknown;
        volatile PublicKey unknown, changed, recorded;

        Verifier(Path knownHosts, boolean recordIfUnknown) {
            super(NEVER, knownHosts);
            this.recordIfUnknown = recordIfUnknown;
        }

        @Override
        protected boolean acceptUnknownHostKey(ClientSession session, SocketAddress remote, PublicKey key) {
            if (recordIfUnknown) {
                recorded = key;
                return true;
            }
            unknown = key;
            return false;
        }

        @Override
        public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remote, KnownHostEntry entry, PublicKey expected,
                                               PublicKey actual) {
            changed = actual;
            return false; // a changed key is never accepted, not even by `trust`
        }
    }

    private static final ServerKeyVerifier NEVER = (session, remote, key) -> false;
}
