package io.hexo.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.checkpoint.CheckpointReader;
import io.hexo.vmm.run.Outcome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;

/**
 * `hexo run --board` and board transfers against a real OpenSSH server on loopback: an x86-64 "board"
 * (this machine, through sshd) that runs the ARM images on its process engine under qemu-user. Deploy,
 * exit codes, Ctrl-C and SIGUSR1 passed on, migration x86 → board → x86, a cut link followed by
 * `board ps` and `--attach`, a transfer killed halfway, and refusals in one sentence.
 */
public class BoardRunTest {
    @Rule
    public final OpenSshServer.Boards b = new OpenSshServer.Boards("boardrun", "pi");

    private static Path hello() {
        return Hexo.program("board-hello", Map.of("hello.c", "#include <stdio.h>\nint main(void) { puts(\"hello from the board\"); return 3; }\n"), false);
    }

    private static void oneSentence(Hexo.Cli c, String fragment) {
        oneSentence(c, 2, fragment);
    }

    private static void oneSentence(Hexo.Cli c, int status, String fragment) {
        assertEquals(c.stdout() + c.stderr(), status, c.status());
        assertTrue(c.stderr(), c.stderr().contains(fragment));
        assertEquals("one line: " + c.stderr(), 1, c.stderr().strip().lines().count());
        assertFalse(c.stderr(), c.stderr().contains("Exception") || c.stderr().contains("\tat "));
    }

    @Test
    public void helloRunsOnTheBoardWithItsExitCodeAndASecondRunDeploysNothing() {
        Path images = hello();
        Hexo.Cli first = b.hexo("run", "--board", "pi", "--isa", "arm", images.toString());
        assertEquals(first.stderr(), 3, first.status());
        assertEquals("hello from the board\n", first.stdout());
        assertTrue(first.stderr(), first.stderr().contains("hexo: deploying to board pi: "));
        assertTrue(first.stderr(), first.stderr().contains("process (qemu-aarch64-static)"));

        Hexo.Cli again = b.hexo("run", "--board", "pi", "--isa", "x86", "--engine", "process", images.toString());
        assertEquals(again.stderr(), 3, again.status());
        assertEquals("hello from the board\n", again.stdout());
        assertFalse("warm: nothing deployed\n" + again.stderr(), again.stderr().contains("deploying"));

        Hexo.Cli ps = b.hexo("board", "ps", "pi");
        assertEquals(ps.stderr(), 2, ps.stdout().lines().filter(l -> l.contains("exited 3")).count());
    }

    @Test
    public void ctrlCReachesTheGuestOnTheBoard() throws Exception {
        Live run = Live.start(b.env, b.home, "run", "--board", "pi", "--isa", "arm", Hexo.sample("hello-migrate").toString());
        run.awaitStdout("Iteration 1/10");
        run.signal("INT");
        int status = run.waitFor(60);
        assertTrue("interrupted, not finished: " + status + "\n" + run.stderr(), status == 130 || status == 143);
        assertFalse(run.stdout(), run.stdout().contains("Iteration 9/10"));
        Hexo.Cli ps = b.hexo("board", "ps", "pi");
        assertTrue(ps.stdout(), ps.stdout().contains("exited " + status));
        assertFalse(ps.stdout(), ps.stdout().contains("running"));
    }

