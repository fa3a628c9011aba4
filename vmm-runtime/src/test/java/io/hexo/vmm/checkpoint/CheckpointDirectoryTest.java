package io.hexo.vmm.checkpoint;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.guest.GuestFiles;
import io.hexo.vmm.loader.ImageInfo;
import io.hexo.vmm.memory.GuestMemory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A checkpoint directory under crashes and contention: every instant of a commit leaves the old or the
 * new checkpoint resumable, a second owner is refused in one sentence, leftovers are cleaned, and a
 * transfer never reads or writes through a link or a FIFO.
 */
public class CheckpointDirectoryTest {
    private static final long MEM = 8L << 20, LINMEM_BASE = 2L << 20, LINMEM_SIZE = 0x100000;
    private static final String MODULE = "c".repeat(64);
    private Path root;
    private GuestMemory memory;

    @Before
    public void setUp() throws IOException {
        root = Files.createTempDirectory("hexo-ckdir-test");
        memory = GuestMemory.allocate(MEM);
    }

    @After
    public void tearDown() throws IOException {
        memory.close();
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Checkpoint write(Path dir, long points, List<GuestFiles.OpenFile> open) throws IOException, CheckpointException {
        memory.fill(LINMEM_BASE, LINMEM_SIZE, (byte) points); // each checkpoint's memory is told apart by its bytes
        ImageInfo info = new ImageInfo(Abi.VERSION, Isa.X86_64, 1, MODULE, Abi.IMAGE_BASE, Abi.LINMEM_ALIGN, LINMEM_SIZE,
                1024, 0x2000, 0x10000, 0x20000);
        try (CheckpointDirectory.Owner owner = CheckpointDirectory.claim(dir)) {
            return CheckpointWriter.write(dir, memory, info, new CheckpointWriter.State("x86-64", "test", LINMEM_BASE, LINMEM_SIZE,
                    new long[] {points}, 0, 0, points, open));
        }
    }

    @Test
    public void everyInstantOfACommitLeavesTheOldOrTheNewCheckpoint() throws Exception {
        Path fresh = root.resolve("new");
        Checkpoint next = write(fresh, 2, List.of());
        List<String> names = new ArrayList<>();
        next.files().forEach(f -> names.add(f.name()));
        names.add(Checkpoint.MANIFEST);
        // Crash after k steps of the commit: 0 = all NAME.tmp on disk, 1 = old mdata.bin removed, then one rename per step.
        for (int k = 0; k <= names.size() + 1; k++) {
            Path dir = root.resolve("crash-" + k);
            write(dir, 1, List.of());
            for (String name : names) Files.copy(fresh.resolve(name), dir.resolve(name + ".tmp"));
            int steps = k;
            if (steps-- > 0) Files.delete(dir.resolve(Checkpoint.MANIFEST));
            for (String name : names) {
                if (steps-- > 0) Files.move(dir.resolve(name + ".tmp"), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
            Checkpoint got = CheckpointReader.verify(dir, MODULE);
            assertEquals("crash after " + k + " commit steps: which checkpoint resumes", k == 0 ? 1 : 2, got.pointsReached());
            GuestMemory back = GuestMemory.allocate(MEM);
            try (back) {
                CheckpointReader.loadMemory(got, back, LINMEM_BASE, LINMEM_SIZE);
                assertEquals("its memory, not a mix", (byte) got.pointsReached(), back.getByte(LINMEM_BASE + LINMEM_SIZE - 1));
                assertEquals("its memory, not a mix", (byte) got.pointsReached(), back.getByte(LINMEM_BASE + 1024));
            }
            assertEquals(got.pointsReached(), CheckpointReader.thread(got).pointsReached());
        }
    }

    @Test
    public void aManifestCutShortIsNotRolledForward() throws Exception {
        Path dir = root.resolve("cut");
        write(dir, 1, List.of());
        Path fresh = root.resolve("new");
        write(fresh, 2, List.of());
        Files.delete(dir.resolve(Checkpoint.MANIFEST)); // the old one is gone for some other reason ...
        byte[] m = Files.readAllBytes(fresh.resolve(Checkpoint.MANIFEST));
        Files.write(dir.resolve(Checkpoint.MANIFEST + ".tmp"), java.util.Arrays.copyOf(m, m.length / 2)); // ... and the new one was never finished
        try {
            CheckpointReader.verify(dir, MODULE);
            fail("a half-written manifest was taken for a checkpoint");
        } catch (CheckpointException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("holds no complete checkpoint"));
        }
    }

    @Test
    public void aSecondOwnerIsRefusedInOneSentence() throws Exception {
        Path dir = root.resolve("busy");
        try (CheckpointDirectory.Owner first = CheckpointDirectory.claim(dir)) {
            CheckpointDirectory.claim(dir).close();
            fail("two owners of one checkpoint directory");
        } catch (CheckpointException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("the checkpoint directory " + dir + " is in use by another hexo run"));
            assertTrue(e.getMessage(), e.getMessage().contains("pid " + ProcessHandle.current().pid()));
        }
        CheckpointDirectory.claim(dir).close(); // released with the first owner
    }

    @Test
    public void staleTemporariesAreRemovedWhenTheDirectoryIsClaimed() throws Exception {
        Path dir = root.resolve("stale");
        write(dir, 1, List.of());
        Files.writeString(dir.resolve("heap.bin.tmp"), "left by a full disk");
        Files.writeString(dir.resolve("mdata.bin.tmp"), "left by a crash while writing");
        Files.writeString(dir.resolve("results.tmp"), "the program's own file");
        CheckpointDirectory.claim(dir).close();
        assertFalse(Files.exists(dir.resolve("heap.bin.tmp")));
        assertFalse(Files.exists(dir.resolve("mdata.bin.tmp")));
        assertTrue("not hexo's to remove", Files.exists(dir.resolve("results.tmp")));
        assertEquals(1, CheckpointReader.verify(dir, MODULE).pointsReached());
    }

    private Path transferSource(String openFile) throws Exception {
        Path from = root.resolve("from");
        write(from, 3, List.of(new GuestFiles.OpenFile(4, openFile, 0, false, true, true)));
        return from;
    }

    private void assertTransferRefused(Path from, Path to, String fragment) throws IOException {
        try {
            CheckpointTransfer.copy(from, from, to, to);
            fail("transfer went ahead");
        } catch (CheckpointException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(fragment));
        }
        assertFalse("no checkpoint at the destination", Files.exists(to.resolve(Checkpoint.MANIFEST)));
    }

