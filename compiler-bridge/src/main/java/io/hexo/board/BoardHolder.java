package io.hexo.board;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A board's connection held open for every hexo command of this user, as OpenSSH's ControlMaster does,
 * in MINA: a detached JVM started by the first command that needs the board, logged in once, that runs
 * each later command's work on the board through a channel of its one connection — so those commands
 * skip the connect and key exchange, and the bulk bytes of a transfer are encrypted by a JVM whose JIT
 * has long warmed up. It listens on a Unix socket in a directory only this user may enter (0700), and
 * leaves after HEXO_BOARD_IDLE seconds without a command (default 600), when the connection closes,
 * on `hexo board disconnect` or `hexo board remove`, and when a newer hexo asks (another build). Every
 * command works without it: one that finds no holder connects itself and starts one for the next.
 */
public final class BoardHolder {
    private static final long DEFAULT_IDLE_SECONDS = 600;
    private final Board board;
    private final MinaLink mina;
    private volatile AgentLink agent;
    private final java.util.concurrent.atomic.AtomicBoolean startingAgent = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long agentTried;
    private String runtimeId;

    private final BoardSession session;

    private BoardHolder(Board board, BoardSession session) {
        this.board = board;
        this.session = session;
        this.mina = (MinaLink) session.link();
    }

    /** Whether hexo commands use holders (HEXO_BOARD_HOLD=off: each command connects itself). */
    static boolean enabled() {
        return !"off".equals(System.getenv("HEXO_BOARD_HOLD"));
    }

    static long idleSeconds() {
        try {
            return Long.parseLong(System.getenv().getOrDefault("HEXO_BOARD_IDLE", "" + DEFAULT_IDLE_SECONDS));
        } catch (NumberFormatException e) {
            return DEFAULT_IDLE_SECONDS;
        }
    }

    /**
     * Where holders listen: $XDG_RUNTIME_DIR/hexo, else ~/.cache/hexo/boards, made 0700. The socket's
     * name carries a hash of everything that decides the login (the board's entry, the known_hosts and
     * boards files), so a changed board never reaches the connection of its old settings.
     */
    static Path socketOf(Board board) throws IOException {
        return socketOf(board, System::getenv);
    }

    /** The same for a hexo with that environment. */
    static Path socketOf(Board board, java.util.function.Function<String, String> env) throws IOException {
        String xdg = env.apply("XDG_RUNTIME_DIR");
        Path dir = xdg != null && !xdg.isEmpty() && Files.isDirectory(Path.of(xdg)) ? Path.of(xdg, "hexo")
                : Path.of(System.getProperty("user.home"), ".cache", "hexo", "boards");
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        String who = board + "|" + BoardSession.knownHosts(env).toAbsolutePath() + "|" + Boards.ofUser(env).file().toAbsolutePath();
        String name = board.name().length() > 24 ? board.name().substring(0, 24) : board.name();
        // 48 bits of two different hashes: MessageDigest's first use alone would cost a warm command ~30 ms
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(who.getBytes(StandardCharsets.UTF_8));
        String id = String.format("%08x%04x", crc.getValue(), who.hashCode() & 0xffff);
        return dir.resolve(name + "-" + id + ".sock");
    }

