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
    private final BoardLink link;

    private BoardSession(Board board, BoardLink link) {
        this.board = board;
        this.link = link;
    }

    BoardLink link() { return link; }

    /** "held" when the work goes through the board's {@link BoardHolder}, "direct" when this process connected. */
    public String via() { return link.kind(); }

    /**
     * The board for a command's work: through its holder when one is running (no connect, no key
     * exchange), else connected here, with a holder started in the background for the commands after
     * this one (HEXO_BOARD_HOLD=off: never). A refused login is the same sentence as with open.
     */
    public static BoardSession connect(Board board) throws BoardException {
        BoardSession inHolder = BoardHolder.sessionFor(board);
        if (inHolder != null) return inHolder; // a command the holder runs for the native client
        if (!BoardHolder.enabled()) return open(board, HostKeys.KNOWN_ONLY);
        java.nio.file.Path socket;
        try {
            socket = BoardHolder.socketOf(board);
        } catch (IOException e) {
            return open(board, HostKeys.KNOWN_ONLY); // no place for a socket: no holder, no harm
        }
        HeldLink held = HeldLink.reach(socket);
        if (held != null) {
            BoardHolder.claimName(board, socket); // the native client's next command finds this holder
            return new BoardSession(board, held);
        }
        BoardSession direct = open(board, HostKeys.KNOWN_ONLY);
        BoardHolder.spawn(board, socket);
        return direct;
    }

    /**
     * Stops the board's holder (the one of these settings: a holder of the same name's other settings,
     * e.g. another HEXO_CONFIG_HOME, is another user's view of it); whether one was running.
     */
    public static boolean disconnect(Board board) throws BoardException {
        try {
            return BoardHolder.stop(BoardHolder.socketOf(board));
        } catch (IOException e) {
            throw new BoardException("cannot reach the holders' directory: " + e.getMessage());
        }
    }

    static BoardSession over(Board board, BoardLink link) {
        return new BoardSession(board, link);
    }

    /** The board's holder when one runs for these settings, else null (nothing is started). */
    public static BoardSession held(Board board) {
        try {
            HeldLink held = HeldLink.reach(BoardHolder.socketOf(board));
            return held == null ? null : new BoardSession(board, held);
        } catch (IOException e) {
            return null;
        }
    }

    public Board board() { return board; }

    /** The board's name, for sentences. */
    public String name() { return board.name(); }

    /** ~/.ssh, or HEXO_SSH_DIR (tests, and users who keep their keys elsewhere). */
    public static Path sshDir() {
        return sshDir(System::getenv);
    }

    static Path sshDir(java.util.function.Function<String, String> env) {
        String dir = env.apply("HEXO_SSH_DIR");
        return dir != null && !dir.isEmpty() ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".ssh");
    }

    public static Path knownHosts() {
        return sshDir().resolve("known_hosts");
    }

    static Path knownHosts(java.util.function.Function<String, String> env) {
        return sshDir(env).resolve("known_hosts");
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
        Forwards forwards = new Forwards();
        client.setForwardingFilter(forwards);
        client.start();
        ClientSession session = null;
        try {
            session = client.connect(board.user(), board.host(), board.port()).verify(TIMEOUT).getSession();
            session.auth().verify(TIMEOUT);
            if (verifier.recorded != null) appendKnownHost(board, verifier.recorded);
            return new BoardSession(board, new MinaLink(client, session, forwards));
        } catch (IOException | RuntimeException e) {
            if (session != null) session.close(true);
            client.stop();
            throw explain(board, verifier, keys, e);
        }
    }

    /** Runs a command on the board; its standard output, or a sentence when it fails. */
    public String exec(String command) throws BoardException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(), err = new java.io.ByteArrayOutputStream();
        Integer status = call(command, null, out, err);
        if (status != 0) {
            String why = firstLine(err.toString(StandardCharsets.UTF_8));
            throw new BoardException("the command failed on the board (exit status " + status + ")" + (why.isEmpty() ? "" : ": " + why));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A command whose exit status says nothing useful (e.g. sha256sum over files that may be missing): its output. */
    String execIgnoringStatus(String command) throws BoardException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        call(command, null, out, java.io.OutputStream.nullOutputStream());
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Runs command with that input and output; its exit status. A connection that goes before the
     * command ends is a BoardException saying so (the command may have done its work or part of it).
     */
    Integer call(String command, BoardLink.Input in, java.io.OutputStream out, java.io.OutputStream err) throws BoardException {
        Integer status;
        try {
            status = link.call(command, in, out, err);
        } catch (IOException e) {
            throw new BoardException("the command failed on the board: " + firstLine(e.getMessage()));
        }
        if (status == null) throw lostConnection();
        return status;
    }

    /** The sentence for a connection that went in the middle of a command. */
    BoardException lostConnection() {
        return new BoardException("lost the connection to board " + board.name() + (link.kind().equals("held") ? " (its hexo holder went away)" : "")
                + ": run the command again");
    }

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

    /**
     * A port on the board's loopback whose connections come here, to host:port, through this session
     * (SSH remote forwarding): a post-copy destination on the board reaches a page server here. As
     * "127.0.0.1:PORT", an address on the board; open as long as this session.
     */
    public String forwardFromBoard(String host, int port) throws BoardException {
        try {
            return "127.0.0.1:" + direct().forwardFromBoard(host, port);
        } catch (IOException e) {
            throw new BoardException("board " + board.name() + " would not forward a port back here (" + firstLine(e.getMessage())
                    + "): its sshd needs AllowTcpForwarding yes (the default)");
        }
    }

    /** A port on this machine's loopback whose connections go to host:port on the board (SSH local forwarding); open as long as this session. */
    public int forwardToBoard(String host, int port) throws BoardException {
        try {
            return direct().forwardToBoard(host, port);
        } catch (IOException e) {
            throw new BoardException("cannot forward a port here to board " + board.name() + " (" + firstLine(e.getMessage()) + ")");
        }
    }

    private MinaLink direct() throws BoardException {
        if (link instanceof MinaLink m) return m;
        throw new BoardException("port forwarding needs a connection of this command's own (not its holder's)");
    }

    /** The SHA-256 fingerprint of the board's host key, as ssh shows it. */
    public String hostKeyFingerprint() {
        return link.hostKeyFingerprint();
    }

    @Override
    public void close() {
        link.close();
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