    @Test
    public void migrationX86ToTheBoardAndBackPrintsWhatAnUnmigratedRunPrints() throws Exception {
        Path images = Hexo.sample("hello-migrate");
        Path x86 = Hexo.tempDir("x86");
        Hexo.Cli out = b.hexo("run", "--isa", "x86", "--migrate-at-point", "3", "--workdir", x86.toString(), "--checkpoint-dir", x86.toString(), images.toString());
        assertEquals(out.stderr(), 75, out.status());
        Hexo.Cli push = b.hexo("transfer", "--from", x86.toString(), "--to-board", "pi");
        assertEquals(push.stderr(), 0, push.status());

        // On the board, SIGUSR1 (the CLI's migration request) makes the guest checkpoint there.
        Live board = Live.start(b.env, b.home, "run", "--board", "pi", "--isa", "arm", "--resume", images.toString());
        board.awaitStdout("Iteration 4/10");
        board.signal("USR1");
        assertEquals(board.stderr(), 75, board.waitFor(60));
        assertTrue(board.stderr(), board.stderr().contains("the checkpoint is on board pi"));
        Checkpoint there = CheckpointReader.verify(b.boardHome.resolve("work"), null);
        assertTrue("resumed at point 3, moved on: " + there.pointsReached(), there.pointsReached() > 3);

        Path back = Hexo.tempDir("back");
        Hexo.Cli pull = b.hexo("transfer", "--from-board", "pi", "--to", back.toString());
        assertEquals(pull.stderr(), 0, pull.status());
        Hexo.Cli end = b.hexo("run", "--isa", "x86", "--resume", "--workdir", back.toString(), "--checkpoint-dir", back.toString(), images.toString());
        assertEquals(end.stderr(), 0, end.status());
        assertEquals(Hexo.expected("hello-migrate"), out.stdout() + board.stdout() + end.stdout());
    }

    @Test
    public void aCutLinkLeavesTheGuestRunningAndAttachFollowsItToItsEnd() throws Exception {
        try (CuttableLink link = new CuttableLink(b.sshd.port)) {
            b.add("far", link.port(), b.sshd.clientKey, System.getProperty("user.name"));
            assertEquals(0, b.hexo("board", "trust", "far").status());
            Live run = Live.start(b.env, b.home, "run", "--board", "far", "--isa", "arm", Hexo.sample("hello-migrate").toString());
            run.awaitStdout("Iteration 1/10");
            link.cut();
            assertEquals(run.stderr(), 255, run.waitFor(60));
            Matcher m = Pattern.compile("the guest goes on there as run (\\S+):").matcher(run.stderr());
            assertTrue(run.stderr(), m.find());
            String id = m.group(1);

            Hexo.Cli ps = b.hexo("board", "ps", "far");
            assertTrue(ps.stdout(), ps.stdout().lines().anyMatch(l -> l.startsWith(id) && l.contains("running")));
            Hexo.Cli attach = b.hexo("run", "--board", "far", "--attach", id);
            assertEquals(attach.stderr(), 0, attach.status());
            assertEquals(Hexo.expected("hello-migrate"), attach.stdout());
            oneSentence(b.hexo("run", "--board", "far", "--attach", "20000101-000000-1"), "board far has no run 20000101-000000-1");
        }
    }

    /** Two checkpoints of images (x86), in directories of their own: at its first migration point and at its second (run: what made it). */
    record TwoCheckpoints(Path first, Path second, Hexo.Run two) {
        static TwoCheckpoints of(Path images) throws IOException {
            Path first = Hexo.tempDir("first"), second = Hexo.tempDir("second");
            Hexo.Run one = Hexo.run(images, Isa.X86_64, Hexo.options().workdir(first).migrateAt(1));
            assertTrue(one.outcome().toString(), one.outcome() instanceof Outcome.Checkpointed);
            Hexo.Run two = Hexo.run(images, Isa.X86_64, Hexo.options().workdir(second).migrateAt(2));
            assertTrue(two.outcome().toString(), two.outcome() instanceof Outcome.Checkpointed);
            return new TwoCheckpoints(first, second, two);
        }
    }

    /** Big enough (160 MB of state) that a transfer can be killed in its middle. */
    static Path bigState() {
        return Hexo.program("board-big", Map.of("big.c", String.join("\n",
                "#include <stdio.h>",
                "#include <hermit/migration.h>",
                "#define N (160L * 1024 * 1024)",
                "static unsigned char big[N];",
                "int main(void) {",
                "    unsigned x = 12345;",
                "    for (long i = 0; i < N; i++) { x = x * 1103515245u + 12345u; big[i] = x >> 16; }",
                "    for (int k = 0; k < 4; k++) {",
                "        popcorn_check_migrate();",
                "        unsigned long s = 0;",
                "        for (long i = k; i < N; i += 4099) s += big[i];",
                "        big[k] ^= 1;",
                "        printf(\"step %d sum %lu\\n\", k, s);",
                "    }",
                "    return 0;",
                "}", "")), false);
    }

