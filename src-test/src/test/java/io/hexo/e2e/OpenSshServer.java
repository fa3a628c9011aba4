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
