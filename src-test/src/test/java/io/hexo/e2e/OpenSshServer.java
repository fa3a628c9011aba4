package io.hexo.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server (Debian's openssh-server) on a loopback port of its own, for board tests: its
 * own host key, one authorized client key, logins as the current user by key only. Started per test,
 * stopped by close(); it fails loudly when sshd is missing or does not come up.
 */
final class OpenSshServer implements AutoCloseable {
    static final Path SSHD = Path.of("/usr/sbin/sshd");
    final Path dir;
    final int port;
    final Path clientKey;
    private Process process;

    OpenSshServer(Path dir) throws Exception {
        this(dir, List.of());
    }

    /** With more sshd_config lines (e.g. "SetEnv PATH=…": a board whose sessions see other commands). */
    OpenSshServer(Path dir, List<String> moreConfig) throws Exception {
        if (!Files.isExecutable(SSHD)) throw new AssertionError(SSHD + " is missing: tools/install.sh installs openssh-server");
        this.dir = dir;
        Files.createDirectories(dir);
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        clientKey = dir.resolve("client_ed25519");
        keygen(clientKey);
        Files.copy(dir.resolve("client_ed25519.pub"), dir.resolve("authorized_keys"));
        newHostKey();
        Files.createDirectories(Path.of("/run/sshd")); // privilege separation directory that sshd insists on
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_ed25519"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "PasswordAuthentication no",
                "KbdInteractiveAuthentication no", "PubkeyAuthentication yes", "PermitRootLogin prohibit-password",
                "StrictModes no", "UsePAM no", "Subsystem sftp internal-sftp", "PidFile " + dir.resolve("sshd.pid"), "")
                + String.join("\n", moreConfig) + "\n");
        start();
    }

    /**
     * A test's boards on a loopback sshd, as a JUnit rule: before each test, the sshd and a hexo
     * configuration of its own under home (config/ for the boards file, ssh/ for known_hosts), the boards'
     * hexo home at boardHome, and the named boards added with their host key trusted; after it, everything
     * the test started is stopped: hexo's holders of this configuration, its agents and spare JVMs,
     * guests left running under boardHome, and sshd.
     */
    static final class Boards extends org.junit.rules.ExternalResource {
        private final String prefix;
        private final List<String> names;
        Path home, boardHome;
        OpenSshServer sshd;
        /** The environment of every hexo the test runs (a test may add to it, e.g. HEXO_BOARD_IDLE). */
        final Map<String, String> env = new java.util.HashMap<>();

        /** names: boards on this sshd as the current user with its client key, added and trusted. */
        Boards(String prefix, String... names) {
            this.prefix = prefix;
            this.names = List.of(names);
        }

        @Override
        protected void before() throws Throwable {
            home = Hexo.tempDir(prefix);
            boardHome = home.resolve("board-home");
            sshd = new OpenSshServer(home.resolve("server"));
            Files.createDirectories(home.resolve("ssh"));
            env.put("HEXO_CONFIG_HOME", home.resolve("config").toString());
            env.put("HEXO_SSH_DIR", home.resolve("ssh").toString());
            for (String name : names) {
                add(name, sshd.port, sshd.clientKey, System.getProperty("user.name"));
                Hexo.Cli trust = hexo("board", "trust", name);
                if (trust.status() != 0) throw new AssertionError("board trust " + name + ": " + trust.stderr());
            }
        }

        /** `hexo board add NAME` at that port, key and user, the boards' hexo home at boardHome. */
        void add(String name, int port, Path key, String user) {
            Hexo.Cli add = hexo("board", "add", name, "--host", "127.0.0.1", "--port", Integer.toString(port), "--user", user,
                    "--key", key.toString(), "--home", boardHome.toString());
            if (add.status() != 0) throw new AssertionError("board add " + name + ": " + add.stderr());
        }

        Hexo.Cli hexo(String... args) {
            return Hexo.cli(env, home, args);
        }

        /** The hexo holders of this configuration (their environment names its boards file). */
        List<ProcessHandle> holders() {
            String mine = "HEXO_CONFIG_HOME=" + env.get("HEXO_CONFIG_HOME");
            return ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains("io.hexo.cli.Main board hold ")).orElse(false))
                    .filter(p -> {
                        try {
                            return List.of(new String(Files.readAllBytes(Path.of("/proc/" + p.pid() + "/environ")), StandardCharsets.UTF_8).split("\0")).contains(mine);
                        } catch (IOException gone) {
                            return false;
                        }
                    }).toList();
        }

        /**
         * hexo's processes of boardHome: agents, spare JVMs and their supervisors (they run from its runtime).
         * Only those: a login shell of sshd's killed in the middle of its start-up files may leave their
         * locks behind (pyenv's rehash lock made every later login here wait 60 s).
         */
        List<ProcessHandle> onTheBoard() {
            String where = boardHome.toString();
            return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c -> c.contains(where)
                    && (p.info().command().orElse("").endsWith("/java") || c.contains("/bin/hexo-supervise "))).orElse(false)).toList();
        }

        @Override
        protected void after() {
            if (sshd == null) return;
            try {
                // no spare may come up from here on (a run's end starts one in the background once its runtime is ready)
                if (Files.isDirectory(boardHome.resolve("runtime"))) {
                    try (var sets = Files.list(boardHome.resolve("runtime"))) {
                        for (Path set : sets.toList()) Files.deleteIfExists(set.resolve(".ready"));
                    }
                }
                disconnectBoards(env, home);
                stopBoardRuns(boardHome);
                // What disconnect could not reach (a board whose key changed, sshd stopped) or what came up
                // just after it (the spare a run's end starts in the background): stopped here.
                for (int quiet = 0, round = 0; quiet < 5 && round < 75; round++) {
                    List<ProcessHandle> left = new java.util.ArrayList<>(holders());
                    left.addAll(onTheBoard());
                    left.forEach(ProcessHandle::destroyForcibly);
                    quiet = left.isEmpty() ? quiet + 1 : 0;
                    Thread.sleep(200);
                }
            } catch (IOException | InterruptedException e) {
                throw new AssertionError("stopping what the test started", e);
            } finally {
                try {
                    sshd.close();
                } catch (Exception e) {
                    throw new AssertionError("stopping sshd", e);
                }
            }
        }
    }

    /** `hexo board disconnect` for every board in env's boards file: no holder, agent or spare JVM outlives a test. */
    static void disconnectBoards(Map<String, String> env, Path cwd) {
        Hexo.Cli list = Hexo.cli(env, cwd, "board", "list", "--json");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"name\":\"([^\"]+)\"").matcher(list.stdout());
        while (m.find()) Hexo.cli(env, cwd, "board", "disconnect", m.group(1));
    }

    /** Stops the guests `hexo run --board` left running under boardHome (a test that failed before their end). */
    static void stopBoardRuns(Path boardHome) throws IOException {
        Path runs = boardHome.resolve("runs");
        if (!Files.isDirectory(runs)) return;
        try (var dirs = Files.list(runs)) {
            for (Path d : dirs.toList()) {
                if (Files.exists(d.resolve("status")) || !Files.exists(d.resolve("pid"))) continue;
                ProcessHandle.of(Long.parseLong(Files.readString(d.resolve("pid")).trim())).ifPresent(p -> {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                });
            }
        }
    }

    /** Replaces the host key (a reinstalled board, or another machine at the same address). */
    void newHostKey() throws Exception {
        Files.deleteIfExists(dir.resolve("host_ed25519"));
        Files.deleteIfExists(dir.resolve("host_ed25519.pub"));
        keygen(dir.resolve("host_ed25519"));
    }

    void restart() throws Exception {
        close();
        start();
    }

    /** The host key's fingerprint as ssh-keygen prints it (SHA256:...). */
    String hostKeyFingerprint() throws Exception {
        String out = run(List.of("ssh-keygen", "-l", "-f", dir.resolve("host_ed25519.pub").toString()));
        return out.split("\\s+")[1];
    }

    private void start() throws Exception {
        process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new AssertionError("sshd exited: " + Files.readString(dir.resolve("sshd.log")));
            try (Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("sshd did not listen on port " + port + ": " + Files.readString(dir.resolve("sshd.log")));
    }

    private static void keygen(Path key) throws Exception {
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()));
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError(cmd + " failed: " + out);
        return out;
    }

    /**
     * Stops sshd and the connections it serves (sshd leaves them running when only its listener stops):
     * a board that goes away, as a hexo holder's kept-open connection sees it.
     */
    @Override
    public void close() throws Exception {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
            process = null;
        }
    }
}