    @Test
    public void transferDoesNotFollowALinkPlantedInTheSource() throws Exception {
        Path secret = Files.writeString(root.resolve("secret.txt"), "host file");
        Path from = transferSource("out.log");
        Files.createSymbolicLink(from.resolve("out.log"), secret);
        Path to = root.resolve("to");
        assertTransferRefused(from, to, "symbolic link");
        assertFalse(Files.exists(to.resolve("out.log")));
    }

    @Test
    public void transferDoesNotWriteThroughALinkInTheDestination() throws Exception {
        Path from = transferSource("sub/out.log");
        Files.createDirectories(from.resolve("sub"));
        Files.writeString(from.resolve("sub/out.log"), "guest data");
        Path outside = Files.createDirectories(root.resolve("outside"));
        Path to = Files.createDirectories(root.resolve("to"));
        Files.createSymbolicLink(to.resolve("sub"), outside);
        assertTransferRefused(from, to, "symbolic link");
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals("nothing written outside the destination", 0, s.count());
        }
    }

    @Test
    public void transferRefusesAFifoAndAPathThatClimbsOut() throws Exception {
        Path from = transferSource("pipe");
        new ProcessBuilder("mkfifo", from.resolve("pipe").toString()).start().waitFor();
        assertTransferRefused(from, root.resolve("to"), "not a regular file");

        Files.writeString(root.resolve("escape.txt"), "host file");
        Path from2 = root.resolve("from2");
        write(from2, 3, List.of(new GuestFiles.OpenFile(4, "../escape.txt", 0, false, true, true)));
        Path to2 = root.resolve("to2");
        try {
            CheckpointTransfer.copy(from2, from2, to2, to2);
            fail("transfer read outside its working directory");
        } catch (CheckpointException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("outside"));
        }
    }

    @Test
    public void transferCopiesARegularOpenFile() throws Exception {
        Path from = transferSource("sub/out.log");
        Files.createDirectories(from.resolve("sub"));
        Files.writeString(from.resolve("sub/out.log"), "guest data");
        Path to = root.resolve("to");
        assertEquals(3, CheckpointTransfer.copy(from, from, to, to).pointsReached());
        assertEquals("guest data", Files.readString(to.resolve("sub/out.log"), StandardCharsets.UTF_8));
    }

    @Test
    public void aLinkPlantedUnderACheckpointFilesNameIsNeitherReadNorWrittenThrough() throws Exception {
        Path from = transferSource("out.log");
        Files.writeString(from.resolve("out.log"), "guest data");
        // In the destination: a temporary's name pointing outside. The transfer must not write through it.
        Path outside = Files.writeString(root.resolve("victim.txt"), "must stay");
        Path to = Files.createDirectories(root.resolve("to"));
        Files.createSymbolicLink(to.resolve("data.bin.tmp"), outside);
        assertEquals(3, CheckpointTransfer.copy(from, from, to, to).pointsReached());
        assertEquals("must stay", Files.readString(outside));
        // In a source: a checkpoint file replaced by a link is refused, not read.
        Path secret = Files.writeString(root.resolve("secret.bin"), "host file");
        Files.delete(from.resolve("heap.bin"));
        Files.createSymbolicLink(from.resolve("heap.bin"), secret);
        try {
            CheckpointReader.verify(from, MODULE);
            fail("read a checkpoint file through a link");
        } catch (CheckpointException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("heap.bin") && e.getMessage().contains("symbolic link"));
        }
    }
}
