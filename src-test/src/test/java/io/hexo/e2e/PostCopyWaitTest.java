package io.hexo.e2e;

import org.junit.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * A post-copy destination started before the source's migration point (`--wait`): real `hexo run`
 * processes, the destination waiting on the page server with the key the source wrote at its start; the
 * source reaches its point only when the test says so (a file in its working directory), so the
 * destination is known to be waiting then.
 */
public class PostCopyWaitTest {
    /** Where the source listens from its start. */
    private static final Pattern LISTENS = Pattern.compile("listens on (\\S+) from now on");

    /** Fills 16 MiB, then waits for the file "go" before its migration point; its output depends on every page. */
    private static final Path GATED = Hexo.program("postcopy-gated", Map.of("gated.c", """
            #include <stdio.h>
            #include <stdlib.h>
            #include <hermit/migration.h>
            extern void sys_msleep(int ms);
            #define N (4 << 20)
            int main(void) {
                unsigned *a = malloc(N * sizeof *a);
                for (unsigned i = 0; i < N; i++) a[i] = i * 2654435761u;
                printf("filled\\n");
                FILE *f;
                while (!(f = fopen("go", "r"))) sys_msleep(20);
                fclose(f);
                popcorn_check_migrate();
                unsigned long long sum = 0;
                for (unsigned i = 0; i < N; i += 7) sum += a[i] ^ (sum >> 3);
                printf("sum %llu\\n", sum);
                return 0;
            }
            """), false);

    /** A destination with --wait, started now (stdout and stderr in files beside its checkpoint directory). */
    private record Waiting(Process process, Path dir, Path out, Path err) {
        String stderr() throws IOException { return Files.readString(err); }

        String stdout() throws IOException { return Files.readString(out); }
    }

    private static Waiting waiting(Path images, String isa, PostCopyTest.Source s, Path key) throws IOException {
        Path dir = Hexo.tempDir("pc-wait"), out = dir.resolveSibling(dir.getFileName() + ".out"), err = dir.resolveSibling(dir.getFileName() + ".err");
        if (key != null) Files.copy(key, dir.resolve("postcopy.key"));
        List<String> cmd = new ArrayList<>(List.of(PostCopyTest.HEXO.toString(), "run", "--isa", isa, "--resume", "--full-chkpt-restore", "0",
                "--server", s.server(), "--wait", "--checkpoint-dir", dir.toString(), "--workdir", dir.toString(), images.toString()));
        return new Waiting(new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start(), dir, out, err);
    }

