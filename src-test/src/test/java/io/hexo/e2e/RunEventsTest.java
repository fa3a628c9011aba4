package io.hexo.e2e;

import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.run.RunEvent;
import org.junit.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

/** hexo run --events=json through the launcher, as a front-end (the IDE) reads it: every line an event of the format. */
public class RunEventsTest {
    @Test
    public void aMigratedRunSaysStartedPointsRequestCheckpointAndExit() throws Exception {
        Path images = Hexo.sample("hello-migrate"), ck = Hexo.tempDir("events");
        Path out = ck.resolve("x86.out"), err = ck.resolve("x86.err"), events = ck.resolve("x86.jsonl");
        Process p = new ProcessBuilder(Hexo.HOME.resolve("hexo").toString(), "run", "--isa", "x86", "--checkpoint-dir", ck.toString(),
                "--workdir", ck.toString(), "--events=json", "--events-to=" + events, images.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        // The third migration point passed, as the stream says it (no sentence read).
        while (System.nanoTime() < deadline && p.isAlive() && read(events).stream().noneMatch(e -> e instanceof RunEvent.PointsPassed pp && pp.count() >= 3)) {
            Thread.sleep(50);
        }
        RunEvent.Started started = (RunEvent.Started) read(events).get(0);
        assertEquals("x86-64", started.isa());
        assertEquals(images.resolve("prog_x86-64").toString(), started.image());
        assertFalse(started.resumed());
        assertTrue("the engine hexo names", started.engine() != null && !started.engine().isBlank());
        // the pid to signal is hexo's JVM: the launcher itself when it execs java, else its child
        assertTrue("pid " + started.pid() + " is hexo", started.pid() == p.pid()
                || p.descendants().anyMatch(h -> h.pid() == started.pid()));
        new ProcessBuilder("kill", "-USR1", Long.toString(started.pid())).start().waitFor();
        assertTrue("hexo did not stop after SIGUSR1", p.waitFor(3, TimeUnit.MINUTES));
        assertEquals(Files.readString(err), 75, p.exitValue());

        List<RunEvent> first = read(events);
        long lastCount = 0;
        for (RunEvent e : first) {
            if (e instanceof RunEvent.PointsPassed pp) {
                assertTrue("counts only grow: " + first, pp.count() > lastCount);
                lastCount = pp.count();
            }
        }
        int requested = indexOf(first, RunEvent.MigrationRequested.class), written = indexOf(first, RunEvent.CheckpointWritten.class);
        assertTrue("migration-requested before checkpoint: " + first, requested > 0 && written > requested);
        RunEvent.CheckpointWritten cw = (RunEvent.CheckpointWritten) first.get(written);
        assertEquals(ck.toString(), cw.path());
        long bytes = 0;
        for (String f : Checkpoint.ALL_FILES) if (Files.exists(ck.resolve(f))) bytes += Files.size(ck.resolve(f));
        assertEquals(bytes, cw.bytes());
        assertEquals("the checkpoint's point is the last count", lastCount, cw.point());
        assertTrue(cw.point() >= 3);
        assertEquals(new RunEvent.Exit(75, "checkpointed", null), first.get(first.size() - 1));

        Path events2 = ck.resolve("arm.jsonl");
        Hexo.Cli rest = Hexo.cli(ck, "run", "--isa", "arm", "--resume", "--checkpoint-dir", ck.toString(), "--workdir", ck.toString(),
                "--events=json", "--events-to=" + events2, images.toString());
        assertEquals(rest.stderr(), 0, rest.status());
        assertEquals(Hexo.expected("hello-migrate"), Files.readString(out) + rest.stdout());
        List<RunEvent> second = read(events2);
        RunEvent.Started resumed = (RunEvent.Started) second.get(0);
        assertEquals("aarch64", resumed.isa());
        assertTrue(resumed.resumed());
        assertEquals("10 points in all, counted from the program's start: " + second,
                new RunEvent.PointsPassed(10), second.get(second.size() - 2));
        assertEquals(new RunEvent.Exit(0, "exited", null), second.get(second.size() - 1));
    }

    static final String CRASH = "#include <stdio.h>\n\n"
            + "__attribute__((noinline)) static int crash(int n) {\n"   // line 3
            + "    if (n < 100) __builtin_trap();\n    return n;\n}\n\n"
            + "int main(int argc, char **argv) {\n    printf(\"%d\\n\", crash(argc));\n    return 0;\n}\n";

    @Test
    public void aTrapNamesTheCFunctionAndWithDebugInfoItsFileAndLine() throws IOException {
        Path src = Hexo.tempDir("trap-src");
        Files.writeString(src.resolve("crash.c"), CRASH);
        Path plain = Hexo.build(src, src.resolve("plain"), false), debug = Hexo.build(src, src.resolve("debug"), false, "-g");
        RunEvent.Trap withDwarf = trapOf(debug), without = trapOf(plain);
        assertEquals("crash", withDwarf.function());
        assertEquals(src.resolve("crash.c").toString(), withDwarf.file());
        assertEquals(Integer.valueOf(3), withDwarf.line());
        assertEquals("crash", without.function());
        assertNull("no -g, no place", without.file());
        assertNull(without.line());
    }

    @Test
    public void aWrongFormatOrAMissingDestinationIsOneSentence() {
        Path images = Hexo.sample("hello-migrate"), wd = Hexo.tempDir("events-bad");
        Hexo.Cli xml = Hexo.cli(wd, "run", "--isa", "x86", "--events=xml", "--events-to=e", images.toString());
        assertEquals(2, xml.status());
        assertEquals("hexo: --events xml is no event format: give --events=json\n", xml.stderr());
        Hexo.Cli nowhere = Hexo.cli(wd, "run", "--isa", "x86", "--events=json", images.toString());
        assertEquals(2, nowhere.status());
        assertTrue(nowhere.stderr(), nowhere.stderr().startsWith("hexo: --events=json needs --events-to=FILE"));
        assertEquals("nothing ran", "", nowhere.stdout());
        // A descriptor the caller did not open may be one of the JVM's own (read-only) files: refused, nothing written.
        Hexo.Cli unopened = Hexo.cli(wd, "run", "--isa", "x86", "--events=json", "--events-to=/dev/fd/3", images.toString());
        assertEquals(2, unopened.status());
        assertEquals("hexo: --events-to /dev/fd/3: descriptor 3 was not opened for writing by the caller: open it (e.g. 3>events.jsonl) or give a file\n",
                unopened.stderr());
    }

    private static RunEvent.Trap trapOf(Path images) throws IOException {
        Path wd = Hexo.tempDir("trap"), events = wd.resolve("events.jsonl");
        Hexo.Cli run = Hexo.cli(Map.of(), wd, "run", "--isa", "x86", "--events=json", "--events-to=" + events, images.toString());
        assertEquals(run.stderr(), 70, run.status());
        List<RunEvent> all = read(events);
        assertEquals(new RunEvent.Exit(70, "trapped", ((RunEvent.Trap) all.get(all.size() - 2)).message()), all.get(all.size() - 1));
        RunEvent.Trap trap = (RunEvent.Trap) all.get(all.size() - 2);
        assertNotNull(trap.message());
        return trap;
    }

    private static int indexOf(List<RunEvent> events, Class<?> type) {
        for (int i = 0; i < events.size(); i++) if (type.isInstance(events.get(i))) return i;
        return -1;
    }

    /** Every complete line of the stream; each must be an event of this version. */
    /**
     * On a board (hexo run --board, a real sshd on loopback) the board's hexo writes the events into the run's
     * directory there, and they stream back into the local --events-to file like the output: not into that path on
     * the board (here the same machine, so the board home's file is checked too).
     */
    @Test
    public void aBoardRunsEventsStreamBack() throws Throwable {
        // the boards' rule by hand (only this test of the class needs an sshd): it stops the holder and the spare JVM
        // the run leaves on the board, which would otherwise idle on for 10 minutes after the suite
        OpenSshServer.Boards board = new OpenSshServer.Boards("events-board", "pi");
        board.before();
        try {
            Path home = board.home, events = home.resolve("board.jsonl");
            Hexo.Cli run = board.hexo("run", "--board", "pi", "--isa", "arm", "--events=json", "--events-to=" + events,
                    Hexo.sample("hello-migrate").toString());
            assertEquals(run.stderr(), 0, run.status());
            List<RunEvent> all = read(events);
            assertTrue("started first: " + all, !all.isEmpty() && all.get(0) instanceof RunEvent.Started st && st.isa().equals("aarch64")
                    && st.image().startsWith(board.boardHome.toString()));
            assertTrue("ten points: " + all, all.stream().anyMatch(e -> e instanceof RunEvent.PointsPassed pp && pp.count() == 10));
            assertTrue("exit last: " + all, all.get(all.size() - 1) instanceof RunEvent.Exit);
            try (var runs = Files.list(board.boardHome.resolve("runs"))) {
                Path dir = runs.findFirst().orElseThrow();
                assertEquals("the same stream as the board's", Files.readString(dir.resolve("events")), Files.readString(events));
            }
        } finally {
            board.after();
        }
    }

    private static List<RunEvent> read(Path events) throws IOException {
        List<RunEvent> all = new ArrayList<>();
        if (!Files.exists(events)) return all;
        String text = Files.readString(events);
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty() || !text.contains(line + "\n")) continue;
            RunEvent e = RunEvent.parse(line);
            assertNotNull("not an event: " + line, e);
            all.add(e);
        }
        return all;
    }
}