    /**
     * Starts a holder for the board in the background, detached from this command (its own session, no
     * terminal, none of our streams), with the JIT's full compiler: it lives long enough to use it.
     */
    static void spawn(Board board, Path socket) {
        try {
            String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            List<String> cmd = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) cmd.add("/usr/bin/setsid");
            cmd.addAll(List.of(java, "-XX:+UseSerialGC", "-Xmx256m", "-Xshare:auto", "-Xlog:disable", "-Xlog:all=warning:stderr",
                    "-Dhexo.home=" + io.hexo.build.HexoHome.get(), "-cp", System.getProperty("java.class.path"),
                    "io.hexo.cli.Main", "board", "hold", board.name(), socket.toString()));
            new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.appendTo(socket.resolveSibling(socket.getFileName() + ".log").toFile()))
                    .start();
        } catch (IOException | RuntimeException e) {
            // the next command connects itself again: a holder is a speed-up, never a requirement
        }
    }

    /** Asks the holder at socket to leave; whether one was there. */
    static boolean stop(Path socket) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            DataOutputStream out = new DataOutputStream(HoldProtocol.output(ch));
            out.writeUTF(HoldProtocol.MAGIC);
            out.writeUTF(HoldProtocol.build());
            out.writeByte(HoldProtocol.QUIT);
            out.flush();
            HoldProtocol.input(ch).read(); // its end closes the socket
            return true;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(socket); // a holder that was killed leaves its socket
            } catch (IOException ignored) {
                // nothing more to do
            }
            return false;
        }
    }

    /**
     * `hexo board hold NAME SOCKET`, as spawn starts it: logs in, listens at socket (and at the board's
     * name, for the launcher's native client: {@link #clientSocket}) and serves until it leaves.
     */
    public static void serve(String name, Path socket, HeldCommand.Runner runner) throws Exception {
        Board board = Boards.ofUser().get(name);
        BoardSession s;
        try {
            s = BoardSession.open(board, BoardSession.HostKeys.KNOWN_ONLY);
        } catch (BoardException e) {
            System.err.println("hexo holder of board " + board.name() + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        BoardHolder h = new BoardHolder(board, s);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException taken) {
            // another holder was started at the same moment, or a dead one left its socket
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                System.exit(0); // a live one: it serves
            } catch (IOException dead) {
                Files.deleteIfExists(socket);
                server.bind(UnixDomainSocketAddress.of(socket));
            }
        }
        Path byName = clientSocket(socket, board.name());
        pointAt(byName, socket);
        Runnable removeSocket = () -> {
            try {
                Files.deleteIfExists(socket);
                // the name's link only while it is ours: a holder of the board's other settings may have taken it
                if (Files.isSymbolicLink(byName) && Files.readSymbolicLink(byName).equals(socket.getFileName())) Files.deleteIfExists(byName);
            } catch (IOException ignored) {
                // the next command finds nobody listening there and removes it
            }
        };
        h.runner = runner;
        h.socket = socket;
        h.build = HoldProtocol.build();
        serving = h;
        LinkServer served = new LinkServer(server, in -> true, h.build, h.link(), true, idleSeconds(), removeSocket).commands(h::serveCommand);
        h.mina.onClose(served::leave);
        h.startAgent();
        served.serve();
    }

    /** The holder of this process (null in every other hexo process). */
    private static volatile BoardHolder serving;
    private HeldCommand.Runner runner;
    private Path socket;
    private String build;

    /**
     * Where the native client finds the board's holder: NAME.sock beside the holders' sockets, a symbolic
     * link to the one started last for that name. The client cannot compute the settings' hash; the holder
     * checks that the client's settings are its own (see serveCommand).
     */
    static Path clientSocket(Path socket, String name) {
        return socket.resolveSibling((name.length() > 24 ? name.substring(0, 24) : name) + ".sock");
    }

    /**
     * Points the board's name at socket's holder unless it does already: the name belongs to the holder a
     * command used last (of the settings in use now), not to whichever was started last.
     */
    static void claimName(Board board, Path socket) {
        Path byName = clientSocket(socket, board.name());
        try {
            if (Files.isSymbolicLink(byName) && Files.readSymbolicLink(byName).equals(socket.getFileName())) return;
        } catch (IOException e) {
            // pointed anew below
        }
        pointAt(byName, socket);
    }

    private static void pointAt(Path link, Path socket) {
        try {
            Path tmp = link.resolveSibling(link.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, socket.getFileName());
            Files.move(tmp, link, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            // no native client for this board: its commands start hexo's JVM as before
        }
    }

    /**
     * The board's session for a command this holder runs for a native client: this holder's own link,
     * whose calls the client's leaving (or a second Ctrl-C) cancels; null anywhere else.
     */
    static BoardSession sessionFor(Board board) {
        BoardHolder h = serving;
        HeldCommand c = HeldCommand.current();
        if (h == null || c == null || !h.board.equals(board)) return null;
        BoardLink own = h.link();
        return BoardSession.over(board, new BoardLink() {
            @Override
            public Integer call(String command, Input in, OutputStream out, OutputStream err, java.util.function.Consumer<Runnable> cancel)
                    throws IOException {
                return own.call(command, in, c.bind(out), c.bind(err), r -> {
                    cancel.accept(r);
                    c.onCancel(r);
                });
            }

            @Override
            public String hostKeyFingerprint() {
                return own.hostKeyFingerprint();
            }

            @Override
            public String kind() {
                return "held";
            }

            @Override
            public void close() {
                // the holder's connection outlives its commands
            }
        });
    }

    /**
     * A RUN request of the native client (see {@link HoldProtocol}): the command runs here when its
     * hexo, its build and its settings are this holder's and the runner serves it; else the client is
     * told to start hexo's JVM (FALLBACK), which finds or starts the right holder.
     */
    private void serveCommand(java.io.DataInputStream in, java.io.DataOutputStream out, Runnable close) throws IOException {
        String home = HoldProtocol.readString(in);
        int n = in.readInt();
        if (n < 0 || n > 4096) return;
        List<String> argv = new ArrayList<>();
        for (int i = 0; i < n; i++) argv.add(HoldProtocol.readString(in));
        Path cwd = Path.of(HoldProtocol.readString(in));
        int m = in.readInt();
        if (m < 0 || m > 65536) return;
        java.util.Map<String, String> env = new java.util.HashMap<>();
        for (int i = 0; i < m; i++) {
            String kv = HoldProtocol.readString(in);
            int eq = kv.indexOf('=');
            if (eq > 0) env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        if (!sameHexo(home) || !build.equals(HoldProtocol.build()) || !socketFor(env).equals(socket) || !runner.serves(argv, board.name())) {
            HoldProtocol.writeFrame(out, HoldProtocol.FALLBACK, "");
            return;
        }
        HoldProtocol.writeFrame(out, HoldProtocol.ACCEPTED, "");
        HeldCommand c = new HeldCommand(cwd, env, new java.io.PrintStream(LinkServer.frames(out, HoldProtocol.OUT), true),
                new java.io.PrintStream(LinkServer.frames(out, HoldProtocol.ERR), true), status -> {
                    try {
                        HoldProtocol.writeFrame(out, HoldProtocol.STATUS, String.valueOf(status));
                    } catch (IOException gone) {
                        // the client went first
                    }
                    close.run();
                });
        Thread signals = new Thread(() -> {
            try {
                for (int b; (b = in.read()) >= 0; ) {
                    if (b == HoldProtocol.SIG_INT) c.signal("INT");
                    else if (b == HoldProtocol.SIG_TERM) c.signal("TERM");
                    else if (b == HoldProtocol.SIG_USR1) c.signal("USR1");
                }
            } catch (IOException gone) {
                // as an end
            }
            c.end(-1); // the client went (killed, or exited): what the command does on the board stops
        }, "hexo-held-signals");
        signals.setDaemon(true);
        signals.start();
        int status;
        try {
            status = c.runIn(runner, argv);
        } catch (RuntimeException | Error e) {
            c.err.println("hexo: internal error: " + e);
            status = 2;
        }
        c.end(status < 0 ? 2 : status);
    }

    private static boolean sameHexo(String home) {
        try {
            return Path.of(home).toRealPath().equals(io.hexo.build.HexoHome.get().toRealPath());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The socket a hexo with that environment would look for this board at (its boards file, known_hosts, runtime directory). */
    private Path socketFor(java.util.Map<String, String> env) {
        try {
            Board theirs = Boards.ofUser(env::get).get(board.name());
            return socketOf(theirs, env::get);
        } catch (IOException | RuntimeException e) {
            return Path.of("/nonexistent");
        }
    }

    /** Each command through the board's agent when it is there, else through an exec channel (and the agent is started). */
    private BoardLink link() {
        return new BoardLink() {
            @Override
            public Integer call(String command, Input in, OutputStream out, OutputStream err, java.util.function.Consumer<Runnable> cancel)
                    throws IOException {
                AgentLink a = agent;
                if (a != null) {
                    try {
                        return a.call(command, in, out, err, cancel);
                    } catch (AgentLink.Unreachable gone) {
                        agent = null; // killed, or left after its idle time: another is started
                    }
                }
                startAgent();
                return mina.call(command, in, out, err, cancel);
            }

            @Override
            public String hostKeyFingerprint() {
                return mina.hostKeyFingerprint();
            }

            @Override
            public String kind() {
                return "held";
            }

            @Override
            public void close() {
                // the holder's connection outlives its commands
            }
        };
    }

    /**
     * Starts (or finds) the board's agent of this hexo's runtime, in the background, at most every two
     * seconds; first deploys the runtime when the board lacks it (only transfers so far, or a new build).
     */
    private void startAgent() {
        if (System.nanoTime() - agentTried < 2_000_000_000L || !startingAgent.compareAndSet(false, true)) return;
        agentTried = System.nanoTime();
        Thread t = new Thread(() -> {
            try {
                if (runtimeId == null) runtimeId = BoardDeploy.runtimeSet().id();
                String json = agentFile();
                if (json.equals("deploy")) {
                    BoardDeploy.deploy(session, board.home(), List.of(BoardDeploy.runtimeSet()), line -> {});
                    json = agentFile();
                }
                if (json.isEmpty() || json.equals("deploy")) return;
                com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(json).getAsJsonObject();
                agent = new AgentLink(mina.session(), o.get("port").getAsInt(), o.get("secret").getAsString(), mina.hostKeyFingerprint());
            } catch (IOException | BoardException | RuntimeException e) {
                System.err.println("hexo holder of board " + board.name() + ": no agent on the board (" + e.getMessage() + "); commands go through exec channels");
            } finally {
                startingAgent.set(false);
            }
        }, "hexo-holder-agent");
        t.setDaemon(true);
        t.start();
    }

    /** The running agent's file (started now if need be), "deploy" when the runtime is missing, "" when no agent came up. */
    private String agentFile() throws IOException {
        String home = BoardTransfer.quote(board.home()), rid = runtimeId;
        String script = String.join("\n",
                "H=$(cd " + home + " 2>/dev/null && pwd) || { echo deploy; exit 0; }; R=\"$H/runtime/" + rid + "\"; [ -e \"$R/.ready\" ] || { echo deploy; exit 0; }",
                "mkdir -p \"$H/agents\" && chmod 700 \"$H/agents\" || exit 0; a=\"$H/agents/" + rid + ".json\"",
                // an agent of another runtime (hexo was redeployed) leaves; one that was killed left its file
                "for f in \"$H/agents/\"*.json; do [ -e \"$f\" ] || continue; p=$(sed -n 's/.*\"pid\":\\([0-9]*\\).*/\\1/p' \"$f\")",
                "  if [ \"$f\" != \"$a\" ]; then kill \"$p\" 2>/dev/null; rm -f \"$f\"; elif ! kill -0 \"$p\" 2>/dev/null; then rm -f \"$f\"; fi",
                "done",
                "[ -e \"$a\" ] || (setsid \"$R/hexo\" board agent --idle " + idleSeconds() + " \"$a\" < /dev/null > /dev/null 2> \"$H/agents/" + rid + ".log\" &)",
                "n=0; while [ ! -e \"$a\" ] && [ $n -lt 2000 ]; do sleep 0.01; n=$((n+1)); done",
                "cat \"$a\" 2>/dev/null; true");
        java.io.ByteArrayOutputStream reply = new java.io.ByteArrayOutputStream();
        mina.call(script, null, reply, OutputStream.nullOutputStream());
        return reply.toString(StandardCharsets.UTF_8).trim();
    }
}