    private static void awaitWaiting(Waiting d) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!d.stderr().contains("waiting on ") && d.process().isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
        assertTrue("the destination never said it waits: " + d.stderr(), d.stderr().contains("waiting on "));
    }

    private static void stop(Waiting d) throws InterruptedException {
        List<ProcessHandle> jvm = d.process().descendants().toList();
        jvm.forEach(ProcessHandle::destroyForcibly);
        d.process().destroyForcibly().waitFor();
        for (ProcessHandle h : jvm) h.onExit().join();
    }

    private static void migrate(String from, String to, String expected) throws Exception {
        PostCopyTest.Source s = PostCopyTest.source(LISTENS, GATED, from, 1);
        Waiting d = waiting(GATED, to, s, s.dir().resolve("postcopy.key"));
        try {
            awaitWaiting(d);
            Files.writeString(s.dir().resolve("go"), "");
            String label = from + " -> " + to + ": ";
            assertTrue(label + d.stderr(), d.process().waitFor(120, TimeUnit.SECONDS));
            assertTrue(label + s.stderr(), s.process().waitFor(60, TimeUnit.SECONDS));
            assertEquals(label + d.stderr(), 0, d.process().exitValue());
            assertEquals(label + s.stderr(), 75, s.process().exitValue());
            assertEquals(label, expected, s.stdout() + d.stdout());
            assertTrue(label + s.stderr(), s.stderr().contains("the minimal checkpoint went to the waiting destination"));
            assertTrue(label + s.stderr(), s.stderr().contains("post-copy hand-over: "));
            assertTrue(label + d.stderr(), d.stderr().matches("(?s).*resumed \\d+ us after the source's migration point.*"));
            assertTrue(label + d.stderr(), d.stderr().contains("hand-over done"));
        } finally {
            stop(d);
            PostCopyTest.stop(s);
        }
    }

    @Test
    public void aWaitingDestinationResumesWhenTheSourceReachesItsPointAndPrintsWhatAnUnmigratedRunPrints() throws Exception {
        Path wd = Hexo.tempDir("pc-gated-wd");
        Files.writeString(wd.resolve("go"), "");
        String unmigrated = Hexo.run(GATED, io.hexo.vmm.abi.Isa.X86_64, Hexo.options().workdir(wd)).stdout();
        assertTrue(unmigrated, unmigrated.startsWith("filled\nsum "));
        migrate("x86", "arm", unmigrated);
        migrate("arm", "x86", unmigrated);
    }

    @Test
    public void aWaitingDestinationWhoseSourceIsKilledStopsSayingSo() throws Exception {
        PostCopyTest.Source s = PostCopyTest.source(LISTENS, GATED, "x86", 1);
        Waiting d = waiting(GATED, "x86", s, s.dir().resolve("postcopy.key"));
        try {
            awaitWaiting(d);
            PostCopyTest.stop(s); // before its migration point: the job was never anywhere but there
            assertTrue(d.stderr(), d.process().waitFor(60, TimeUnit.SECONDS));
            String said = d.stderr();
            assertEquals(said, 2, d.process().exitValue());
            assertTrue(said, said.contains("went away before its migration point") && said.contains("nothing was resumed"));
            assertEquals("", d.stdout());
            assertFalse(said, said.contains("Exception"));
        } finally {
            stop(d);
            PostCopyTest.stop(s);
        }
    }

    /** Stopping a waiting destination (Ctrl-C, a crash) and starting it again: the second is not refused as another one. */
    @Test
    public void aWaitingDestinationStoppedAndStartedAgainGetsTheJob() throws Exception {
        PostCopyTest.Source s = PostCopyTest.source(LISTENS, GATED, "x86", 1);
        try {
            Waiting first = waiting(GATED, "x86", s, s.dir().resolve("postcopy.key"));
            awaitWaiting(first);
            stop(first);
            Waiting again = waiting(GATED, "x86", s, s.dir().resolve("postcopy.key"));
            try {
                awaitWaiting(again);
                Files.writeString(s.dir().resolve("go"), "");
                assertTrue(again.stderr(), again.process().waitFor(120, TimeUnit.SECONDS));
                assertEquals(again.stderr(), 0, again.process().exitValue());
                assertTrue(again.stdout(), again.stdout().startsWith("sum "));
                assertTrue(s.process().waitFor(60, TimeUnit.SECONDS));
                assertEquals(s.stderr(), 75, s.process().exitValue());
            } finally {
                stop(again);
            }
        } finally {
            PostCopyTest.stop(s);
        }
    }

    @Test
    public void aWaitingDestinationOfAnotherProgramOrWithoutTheKeyIsRefusedInOneSentence() throws Exception {
        PostCopyTest.Source s = PostCopyTest.source(LISTENS, GATED, "x86", 1);
        try {
            Waiting other = waiting(Hexo.sample("hello-migrate"), "x86", s, s.dir().resolve("postcopy.key"));
            Waiting keyless = waiting(GATED, "x86", s, null);
            for (Waiting d : List.of(other, keyless)) {
                assertTrue(d.stderr(), d.process().waitFor(60, TimeUnit.SECONDS));
                assertEquals(d.stderr(), 2, d.process().exitValue());
                assertEquals(d.stderr(), 1, d.stderr().lines().filter(l -> l.startsWith("hexo:")).count());
                assertEquals("", d.stdout());
            }
            assertTrue(other.stderr(), other.stderr().contains("serves another program"));
            assertTrue(keyless.stderr(), keyless.stderr().contains("--wait needs the source's postcopy.key"));
            // Refused ones hold nothing: the right destination still waits and gets the job.
            Waiting right = waiting(GATED, "x86", s, s.dir().resolve("postcopy.key"));
            try {
                awaitWaiting(right);
                Files.writeString(s.dir().resolve("go"), "");
                assertTrue(right.stderr(), right.process().waitFor(120, TimeUnit.SECONDS));
                assertEquals(right.stderr(), 0, right.process().exitValue());
                assertTrue(right.stdout(), right.stdout().startsWith("sum "));
            } finally {
                stop(right);
            }
        } finally {
            PostCopyTest.stop(s);
        }
    }
}
