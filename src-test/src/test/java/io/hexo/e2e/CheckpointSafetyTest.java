package io.hexo.e2e;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.checkpoint.CheckpointReader;
import io.hexo.vmm.run.Outcome;
import org.junit.Test;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** Resume never starts from a damaged or foreign checkpoint, and a killed writer never leaves a torn one. */
public class CheckpointSafetyTest {
    private static Path checkpoint(String sample, long point) {
        Path ck = Hexo.tempDir("ck-" + sample);
        Hexo.Run r = Hexo.run(Hexo.sample(sample), Isa.X86_64, Hexo.options().checkpointDir(ck).migrateAt(point));
        assertTrue(r.outcome().toString(), r.outcome() instanceof Outcome.Checkpointed);
        return ck;
    }

    private static Path copy(Path ck) {
        return Hexo.copyOfDir(ck, "damaged");
    }

    private static void refused(Path ck, String sample, String fileName) {
        Hexo.Run r = Hexo.run(Hexo.sample(sample), Isa.AARCH64, Hexo.options().checkpointDir(ck).resume());
        assertTrue(fileName + ": " + r.outcome(), r.outcome() instanceof Outcome.Failed);
        String msg = ((Outcome.Failed) r.outcome()).message();
        assertTrue(msg, msg.contains(fileName) || msg.contains("another program"));
        assertEquals("", r.stdout());
    }

    @Test
    public void aFlippedByteInAnyFileIsRefused() throws Exception {
        Path good = checkpoint("stress-malloc", 3);
        for (String name : Checkpoint.ALL_FILES) {
            long size = Files.size(good.resolve(name));
            for (long at : new long[] {0, 40, size / 2, size - 1}) {
                Path c = copy(good);
                try (RandomAccessFile f = new RandomAccessFile(c.resolve(name).toFile(), "rw")) {
                    f.seek(at);
                    int b = f.read();
                    f.seek(at);
                    f.write(b ^ 0x20);
                }
                refused(c, "stress-malloc", name);
            }
        }
    }

    @Test
    public void aTruncatedFileIsRefused() throws Exception {
        Path good = checkpoint("stress-malloc", 3);
        for (String name : Checkpoint.ALL_FILES) {
            Path c = copy(good);
            try (RandomAccessFile f = new RandomAccessFile(c.resolve(name).toFile(), "rw")) {
                f.setLength(f.length() / 2);
            }
            refused(c, "stress-malloc", name);
        }
    }