    @Test
    public void aTransferKilledHalfwayResumesAndTheBoardNeverHoldsAHalfCheckpoint() throws Exception {
        Path images = bigState();
        Hexo.Run whole = Hexo.run(images, Isa.X86_64, Hexo.options());
        assertEquals(whole.stderr(), 0, whole.status());
        TwoCheckpoints at = TwoCheckpoints.of(images);
        Path first = at.first(), second = at.second();

        Hexo.Cli push = b.hexo("transfer", "--from", first.toString(), "--to-board", "pi");
        assertEquals(push.stderr(), 0, push.status());
        Path work = b.boardHome.resolve("work");
        assertEquals(1, CheckpointReader.verify(work, null).pointsReached());

        // The second checkpoint differs in its big file: kill the transfer while that file is on its way.
        Live killed = Live.start(b.env, b.home, "transfer", "--from", second.toString(), "--to-board", "pi");
        Path part = work.resolve("bss.bin.part");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(part) && Files.size(part) > (16 << 20))) {
            assertTrue("the transfer never got going: " + killed.stderr(), System.nanoTime() < deadline && killed.alive());
            Thread.sleep(2);
        }
        killed.kill();
        long cut = Files.size(part);
        assertTrue("killed halfway: " + cut, cut < Files.size(second.resolve("bss.bin")));
        // What --resume would take is still the first checkpoint, whole.
        assertEquals(1, CheckpointReader.verify(work, null).pointsReached());

        Hexo.Cli again = b.hexo("transfer", "--from", second.toString(), "--to-board", "pi");
        assertEquals(again.stderr(), 0, again.status());
        assertTrue(again.stderr(), again.stderr().contains("hexo: continuing bss.bin at "));
        assertEquals(2, CheckpointReader.verify(work, null).pointsReached());

        Hexo.Cli resumed = b.hexo("run", "--board", "pi", "--isa", "arm", "--resume", images.toString());
        assertEquals(resumed.stderr(), 0, resumed.status());
        assertEquals(whole.stdout(), at.two().stdout() + resumed.stdout());
    }

    @Test
    public void aWrongUserAWrongKeyAndAChangedHostKeyAreOneSentenceEach() throws Exception {
        Path images = hello();
        Path stranger = b.home.resolve("stranger");
        assertEquals(0, new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger.toString()).start().waitFor());
        b.add("pi", b.sshd.port, stranger, System.getProperty("user.name"));
        oneSentence(b.hexo("run", "--board", "pi", "--isa", "arm", images.toString()), "refused user " + System.getProperty("user.name"));
        b.add("pi", b.sshd.port, b.sshd.clientKey, "nosuchuser");
        oneSentence(b.hexo("run", "--board", "pi", "--isa", "arm", images.toString()), "refused user nosuchuser");
        b.add("pi", b.sshd.port, b.sshd.clientKey, System.getProperty("user.name"));
        b.sshd.newHostKey();
        b.sshd.restart();
        oneSentence(b.hexo("run", "--board", "pi", "--isa", "arm", images.toString()), "presented a different host key");
        oneSentence(b.hexo("transfer", "--from", b.home.toString(), "--to-board", "pi"), 1, "presented a different host key"); // transfer's failure status
        assertFalse("nothing went to a board whose key changed", Files.exists(b.boardHome.resolve("runs")));
    }

    @Test
    public void aBoardWithoutJavaIsOneSentence() throws Exception {
        // Its sessions find every command of this machine but java.
        Path bin = Files.createDirectories(b.home.resolve("no-java-bin"));
        for (String dir : new String[] {"/usr/bin", "/usr/sbin"}) {
            try (var files = Files.list(Path.of(dir))) {
                for (Path f : files.toList()) {
                    Path link = bin.resolve(f.getFileName());
                    if (!f.getFileName().toString().equals("java") && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, f);
                    }
                }
            }
        }
        try (OpenSshServer noJava = new OpenSshServer(b.home.resolve("server-no-java"), List.of("SetEnv PATH=" + bin))) {
            Files.copy(b.sshd.clientKey.resolveSibling("client_ed25519.pub"), noJava.dir.resolve("authorized_keys"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            b.add("bare", noJava.port, b.sshd.clientKey, System.getProperty("user.name"));
            assertEquals(0, b.hexo("board", "trust", "bare").status());
            oneSentence(b.hexo("run", "--board", "bare", "--isa", "arm", hello().toString()), "board bare has no Java (no `java` on its PATH)");
        }
    }

    /** The launcher running in the background, its output collected as it comes. */
    static final class Live {
        private final Process process;
        private final StringBuffer out = new StringBuffer(), err = new StringBuffer();

        private Live(Process p) {
            process = p;
            pump(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)), out);
            pump(new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8)), err);
        }

        static Live start(Map<String, String> env, Path cwd, String... args) throws IOException {
            List<String> cmd = new ArrayList<>();
            // a test run started in the background inherits SIGINT ignored, which a shell cannot undo and the JVM keeps:
            // the command gets the default handling a user's terminal gives it
            cmd.addAll(List.of("env", "--default-signal=INT,TERM,USR1"));
            cmd.add(Hexo.HOME.resolve("hexo").toString());
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            return new Live(p);
        }

        private static void pump(BufferedReader r, StringBuffer into) {
            Thread t = new Thread(() -> {
                try {
                    for (int c; (c = r.read()) >= 0; ) into.append((char) c);
                } catch (IOException ignored) {
                    // the process went away
                }
            });
            t.setDaemon(true);
            t.start();
        }

        void awaitStdout(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!out.toString().contains(text)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("no '" + text + "' in:\n" + out + "\n" + err);
                }
                Thread.sleep(20);
            }
        }

        /** A signal as a terminal or `kill` sends it: to the launcher, which passes it on as a user's shell would. */
        void signal(String name) throws Exception {
            assertEquals(0, new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor());
        }

        boolean alive() {
            return process.isAlive();
        }

        /**
         * The program the launcher's process runs once it is past the launcher script ("java", or
         * "hexo-board-client" for a warm board run), polled for up to 20 s; stops early at one of until.
         */
        String program(String... until) throws InterruptedException {
            String seen = "";
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); System.nanoTime() < deadline; Thread.sleep(5)) {
                try {
                    seen = Files.readSymbolicLink(Path.of("/proc/" + process.pid() + "/exe")).getFileName().toString();
                } catch (IOException gone) {
                    return seen; // it ended: what it ran last
                }
                if (until.length == 0 ? !List.of("env", "bash").contains(seen) : List.of(until).contains(seen)) return seen; // the launcher: #!/usr/bin/env bash
            }
            return seen;
        }

        /** SIGKILL to the launcher and the JVM under it: nothing gets to clean up. */
        void kill() throws InterruptedException {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
        }

        int waitFor(int seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                kill();
                throw new AssertionError("still running after " + seconds + " s:\n" + out + "\n" + err);
            }
            Thread.sleep(100); // the pumps' last bytes
            return process.exitValue();
        }

        String stdout() { return out.toString(); }
        String stderr() { return err.toString(); }
    }

    /** A TCP relay to sshd whose connections can be cut at once, as a pulled cable or a dead Wi-Fi would. */
    static final class CuttableLink implements AutoCloseable {
        private final java.net.ServerSocket server;
        private final List<java.net.Socket> open = java.util.Collections.synchronizedList(new ArrayList<>());

        CuttableLink(int to) throws IOException {
            server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        java.net.Socket in = server.accept();
                        java.net.Socket out = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), to);
                        open.add(in);
                        open.add(out);
                        relay(in, out);
                        relay(out, in);
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            accept.setDaemon(true);
            accept.start();
        }

        private static void relay(java.net.Socket from, java.net.Socket to) {
            Thread t = new Thread(() -> {
                try {
                    from.getInputStream().transferTo(to.getOutputStream());
                } catch (IOException cut) {
                    // cut() closed it
                }
            });
            t.setDaemon(true);
            t.start();
        }

        int port() { return server.getLocalPort(); }

        void cut() {
            synchronized (open) {
                for (java.net.Socket s : open) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // already gone
                    }
                }
                open.clear();
            }
        }

        @Override
        public void close() throws IOException {
            cut();
            server.close();
        }
    }
}
