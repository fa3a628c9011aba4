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

    private static Path copy(Path ck) throws Exception {
        Path c = Hexo.tempDir("damaged");
        try (Stream<Path> s = Files.list(ck)) {
            for (Path p : s.toList()) Files.copy(p, c.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return c;
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
    public void killingTheWriterLeavesTheOldCheckpointOrNone() throws Exception {
        Path images = Hexo.sample("stress-bigheap");
        Path ck = Hexo.tempDir("kill");
        // An older complete checkpoint, from the same program, is there first.
        Hexo.Run old = Hexo.run(images, Isa.X86_64, Hexo.options().checkpointDir(ck).migrateAt(1));
        assertTrue(old.outcome() instanceof Outcome.Checkpointed);
        String oldManifest = CheckpointReader.verify(ck, null).createdAt();
        List<String> seen = new ArrayList<>();
        for (int attempt = 0; attempt < 6; attempt++) {
            Process p = new ProcessBuilder(Hexo.HOME.resolve("hexo").toString(), "run", "--isa", "arm", "--migrate-at-point", "2",
                    "--checkpoint-dir", ck.toString(), "--workdir", ck.toString(), images.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            // Kill -9 at a different moment each time, most of them while files are being written.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && p.isAlive() && !writing(ck)) Thread.sleep(1);
            Thread.sleep(attempt * 7L);
            p.destroyForcibly().waitFor();
            if (Files.exists(ck.resolve(Checkpoint.MANIFEST))) {
                Checkpoint cp = CheckpointReader.verify(ck, null); // complete and intact, or this throws
                seen.add(cp.createdAt().equals(oldManifest) ? "old" : "new");
            } else {
                seen.add("none");
            }
        }
        assertFalse(seen.isEmpty());
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
