package io.hexo.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.hexo.vmm.checkpoint.CheckpointReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;

/**
 * The kept-open connection to a board against a real sshd on loopback: hexo's holder here (one MINA
 * connection for every command), its agent on the board (reached through a direct-tcpip channel) and
 * the spare JVM that a warm run starts in. Warm runs use all three; a killed agent, spare or holder, a
 * holder and an agent of another build, and a holder killed in the middle of a transfer cost time at
 * most, never a run's output, its exit status or a checkpoint.
 */
public class BoardHolderTest {
    @Rule
    public final OpenSshServer.Boards b = new OpenSshServer.Boards("boardhold", "pi");

    private static Path hello() {
        return Hexo.program("board-hello", Map.of("hello.c", "#include <stdio.h>\nint main(void) { puts(\"hello from the board\"); return 3; }\n"), false);
    }

    private Hexo.Cli helloRun() {
        Hexo.Cli run = b.hexo("run", "--board", "pi", "--isa", "x86", "--engine", "process", hello().toString());
        assertEquals(run.stderr(), 3, run.status());
        assertEquals("hello from the board\n", run.stdout());
        return run;
    }

    /** Logins sshd accepted so far: a command through the holder makes none. */
    private long logins() throws IOException {
        return Files.readString(b.sshd.dir.resolve("sshd.log")).lines().filter(l -> l.contains("Accepted publickey")).count();
    }

    /** This test's holder (its environment names this test's boards file), if one runs. */
    private Optional<ProcessHandle> holder() {
        return b.holders().stream().findFirst();
    }