    @Test
    public void aFileFromAnotherProgramsCheckpointIsRefused() throws Exception {
        Path good = checkpoint("stress-malloc", 3), other = checkpoint("stress-recursion", 3);
        for (String name : Checkpoint.ALL_FILES) {
            Path c = copy(good);
            Files.copy(other.resolve(name), c.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            refused(c, "stress-malloc", name);
        }
        // A whole checkpoint of another program, resumed with these images.
        refused(other, "stress-malloc", "another program");
    }

    @Test
    public void killingTheWriterAtAnyInstantLeavesTheOldOrTheNewCheckpointAndItResumes() throws Exception {
        Path images = Hexo.sample("stress-bigheap");
        String expected = Hexo.expected("stress-bigheap");
        Path ck = Hexo.tempDir("kill");
        // An older complete checkpoint, from the same program, is there first.
        Hexo.Run first = Hexo.run(images, Isa.X86_64, Hexo.options().checkpointDir(ck).migrateAt(1));
        assertTrue(first.outcome().toString(), first.outcome() instanceof Outcome.Checkpointed);
        // How long a writer takes from its first temporary file to its exit: the window the kills are spread over.
        Process calibration = writer(images, ck);
        long t0 = untilWriting(calibration, ck);
        assertTrue(calibration.waitFor(60, TimeUnit.SECONDS));
        long windowUs = (System.nanoTime() - t0) / 1000;
        int old = 0, fresh = 0, midCommit = 0, kills = 24;
        for (int attempt = 0; attempt < kills; attempt++) {
            String before = CheckpointReader.verify(ck, null).createdAt();
            Process p = writer(images, ck);
            untilWriting(p, ck);
            // kill -9 at a different instant each time, from the first temporary file to past the commit
            long delayUs = windowUs * attempt / (kills - 4);
            TimeUnit.MICROSECONDS.sleep(delayUs);
            boolean wasWriting = writing(ck);
            p.descendants().forEach(ProcessHandle::destroyForcibly); // the launcher may run java as its child
            p.destroyForcibly().waitFor();
            if (wasWriting && writing(ck)) midCommit++;
            Checkpoint cp = CheckpointReader.verify(ck, null); // complete and intact, or this throws
            if (cp.createdAt().equals(before)) old++;
            else fresh++;
            Hexo.Run resumed = Hexo.run(images, Isa.X86_64, Hexo.options().checkpointDir(ck).workdir(ck).resume());
            assertEquals("attempt " + attempt + ": " + resumed.outcome() + resumed.notices(), 0, resumed.status());
            assertTrue("attempt " + attempt + " resumed into:\n" + resumed.stdout(), expected.endsWith(resumed.stdout())
                    && resumed.stdout().endsWith("checksum 35c263c5\n"));
        }
        System.out.println("[kill-9] " + kills + " writers killed over a " + windowUs / 1000 + " ms write (" + midCommit
                + " left temporaries on disk): the old checkpoint " + old + " times, the new one " + fresh
                + " times, every one resumed to the right checksum");
        assertEquals(kills, old + fresh);
        assertTrue("kills spread over the whole write: some before the commit, some after", old > 0 && fresh > 0);
    }

    private static Process writer(Path images, Path ck) throws Exception {
        return new ProcessBuilder(Hexo.HOME.resolve("hexo").toString(), "run", "--isa", "x86", "--migrate-at-point", "2",
                "--checkpoint-dir", ck.toString(), "--workdir", ck.toString(), images.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Waits for the writer's first temporary file; returns when it appeared (System.nanoTime). */
    private static long untilWriting(Process p, Path ck) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && p.isAlive() && !writing(ck)) Thread.sleep(0, 200_000);
        return System.nanoTime();
    }

    @Test
    public void aSecondRunIntoTheSameCheckpointDirectoryIsRefused() throws Exception {
        Path images = Hexo.program("pause-at-points", java.util.Map.of("pause.c", """
                #include <stdio.h>
                #include <hermit/migration.h>
                extern void sys_msleep(int ms);
                int main(void) {
                    for (int i = 0; i < 40; i++) { popcorn_check_migrate(); sys_msleep(100); }
                    puts("done");
                    return 0;
                }
                """), false);
        Path ck = Hexo.tempDir("two-writers");
        Process first = new ProcessBuilder(Hexo.HOME.resolve("hexo").toString(), "run", "--isa", "x86", "--migrate-at-point", "30",
                "--checkpoint-dir", ck.toString(), "--workdir", ck.toString(), images.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && !Files.exists(ck.resolve(".hexo.lock"))) Thread.sleep(10);
        Thread.sleep(300);
        assertTrue("the first run is still going", first.isAlive());
        Hexo.Cli second = Hexo.cli(ck, "run", "--isa", "x86", "--migrate-at-point", "2", "--checkpoint-dir", ck.toString(),
                "--workdir", ck.toString(), images.toString());
        assertEquals(second.stderr(), 2, second.status());
        assertTrue(second.stderr(), second.stderr().contains("is in use by another hexo run or transfer (pid "));
        assertEquals("one sentence", 1, second.stderr().strip().lines().filter(l -> l.startsWith("hexo:") && !l.contains("engine")).count());
        assertTrue(first.waitFor(60, TimeUnit.SECONDS));
        assertEquals("the first run checkpointed undisturbed", 75, first.exitValue());
        assertEquals(30, CheckpointReader.verify(ck, null).pointsReached());
    }

    private static boolean writing(Path ck) throws Exception {
        try (Stream<Path> s = Files.list(ck)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp"));
        }
    }

    @Test
    public void inspectDescribesACheckpoint() {
        Path ck = checkpoint("stress-files", 1);
        Hexo.Cli c = Hexo.cli(ck, "inspect", "--json", ".");
        assertEquals(c.stderr(), 0, c.status());
        assertTrue(c.stdout(), c.stdout().contains("\"valid\": true") && c.stdout().contains("\"heap.bin\"")
                && c.stdout().contains("\"isa\": \"x86-64\""));
        Hexo.Cli text = Hexo.cli(ck, "inspect", ".");
        assertTrue(text.stdout(), text.stdout().contains("complete and intact") && text.stdout().contains("stack.bin.1"));
        if (!text.stdout().contains("open files")) fail("stress-files keeps files open at its first migration point:\n" + text.stdout());
    }
}
