package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.hexo.ide.core.prefs.Board;
import io.hexo.ide.core.session.PostCopyMigration;
import io.hexo.ide.core.session.RunSpec;
import io.hexo.vmm.run.RunEvent;

/**
 * Headless: the model the Migration view and the Console follow a post-copy migration with, fed with {@code postcopy}
 * lines in the event stream's format (read by the CLI's own RunEvent.parse), and the command lines of both sides.
 */
public class PostCopyModelTest {

    private static RunEvent.PostCopyProgress line(String role, String phase, long moved, long total, long faults, long rate) {
        RunEvent e = RunEvent.parse("{\"v\":1,\"event\":\"postcopy\",\"role\":\"" + role + "\",\"phase\":\"" + phase
                + "\",\"address\":\"127.0.0.1:40123\",\"pagesMoved\":" + moved + ",\"pagesTotal\":" + total + ",\"faultsServed\":" + faults
                + ",\"prefetchBytesPerSecond\":" + rate + "}");
        assertTrue("a postcopy line parses: " + e, e instanceof RunEvent.PostCopyProgress);
        return (RunEvent.PostCopyProgress) e;
    }

    @Test
    public void followsBothSidesToTheHandOver() {
        PostCopyMigration m = new PostCopyMigration(RunSpec.ISA_X86, RunSpec.ISA_ARM);
        assertNull(m.handOver());
        assertEquals("waiting", m.describeDestination());
        String serving = m.accept(line("source", "serving", 0, 3072, 0, 0), 1_000);
        assertEquals("post-copy: the source (x86-64) serves the guest's 3072 pages on 127.0.0.1:40123", serving);
        String resumed = m.accept(line("destination", "resumed", 16, 12352, 1, 0), 1_200);
        assertEquals("post-copy: the guest resumed on aarch64 at once; its pages follow from 127.0.0.1:40123", resumed);
        assertNull("counts that move say nothing in the Console", m.accept(line("destination", "resumed", 6176, 12352, 3, 281_000_000), 1_300));
        assertNull(m.accept(line("source", "serving", 1536, 3072, 3, 140_000_000), 1_300));
        assertEquals("resumed: 6176 / 12352 pages, 3 faults served, prefetch 281 MB/s", m.describeDestination());
        assertEquals("serving: 1536 / 3072 pages, 3 faults served, prefetch 140 MB/s", m.describeSource());
        assertEquals(0.5, PostCopyMigration.fraction(m.destination()), 1e-9);
        assertFalse(m.ended());
        assertNull("no hand-over yet", m.handOver());

        String handOver = m.accept(line("destination", "handed-over", 12352, 12352, 3, 0), 2_012);
        assertNotNull(handOver);
        assertTrue(handOver, handOver.startsWith("post-copy hand-over at "));
        assertTrue(handOver, handOver.matches("post-copy hand-over at \\d\\d:\\d\\d:\\d\\d\\.012: the destination \\(aarch64\\) holds all 12352 pages;"
                + " the source \\(x86-64\\) lets go"));
        assertNull("the hand-over is said once, whichever side tells it", m.accept(line("source", "handed-over", 3072, 3072, 3, 0), 2_050));
        assertTrue(m.handedOver());
        assertTrue(m.ended());
        assertEquals(2_012, m.handedOverAt());
        assertTrue(m.handOver(), m.handOver().matches("handed over at \\d\\d:\\d\\d:\\d\\d\\.012"));
        assertEquals(1_200, m.resumedAt());
        assertEquals(1.0, PostCopyMigration.fraction(m.source()), 1e-9);
        assertEquals("hexo's rate is 0 once the counts stop: the last one sampled stays",
                "handed-over: 12352 / 12352 pages, 3 faults served, prefetch 281 MB/s", m.describeDestination());
        assertEquals("all moved between two samples", "handed-over: 6 / 6 pages, 6 faults served, prefetch done within one sample (100 ms)",
                PostCopyMigration.describe(line("source", "handed-over", 6, 6, 6, 0), 0));
        assertEquals("2.5 MB/s", PostCopyMigration.rate(2_500_000));
        assertEquals("900 kB/s", PostCopyMigration.rate(900_000));
    }