    /** The pid in the board's file of the agent, once it is up. */
    private long agentPid(String runtime) throws Exception {
        Path file = b.boardHome.resolve("agents/" + runtime + ".json");
        await("the agent " + file, () -> Files.exists(file));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"pid\":(\\d+)").matcher(Files.readString(file));
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }

    /** The runtime the board runs (the one deployed). */
    private String runtime() throws IOException {
        try (Stream<Path> s = Files.list(b.boardHome.resolve("runtime"))) {
            return s.filter(BoardHolderTest::wholeSet).findFirst().orElseThrow().getFileName().toString();
        }
    }

    /** A set directory in its place (ID, marked .ready), not one being assembled (ID.tmp.N). */
    private static boolean wholeSet(Path p) {
        return p.getFileName().toString().matches("[0-9a-f]{20}") && Files.exists(p.resolve(".ready"));
    }

    private boolean runtimeReady() throws IOException {
        try (Stream<Path> s = Files.list(b.boardHome.resolve("runtime"))) {
            return s.anyMatch(BoardHolderTest::wholeSet);
        }
    }

    /** The spare waiting for the next run, once it is ready. */
    private Path readySpare() throws Exception {
        await("a ready spare", () -> spares().stream().anyMatch(d -> Files.exists(d.resolve("ready"))));
        return spares().stream().filter(d -> Files.exists(d.resolve("ready"))).findFirst().orElseThrow();
    }

    private List<Path> spares() throws IOException {
        if (!Files.isDirectory(b.boardHome.resolve("spares"))) return List.of();
        try (Stream<Path> s = Files.list(b.boardHome.resolve("spares"))) {
            return s.toList();
        }
    }

    private static long pidIn(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).trim());
    }

    /** The newest run directory on the board. */
    private Path lastRun() throws IOException {
        try (Stream<Path> s = Files.list(b.boardHome.resolve("runs"))) {
            return s.max(java.util.Comparator.comparing(p -> p.getFileName().toString())).orElseThrow();
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static void await(String what, Check c) throws Exception {
        await(what, () -> "", c);
    }

    private static void await(String what, java.util.concurrent.Callable<String> state, Check c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!c.holds()) {
            if (System.nanoTime() > deadline) throw new AssertionError("waited a minute for " + what + state.call());
            Thread.sleep(50);
        }
    }

    /** What of hexo's resident parts is there, for a failure's message. */
    private String state() throws IOException {
        List<String> agents = List.of();
        if (Files.isDirectory(b.boardHome.resolve("agents"))) {
            try (Stream<Path> s = Files.list(b.boardHome.resolve("agents"))) {
                agents = s.map(p -> p.getFileName().toString()).toList();
            }
        }
        List<String> procs = ProcessHandle.allProcesses().map(p -> p.pid() + " " + String.join(" ", p.info().arguments().orElse(new String[0])))
                .filter(a -> a.contains(b.boardHome.toString()) || a.contains("BoardHolder")).toList();
        return ": holder " + holder() + ", agents dir " + agents + ", spares " + spares() + ", processes " + procs;
    }

    private static void killHard(long pid) {
        ProcessHandle.of(pid).ifPresent(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
    }

    private static boolean gone(long pid) {
        return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    @Test
    public void aWarmRunGoesThroughTheHeldConnectionTheAgentAndASpare() throws Exception {
        Hexo.Cli cold = helloRun();
        assertTrue(cold.stderr(), cold.stderr().contains("deploying to board pi"));
        long agent = agentPid(runtime());
        readySpare();
        long loginsBefore = logins();

        Hexo.Cli warm = helloRun();
        assertFalse(warm.stderr(), warm.stderr().contains("deploying"));
        assertEquals("no new SSH login: the holder's connection", loginsBefore, logins());
        assertTrue("the run started in the spare JVM (its arguments came through the FIFO)", Files.exists(lastRun().resolve("args")));
        assertFalse(gone(agent));
        Hexo.Cli ps = b.hexo("board", "ps", "pi");
        assertEquals(ps.stdout(), 2, ps.stdout().lines().filter(l -> l.contains("exited 3")).count());
        assertEquals(loginsBefore, logins());

        Hexo.Cli bye = b.hexo("board", "disconnect", "pi");
        assertEquals(bye.stderr(), "board pi: disconnected\n", bye.stdout());
        await("the holder, agent and spare gone", () -> state(), () -> holder().isEmpty() && gone(agent) && spares().isEmpty());
        assertEquals("board pi: no connection was held\n", b.hexo("board", "disconnect", "pi").stdout());
        helloRun(); // and again without: connects itself
    }

    @Test
    public void aKilledAgentSpareOrHolderCostsTimeOnly() throws Exception {
        helloRun();
        killHard(agentPid(runtime()));
        killHard(pidIn(readySpare().resolve("pid")));
        helloRun();
        assertFalse("a dead spare is not used", Files.exists(lastRun().resolve("args")));

        long holder = holder().orElseThrow().pid();
        killHard(holder);
        await("the holder killed", () -> gone(holder));
        long loginsBefore = logins();
        helloRun(); // its socket is left behind: the command connects itself and starts another
        assertTrue("connected itself", logins() > loginsBefore);
        await("a new holder", () -> holder().isPresent());
        Hexo.Cli ps = b.hexo("board", "ps", "pi");
        assertEquals(ps.stdout(), 3, ps.stdout().lines().filter(l -> l.contains("exited 3")).count());
    }

    @Test
    public void aHolderAnAgentAndASpareOfAnotherBuildAreReplaced() throws Exception {
        helloRun();
        String runtime = runtime();
        long agent = agentPid(runtime);
        Path spare = readySpare();
        long holder = holder().orElseThrow().pid();
        // What an older hexo left on the board: its agent and its spare (another runtime's names).
        Path oldAgentFile = b.boardHome.resolve("agents/0000older0000.json");
        Process oldAgent = new ProcessBuilder("setsid", b.boardHome.resolve("runtime/" + runtime + "/hexo").toString(), "board", "agent",
                "--idle", "120", oldAgentFile.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        await("the older agent", () -> Files.exists(oldAgentFile));
        Path oldSpare = spare.resolveSibling("0000older0000-1");
        Files.move(spare, oldSpare);
        long oldSparePid = pidIn(oldSpare.resolve("pid"));
        // This hexo is rebuilt (its jar is newer): the holder of the old build steps down for a new one.
        Path jar = Hexo.HOME.resolve("compiler-bridge/target/compiler-bridge-0.1.0-SNAPSHOT.jar");
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));

        helloRun();
        await("the old holder gone", () -> gone(holder));
        await("a new holder", () -> holder().isPresent());
        await("the older agent stopped", () -> !oldAgent.isAlive() && !Files.exists(oldAgentFile));
        await("the older spare stopped", () -> gone(oldSparePid) && !Files.exists(oldSpare));
        assertFalse("this runtime's agent stays", gone(agent));
        helloRun();
    }

    @Test
    public void aTransferWhoseHolderIsKilledHalfwayResumesAndComesBackTheSameWay() throws Exception {
        BoardRunTest.TwoCheckpoints at = BoardRunTest.TwoCheckpoints.of(BoardRunTest.bigState());
        Path first = at.first(), second = at.second();
        Hexo.Cli push = b.hexo("transfer", "--from", first.toString(), "--to-board", "pi");
        assertEquals(push.stderr(), 0, push.status());
        // the holder deploys hexo's runtime for its agent when a transfer comes first
        await("hexo's runtime deployed by the holder", () -> Files.isDirectory(b.boardHome.resolve("runtime")) && runtimeReady());
        agentPid(runtime());
        Path work = b.boardHome.resolve("work");

        BoardRunTest.Live cut = BoardRunTest.Live.start(b.env, b.home, "transfer", "--from", second.toString(), "--to-board", "pi");
        Path part = work.resolve("bss.bin.part");
        await("bss.bin on its way", () -> Files.exists(part) && Files.size(part) > (1 << 20));
        // Stopped first, at once: on a fast loopback the rest of the 160 MB can arrive while killHard walks /proc.
        long holderPid = holder().orElseThrow().pid();
        new ProcessBuilder("kill", "-STOP", Long.toString(holderPid)).start().waitFor();
        killHard(holderPid);
        assertEquals(cut.stderr(), 1, cut.waitFor(60));
        assertTrue(cut.stderr(), cut.stderr().contains("lost the connection to board pi (its hexo holder went away)"));
        assertFalse(cut.stderr(), cut.stderr().contains("Exception"));
        assertEquals("--resume would still take the first checkpoint, whole", 1, CheckpointReader.verify(work, null).pointsReached());

        Hexo.Cli again = b.hexo("transfer", "--from", second.toString(), "--to-board", "pi");
        assertEquals(again.stderr(), 0, again.status());
        assertTrue(again.stderr(), again.stderr().contains("hexo: continuing bss.bin at "));
        assertEquals(2, CheckpointReader.verify(work, null).pointsReached());

        Path back = Hexo.tempDir("back");
        long loginsBefore = logins();
        Hexo.Cli pull = b.hexo("transfer", "--from-board", "pi", "--to", back.toString());
        assertEquals(pull.stderr(), 0, pull.status());
        assertEquals("through the holder", loginsBefore, logins());
        assertEquals(2, CheckpointReader.verify(back, null).pointsReached());
        assertEquals(-1L, Files.mismatch(second.resolve("bss.bin"), back.resolve("bss.bin")));
    }

    @Test
    public void anIdleHolderAgentAndSpareLeaveByThemselves() throws Exception {
        b.env.put("HEXO_BOARD_IDLE", "5");
        helloRun();
        helloRun();
        assertTrue("a spare was there for the second run", Files.exists(lastRun().resolve("args")));
        // whichever of them came up (the agent starts in the background) leaves after 5 s unused
        await("all of them gone", () -> state(), () -> holder().isEmpty() && spares().isEmpty() && !Files.exists(b.boardHome.resolve("agents/" + runtime() + ".json"))
                && ProcessHandle.allProcesses().noneMatch(p -> p.info().arguments().map(a -> String.join(" ", a).contains(b.boardHome.toString())).orElse(false)));
        assertEquals("board pi: no connection was held\n", b.hexo("board", "disconnect", "pi").stdout());
    }
}
