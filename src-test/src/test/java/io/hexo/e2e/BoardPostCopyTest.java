package io.hexo.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;

/**
 * Post-copy with a board named, against a real sshd on loopback: the page server keeps listening on
 * loopback, and the other side reaches it through the board's SSH connection — a remote forward when the
 * destination runs on the board, a local forward when the source does. x86 → board (ARM) and back.
 */
public class BoardPostCopyTest {
    @Rule
    public final OpenSshServer.Boards b = new OpenSshServer.Boards("boardpc", "pi");

    /** The minimal checkpoint's files (what `hexo transfer` moves in post-copy mode), copied from one side's directory to the other's. */
    private static void copyMinimal(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) if (p.getFileName().toString().contains(".bin")) Files.copy(p, to.resolve(p.getFileName()));
        }
    }

    private static String awaitLine(BoardRunTest.Live p, Pattern pattern) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(p.stderr());
            if (m.find()) return m.group(1);
            assertTrue("ended before: " + p.stderr(), p.alive());
            Thread.sleep(50);
        }
        throw new AssertionError("no " + pattern + " in " + p.stderr());
    }

    @Test
    public void theDestinationOnTheBoardReachesThePageServerHereThroughSsh() throws Exception {
        Path images = Hexo.sample("hello-migrate");
        Path here = Hexo.tempDir("pc-src");
        BoardRunTest.Live source = BoardRunTest.Live.start(b.env, b.home, "run", "--isa", "x86", "--migrate-at-point", "8", "--full-chkpt-save", "0",
                "--port", "0", "--checkpoint-dir", here.toString(), "--workdir", here.toString(), images.toString());
        try {
            destinationOnTheBoard(source, here, images);
        } finally {
            if (source.alive()) source.kill(); // an assertion failed: the source must not serve for ever
        }
    }

    private void destinationOnTheBoard(BoardRunTest.Live source, Path here, Path images) throws Exception {
        String server = awaitLine(source, Pattern.compile("--server (127\\.0\\.0\\.1:\\d+)"));
        copyMinimal(here, b.boardHome.resolve("work"));

        Hexo.Cli board = b.hexo("run", "--board", "pi", "--isa", "arm", "--resume", "--full-chkpt-restore", "0", "--server", server, images.toString());
        assertEquals(board.stderr(), 0, board.status());
        assertTrue(board.stderr(), board.stderr().contains("hexo: post-copy: board pi reaches the page server " + server + " through SSH (as 127.0.0.1:"));
        assertTrue(board.stderr(), board.stderr().contains("hand-over done"));
        assertEquals(source.stderr(), 75, source.waitFor(60));
        assertEquals(Hexo.expected("hello-migrate"), source.stdout() + board.stdout());
    }

    @Test
    public void theSourceOnTheBoardIsReachedHereThroughAForwardedPort() throws Exception {
        Path images = Hexo.sample("hello-migrate");
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        BoardRunTest.Live source = BoardRunTest.Live.start(b.env, b.home, "run", "--board", "pi", "--isa", "arm", "--migrate-at-point", "8",
                "--full-chkpt-save", "0", "--port", Integer.toString(port), images.toString());
        try {
            sourceOnTheBoard(source, port, images);
        } finally {
            if (source.alive()) source.kill(); // its run on the board is stopped by stop()
        }
    }

    private void sourceOnTheBoard(BoardRunTest.Live source, int port, Path images) throws Exception {
        String forwarded = awaitLine(source, Pattern.compile("resume with --server (127\\.0\\.0\\.1:\\d+)"));
        awaitLine(source, Pattern.compile("(serving the guest's pages)"));
        assertTrue(source.stderr(), !forwarded.equals("127.0.0.1:" + port));
        Path dest = Hexo.tempDir("pc-dst");
        copyMinimal(b.boardHome.resolve("work"), dest);

        Hexo.Cli d = Hexo.cli(b.env, dest, "run", "--isa", "x86", "--resume", "--full-chkpt-restore", "0", "--server", forwarded, "--checkpoint-dir",
                dest.toString(), "--workdir", dest.toString(), images.toString());
        assertEquals(d.stderr(), 0, d.status());
        assertTrue(d.stderr(), d.stderr().contains("hand-over done"));
        assertEquals(source.stderr(), 75, source.waitFor(60));
        assertEquals(Hexo.expected("hello-migrate"), source.stdout() + d.stdout());
        assertTrue(source.stderr(), !source.stderr().contains("the checkpoint is on board"));
    }

    @Test
    public void aSourceOnTheBoardNeedsAPortOfItsOwn() {
        Hexo.Cli c = b.hexo("run", "--board", "pi", "--isa", "arm", "--full-chkpt-save", "0", "--port", "0", Hexo.sample("hello-migrate").toString());
        assertEquals(c.stderr(), 2, c.status());
        assertEquals(c.stderr(), 1, c.stderr().strip().lines().count());
        assertTrue(c.stderr(), c.stderr().contains("give the page server a port (--port N, not 0)"));
        assertTrue(List.of(c.stderr()).toString(), !c.stderr().contains("Exception"));
    }
}
