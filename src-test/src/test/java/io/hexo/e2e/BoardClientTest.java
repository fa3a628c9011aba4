package io.hexo.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;

/**
 * The launcher's native client (resources/client/hexo-board-client.c) against a real sshd on loopback:
 * once a board's holder runs, `hexo run --board` starts no JVM here — the holder runs the command, the
 * client relays its output, its exit status, Ctrl-C and SIGUSR1 — and whenever the holder cannot serve
 * (none there, one killed, one of another configuration), the launcher's JVM runs it as before.
 */
public class BoardClientTest {
    @Rule
    public final OpenSshServer.Boards b = new OpenSshServer.Boards("boardclient", "pi");

    private static Path hello() {
        return Hexo.program("board-hello", Map.of("hello.c", "#include <stdio.h>\nint main(void) { puts(\"hello from the board\"); return 3; }\n"), false);
    }

    private BoardRunTest.Live run(Map<String, String> env, String... args) throws Exception {
        return BoardRunTest.Live.start(env, b.home, args);
    }

    /** A first run (hexo's JVM: it deploys and starts the holder), then the holder's socket for the client. */
    private void warmUp() throws Exception {
        Hexo.Cli cold = b.hexo("run", "--board", "pi", "--isa", "x86", "--engine", "process", hello().toString());
        assertEquals(cold.stderr(), 3, cold.status());
        awaitHolder(b.env);
    }

    private void awaitHolder(Map<String, String> env) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // the holder answers once it is logged in: `board ps` through it makes no new login
        while (b.holders().isEmpty() || !Files.exists(clientSocket(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (System.nanoTime() > deadline) throw new AssertionError("no holder for board pi after a minute");
            Thread.sleep(50);
        }
        assertEquals(0, Hexo.cli(env, b.home, "board", "ps", "pi").status());
    }

    /** Where the launcher looks for board pi's holder (no XDG_RUNTIME_DIR in these tests' environment). */
    private static Path clientSocket() {
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        Path dir = xdg != null && !xdg.isEmpty() && Files.isDirectory(Path.of(xdg)) ? Path.of(xdg, "hexo")
                : Path.of(System.getProperty("user.home"), ".cache", "hexo", "boards");
        return dir.resolve("pi.sock");
    }

    @Test
    public void aWarmRunStartsNoJvmHereAndGivesTheGuestsOutputAndExitStatus() throws Exception {
        warmUp();
        BoardRunTest.Live warm = run(b.env, "run", "--board", "pi", "--isa", "x86", "--engine", "process", hello().toString());
        assertEquals("the native client, no JVM", "hexo-board-client", warm.program());
        assertEquals(warm.stderr(), 3, warm.waitFor(60));
        assertEquals("hello from the board\n", warm.stdout());
        assertFalse(warm.stderr(), warm.stderr().contains("deploying"));

        // a relative OUT is the client's, not the holder's
        Path images = hello();
        Hexo.Cli relative = Hexo.cli(b.env, images.getParent(), "run", "--board", "pi", "--isa", "x86", "--engine", "process",
                images.getFileName().toString());
        assertEquals(relative.stderr(), 3, relative.status());
        assertEquals("hello from the board\n", relative.stdout());

        // a command line the holder does not run (an unknown option) gets hexo's own sentence, from its JVM
        Hexo.Cli bad = b.hexo("run", "--board", "pi", "--isa", "x86", "--no-such-option", images.toString());
        assertEquals(bad.stderr(), 2, bad.status());
        assertTrue(bad.stderr(), bad.stderr().startsWith("hexo: "));
        assertFalse(bad.stderr(), bad.stderr().contains("Exception"));
    }

    @Test
    public void ctrlCAndSigusr1GoThroughTheNativeClient() throws Exception {
        warmUp();
        BoardRunTest.Live run = run(b.env, "run", "--board", "pi", "--isa", "x86", "--engine", "process", Hexo.sample("hello-migrate").toString());
        assertEquals("hexo-board-client", run.program());
        run.awaitStdout("Iteration 1/10");
        run.signal("INT");
        int status = run.waitFor(60);
        assertTrue("interrupted, not finished: " + status + "\n" + run.stderr(), status == 130 || status == 143);
        assertFalse(run.stdout(), run.stdout().contains("Iteration 9/10"));

        BoardRunTest.Live migrating = run(b.env, "run", "--board", "pi", "--isa", "x86", "--engine", "process", Hexo.sample("hello-migrate").toString());
        assertEquals("hexo-board-client", migrating.program());
        migrating.awaitStdout("Iteration 2/10");
        migrating.signal("USR1");
        assertEquals(migrating.stderr(), 75, migrating.waitFor(60));
        assertTrue(migrating.stderr(), migrating.stderr().contains("the checkpoint is on board pi"));
        Hexo.Cli ps = b.hexo("board", "ps", "pi");
        assertTrue(ps.stdout(), ps.stdout().contains("exited " + status) && ps.stdout().contains("exited 75"));
        assertFalse(ps.stdout(), ps.stdout().contains("running"));
    }

    @Test
    public void withoutAHolderOrWithOneOfOtherSettingsTheJvmRunsIt() throws Exception {
        warmUp();
        // another configuration (another boards file and known_hosts) with a board of the same name: the
        // holder at pi.sock is not its holder, so the client hands the command to hexo's JVM
        Path other = Hexo.tempDir("boardclient-other");
        Map<String, String> env2 = Map.of("HEXO_CONFIG_HOME", other.resolve("config").toString(), "HEXO_SSH_DIR", other.resolve("ssh").toString());
        Files.createDirectories(other.resolve("ssh"));
        Files.copy(b.home.resolve("ssh/known_hosts"), other.resolve("ssh/known_hosts"));
        Files.createDirectories(other.resolve("config"));
        Files.copy(b.home.resolve("config/boards.json"), other.resolve("config/boards.json"));
        try {
            BoardRunTest.Live theirs = run(env2, "run", "--board", "pi", "--isa", "x86", "--engine", "process", hello().toString());
            assertEquals("hexo's JVM", "java", theirs.program("java"));
            assertEquals(theirs.stderr(), 3, theirs.waitFor(60));
            assertEquals("hello from the board\n", theirs.stdout());
        } finally {
            Hexo.cli(env2, b.home, "board", "disconnect", "pi");
        }

        // no holder at all (disconnected): the JVM
        assertEquals(0, b.hexo("board", "disconnect", "pi").status());
        BoardRunTest.Live cold = run(b.env, "run", "--board", "pi", "--isa", "x86", "--engine", "process", hello().toString());
        assertEquals("java", cold.program());
        assertEquals(cold.stderr(), 3, cold.waitFor(60));
        assertEquals("hello from the board\n", cold.stdout());

        // a holder killed without a word leaves its socket: the client falls back, the JVM starts another
        awaitHolder(b.env);
        for (ProcessHandle h : b.holders()) h.destroyForcibly();
        for (ProcessHandle h : b.holders()) h.onExit().get(20, TimeUnit.SECONDS);
        BoardRunTest.Live after = run(b.env, "run", "--board", "pi", "--isa", "x86", "--engine", "process", hello().toString());
        assertEquals("java", after.program("java"));
        assertEquals(after.stderr(), 3, after.waitFor(60));
        assertEquals("hello from the board\n", after.stdout());
        awaitHolder(b.env);
        BoardRunTest.Live again = run(b.env, "run", "--board", "pi", "--isa", "x86", "--engine", "process", hello().toString());
        assertEquals("served by the client again", "hexo-board-client", again.program());
        assertEquals(again.stderr(), 3, again.waitFor(60));
    }
}