    @Test
    public void takenBackAndLostAreSaid() {
        PostCopyMigration back = new PostCopyMigration(RunSpec.ISA_X86, RunSpec.ISA_ARM);
        back.accept(line("source", "serving", 0, 100, 0, 0), 1);
        String s = back.accept(line("source", "taken-back", 40, 100, 2, 0), 2);
        assertEquals("post-copy: the source (x86-64) took the job back: it lost its destination before the hand-over, and the guest goes on on x86-64", s);
        assertTrue(back.ended());
        assertFalse(back.handedOver());
        assertEquals("taken back by the source", back.handOver());

        PostCopyMigration lost = new PostCopyMigration(RunSpec.ISA_ARM, RunSpec.ISA_X86);
        lost.accept(line("destination", "resumed", 1, 100, 1, 0), 1);
        assertEquals("post-copy: the destination (x86-64) lost its source for good before the hand-over and stopped (37 / 100 pages had arrived)",
                lost.accept(line("destination", "lost", 37, 100, 5, 0), 9));
        assertTrue(lost.ended());
        assertEquals("the destination lost its source", lost.handOver());

        PostCopyMigration unsure = new PostCopyMigration(RunSpec.ISA_X86, RunSpec.ISA_ARM);
        assertEquals("post-copy: the destination (aarch64) is ready and waits for the source's migration point at 127.0.0.1:40123",
                unsure.accept(line("destination", "waiting", 0, 0, 0, 0), 1));
        assertFalse(unsure.ended());
        unsure.accept(line("destination", "resumed", 1, 100, 1, 0), 2);
        assertTrue(unsure.accept(line("destination", "unconfirmed", 100, 100, 5, 0), 9).contains("keeps the job in a full checkpoint"));
        assertTrue(unsure.ended());
        assertFalse(unsure.handedOver());
        assertEquals("unconfirmed: the destination keeps a full checkpoint", unsure.handOver());
    }

    @Test
    public void postCopyCommandLinesAreTheUserGuides() {
        RunSpec s = new RunSpec("p/build", Path.of("/w/p/build"), Path.of("/w/p"), RunSpec.ISA_X86, "auto",
                Board.EMULATED_ID, "", Map.of(), "1G", false, Path.of("/w/p/checkpoint"), 0, false, true);
        assertTrue(s.postCopy());
        List<String> source = s.command("x86", null, false, Path.of("/tmp/e.jsonl"), s.checkpointDir(), RunSpec.PostCopyPart.SOURCE);
        assertEquals(List.of("run", "--isa", "x86", "--mem", "1G", "--workdir", "/w/p", "--checkpoint-dir", "/w/p/checkpoint",
                "--full-chkpt-save", "0", "--port", "0", "--events=json", "--events-to=/tmp/e.jsonl", "/w/p/build"), source.subList(1, source.size()));
        Path dst = s.postCopyDirFor(s.checkpointDir());
        assertEquals(Path.of("/w/p/checkpoint-postcopy"), dst);
        assertEquals("back and forth: a source that ran from the destination's directory sends it home", s.checkpointDir(), s.postCopyDirFor(dst));
        assertEquals(List.of("transfer", "--from", "/w/p/checkpoint", "--to", "/w/p/checkpoint-postcopy", "--from-workdir", "/w/p", "--to-workdir", "/w/p"),
                s.copyMinimalCheckpoint(s.checkpointDir(), dst).subList(1, 10));
        List<String> destination = s.command("arm", null, true, Path.of("/tmp/d.jsonl"), dst, RunSpec.PostCopyPart.destination("127.0.0.1:40123"));
        assertEquals(List.of("run", "--isa", "arm", "--mem", "1G", "--workdir", "/w/p", "--checkpoint-dir", "/w/p/checkpoint-postcopy", "--resume",
                "--full-chkpt-restore", "0", "--server", "127.0.0.1:40123", "--events=json", "--events-to=/tmp/d.jsonl", "/w/p/build"),
                destination.subList(1, destination.size()));
        assertEquals("without post-copy, nothing of it", s.command("x86", false, Path.of("/tmp/e.jsonl")).stream()
                .filter(a -> a.startsWith("--full-chkpt") || a.equals("--server") || a.equals("--port")).toList(), List.of());
    }
}
