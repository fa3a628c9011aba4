package io.hexo.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The full path on a real ARM64 board: tools/board-in-a-box (Debian arm64 under qemu-system-aarch64,
 * EL2 on, so hexo there runs guests on its /dev/kvm), reached over SSH. Deploy + run with the guest's
 * exit code, and migration x86-64 → board (ARM64 KVM) → x86-64 with the output of an unmigrated run.
 * Emulated, so slow (a JVM start there takes seconds): ~4-6 minutes in all, the first time a minute more
 * to make the board's disk from Debian's packages. The board's disk stays in target/e2e/board-in-a-box.
 */
public class BoardInABoxTest {
    private static final Path BOX = Hexo.WORK.resolve("board-in-a-box");
    private static final Path SCRIPT = Hexo.HOME.resolve("tools/board-in-a-box/board-in-a-box");
    private static Map<String, String> env;
    private static Path home;

    @BeforeClass
    public static void startTheBox() throws Exception {
        home = Hexo.tempDir("box");
        Files.createDirectories(home.resolve("ssh"));
        env = Map.of("HEXO_CONFIG_HOME", home.resolve("config").toString(), "HEXO_SSH_DIR", home.resolve("ssh").toString());
        String started = box("start");
        Matcher add = Pattern.compile("hexo board add box --host (\\S+) --port (\\d+) --user (\\S+) --key (\\S+) --home (\\S+)").matcher(started);
        assertTrue("no board add line from board-in-a-box start:\n" + started, add.find());
        Hexo.Cli a = Hexo.cli(env, home, "board", "add", "box", "--host", add.group(1), "--port", add.group(2), "--user", add.group(3),
                "--key", add.group(4), "--home", add.group(5));
        assertEquals(a.stderr(), 0, a.status());
        Hexo.Cli trust = Hexo.cli(env, home, "board", "trust", "box");
        assertEquals(trust.stderr(), 0, trust.status());
        Hexo.Cli test = Hexo.cli(env, home, "board", "test", "box");
        assertEquals(test.stderr(), 0, test.status());
        assertTrue(test.stdout(), test.stdout().contains("  isa aarch64") && test.stdout().contains("engine KVM (/dev/kvm)"));
    }

    @AfterClass
    public static void stopTheBox() throws Exception {
        box("stop");
    }

    private static String box(String what) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString(), what).redirectErrorStream(true);
        pb.environment().put("HEXO_BOX_DIR", BOX.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("board-in-a-box " + what + " did not finish in 15 minutes:\n" + out);
        }
        if (what.equals("start") && p.exitValue() != 0) throw new AssertionError("board-in-a-box start failed:\n" + out);
        return out;
    }

    private static Hexo.Cli hexo(String... args) {
        return Hexo.cli(env, home, args);
    }

    @Test
    public void helloRunsOnTheBoardsKvmWithItsExitCode() {
        Path images = Hexo.program("box-hello", Map.of("hello.c", "#include <stdio.h>\nint main(void) { puts(\"hello from arm64\"); return 3; }\n"), false);
        Hexo.Cli run = hexo("run", "--board", "box", "--isa", "arm", "--mem", "256M", images.toString());
        assertEquals(run.stderr(), 3, run.status());
        assertEquals("hello from arm64\n", run.stdout());
        assertTrue(run.stderr(), run.stderr().contains("engine: KVM for the aarch64 guest"));
    }

    @Test
    public void migrationX86ToTheBoardAndBackPrintsWhatAnUnmigratedRunPrints() {
        Path images = Hexo.sample("hello-migrate");
        Path x86 = Hexo.tempDir("box-x86"), back = Hexo.tempDir("box-back");
        Hexo.Cli first = hexo("run", "--isa", "x86", "--migrate-at-point", "3", "--workdir", x86.toString(), "--checkpoint-dir", x86.toString(), images.toString());
        assertEquals(first.stderr(), 75, first.status());
        Hexo.Cli push = hexo("transfer", "--from", x86.toString(), "--to-board", "box");
        assertEquals(push.stderr(), 0, push.status());
        Hexo.Cli board = hexo("run", "--board", "box", "--isa", "arm", "--mem", "256M", "--resume", "--migrate-at-point", "6", images.toString());
        assertEquals(board.stderr(), 75, board.status());
        assertTrue(board.stderr(), board.stderr().contains("engine: KVM for the aarch64 guest"));
        Hexo.Cli pull = hexo("transfer", "--from-board", "box", "--to", back.toString());
        assertEquals(pull.stderr(), 0, pull.status());
        Hexo.Cli last = hexo("run", "--isa", "x86", "--resume", "--workdir", back.toString(), "--checkpoint-dir", back.toString(), images.toString());
        assertEquals(last.stderr(), 0, last.status());
        assertEquals(Hexo.expected("hello-migrate"), first.stdout() + board.stdout() + last.stdout());
    }
}
