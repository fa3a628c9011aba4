package io.hexo.vmm.checkpoint;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.guest.GuestFiles;
import io.hexo.vmm.loader.ImageInfo;
import io.hexo.vmm.memory.GuestMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The checkpoint files on disk: what goes in comes out byte for byte, zero pages cost nothing, and a
 * damaged, truncated, incomplete or foreign checkpoint is refused with a message naming the file.
 */
public class CheckpointFormatTest {
    private static final long MEM = 16L << 20;
    private static final long LINMEM_BASE = 4L << 20;
    private static final int PAGE = 4096;
    // Region bounds deliberately not page-aligned: regions' last pages are partial.
    private static final long DATA_START = 1024, BSS = 0x2a10, STACK_LOW = 0x10000 + 0x10, STACK_HIGH = 0x90000 + 0x10;
    private static final long LINMEM_SIZE = 0x200000;
    private static final String MODULE_A = "a".repeat(32) + "0123456789abcdef0123456789abcdef";
    private static final String MODULE_B = "b".repeat(32) + "0123456789abcdef0123456789abcdef";

    private Path root;
    private GuestMemory memory;
    /** Region name -> pages that hold data (what pagesStored must say). */
    private final Map<String, Long> expectedStored = new LinkedHashMap<>();

    private static ImageInfo info(String module) {
        return new ImageInfo(Abi.VERSION, Isa.X86_64, 3, module, Abi.IMAGE_BASE, Abi.LINMEM_ALIGN, LINMEM_SIZE,
                DATA_START, BSS, STACK_LOW, STACK_HIGH);
    }

    private static CheckpointWriter.State state(List<GuestFiles.OpenFile> open) {
        return new CheckpointWriter.State("x86-64", "test engine", LINMEM_BASE, LINMEM_SIZE,
                new long[] {0x90000, -1L, Double.doubleToRawLongBits(Math.PI)}, 0x1234, 0x5678, 42, open);
    }

    @Before
    public void setUp() throws IOException {
        root = Files.createTempDirectory("hexo-ckpt-test");
        memory = GuestMemory.allocate(MEM);
        Random rnd = new Random(1);
        // Outside linear memory: must never end up in a checkpoint.
        memory.fill(LINMEM_BASE - 8192, 8192, (byte) 0xEE);
        memory.fill(LINMEM_BASE + LINMEM_SIZE, 8192, (byte) 0xEE);
        // data [0, BSS): pages 0-2, all with data (page 0 from 1024 on; page 2 is partial, 0xa10 bytes).
        byte[] data = new byte[(int) (BSS - DATA_START)];
        rnd.nextBytes(data);
        memory.write(LINMEM_BASE + DATA_START, data);
        expectedStored.put("data", 3L);
        // bss [BSS, STACK_LOW): 0xd600 bytes = 14 pages; one byte in its page 5, its last (partial) byte set.
        memory.putByte(LINMEM_BASE + BSS + 5L * PAGE + 17, (byte) 1);
        memory.putByte(LINMEM_BASE + STACK_LOW - 1, (byte) 2);
        expectedStored.put("bss", 2L);
        // stack: 128 pages, the top 3 used.
        byte[] frames = new byte[3 * PAGE];
        rnd.nextBytes(frames);
        memory.write(LINMEM_BASE + STACK_HIGH - frames.length, frames);
        expectedStored.put("stack", 3L);
        // heap [STACK_HIGH, LINMEM_SIZE): pages 0, 10, 11 and the partial last one.
        byte[] p = new byte[PAGE];
        rnd.nextBytes(p);
        memory.write(LINMEM_BASE + STACK_HIGH, p);
        rnd.nextBytes(p);
        memory.write(LINMEM_BASE + STACK_HIGH + 10L * PAGE, p);
        memory.write(LINMEM_BASE + STACK_HIGH + 11L * PAGE + 4000, new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9});
        memory.putByte(LINMEM_BASE + LINMEM_SIZE - 1, (byte) 3);
        expectedStored.put("heap", 4L);
    }

    @After
    public void tearDown() throws IOException {
        memory.close();
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }

    private Checkpoint write(Path dir, String module) throws IOException, CheckpointException {
        return CheckpointWriter.write(dir, memory, info(module), state(List.of()));
    }

    private static byte[] linmem(GuestMemory m) {
        return m.read(LINMEM_BASE, (int) LINMEM_SIZE);
    }

    private static Path copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return to;
    }

    /** The checkpoint's files by content; the owner's lock file is the directory's, not the checkpoint's. */
    private static Map<String, String> hashes(Path dir) throws Exception {
        Map<String, String> h = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir).sorted()) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().equals(CheckpointDirectory.LOCK_FILE)) continue;
                h.put(p.getFileName().toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return h;
    }

    /**
     * The resume path (CheckpointReader.openForResume, then every page read as LazyMemory reads them):
     * refused up front or when the damaged page is read; returns the sentence.
     */
    private static String refusedLazily(Path dir, String module, String why) throws IOException {
        try {
            CheckpointReader.Resumable r = CheckpointReader.openForResume(dir, module);
            try (CheckpointPages pages = r.pages()) {
                CheckpointReader.thread(r.checkpoint());
                CheckpointReader.openFiles(r.checkpoint());
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(64 << 10);
                for (long at = 0; at < pages.size(); at += buf.capacity()) pages.read(at, buf.clear().limit((int) Math.min(buf.capacity(), pages.size() - at)));
            }
            fail(why + ": the checkpoint was resumed");
            return null;
        } catch (CheckpointException e) {
            assertFalse(e.getMessage(), e.getMessage().contains("\n"));
            return e.getMessage();
        } catch (io.hexo.vmm.memory.PageSource.Failed e) {
            assertFalse(e.getMessage(), e.getMessage().contains("\n"));
            return e.getMessage();
        }
    }

    @Test
    public void aCheckpointOfANewerFormatIsRefusedInOneSentence() throws Exception {
        Path dir = root.resolve("newer");
        write(dir, MODULE_A);
        for (String name : Checkpoint.ALL_FILES) {
            byte[] b = Files.readAllBytes(dir.resolve(name));
            java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(8, CheckpointFile.FORMAT_VERSION + 1);
            Files.write(dir.resolve(name), b);
        }
        String lazy = refusedLazily(dir, MODULE_A, "format 4");
        assertEquals(Checkpoint.MANIFEST + " in " + dir + " has checkpoint format " + (CheckpointFile.FORMAT_VERSION + 1) + " but this hexo reads formats 1 to "
                + CheckpointFile.FORMAT_VERSION + ": resume it with the hexo that wrote it, or take the checkpoint again with this one", lazy);
        assertEquals(lazy, refused(dir, MODULE_A, "format 4").getMessage());
    }

    private static CheckpointException refused(Path dir, String module, String why) throws IOException {
        try {
            Checkpoint cp = CheckpointReader.verify(dir, module);
            // verify passed: loading must refuse then, or the damage went unnoticed.
            try (GuestMemory fresh = GuestMemory.allocate(MEM)) {
                CheckpointReader.loadMemory(cp, fresh, LINMEM_BASE, MEM - LINMEM_BASE);
                CheckpointReader.thread(cp);
                CheckpointReader.openFiles(cp);
            }
            fail(why + ": the checkpoint was accepted");
            return null;
        } catch (CheckpointException e) {
            assertNotNull(e.getMessage());
            assertFalse(e.getMessage(), e.getMessage().contains("\n"));
            return e;
        } catch (RuntimeException e) {
            throw new AssertionError(why + ": " + e + " instead of a CheckpointException", e);
        }
    }

    @Test
    public void roundTripRestoresIdenticalBytesAndStoresNoZeroPages() throws Exception {
        Path dir = root.resolve("cp");
        List<GuestFiles.OpenFile> open = List.of(new GuestFiles.OpenFile(4, "in.txt", 7, true, false, false),
                new GuestFiles.OpenFile(6, "sub/out.log", 123, false, true, true));
        Checkpoint written = CheckpointWriter.write(dir, memory, info(MODULE_A), state(open));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals("exactly the checkpoint's files, no .tmp left", Checkpoint.ALL_FILES.stream().sorted().toList(),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }

        Checkpoint cp = CheckpointReader.verify(dir, MODULE_A);
        assertEquals(dir, cp.dir());
        assertEquals(written.withoutDir(), cp.withoutDir());
        assertEquals(CheckpointFile.FORMAT_VERSION, cp.formatVersion());
        assertEquals(Abi.VERSION, cp.abiVersion());
        assertEquals(MODULE_A, cp.moduleId());
        assertEquals("x86-64", cp.isa());
        assertEquals("test engine", cp.engine());
        assertEquals(LINMEM_SIZE, cp.linmemSize());
        assertEquals(42, cp.pointsReached());
        assertEquals(open, cp.openFiles());
        assertEquals(Checkpoint.ALL_FILES.subList(0, Checkpoint.ALL_FILES.size() - 1), cp.files().stream().map(Checkpoint.FileEntry::name).toList());
        for (Checkpoint.FileEntry f : cp.files()) assertEquals(f.name(), Files.size(dir.resolve(f.name())), f.size());

        // Regions: bounds from .hexo_info, pages counted, zero pages left out.
        List<String> names = cp.regions().stream().map(Checkpoint.Region::name).toList();
        assertEquals(List.of("data", "bss", "stack", "heap"), names);
        long[][] bounds = {{0, BSS}, {BSS, STACK_LOW - BSS}, {STACK_LOW, STACK_HIGH - STACK_LOW}, {STACK_HIGH, LINMEM_SIZE - STACK_HIGH}};
        long totalStored = 0;
        for (int i = 0; i < 4; i++) {
            Checkpoint.Region r = cp.regions().get(i);
            assertEquals(bounds[i][0], r.start());
            assertEquals(bounds[i][1], r.length());
            assertEquals(r.name(), (r.length() + PAGE - 1) / PAGE, r.pagesAllocated());
            assertEquals(r.name(), (long) expectedStored.get(r.name()), r.pagesStored());
            totalStored += r.pagesStored();
            // The file holds a 96-byte header, the region header padded to 4 KiB, only the stored pages, and the index.
            long size = Files.size(dir.resolve(r.file()));
            assertTrue(r.file() + " is " + size + " bytes", size <= 4096 + r.pagesStored() * PAGE + r.pagesStored() * 8);
        }
        assertTrue(totalStored < 20);
        assertTrue("2 MiB of linear memory, mostly zero, in under 80 KiB: " + cp.bytesOnDisk(), cp.bytesOnDisk() < 80 << 10);

        try (GuestMemory fresh = GuestMemory.allocate(MEM)) {
            CheckpointReader.loadMemory(cp, fresh, LINMEM_BASE, MEM - LINMEM_BASE);
            assertArrayEquals(linmem(memory), linmem(fresh));
            // Nothing outside linear memory was stored or written.
            assertArrayEquals(new byte[8192], fresh.read(LINMEM_BASE - 8192, 8192));
            assertArrayEquals(new byte[8192], fresh.read(LINMEM_BASE + LINMEM_SIZE, 8192));
        }
        // Loading at another base address (the other ISA's layout) gives the same linear memory.
        try (GuestMemory fresh = GuestMemory.allocate(MEM)) {
            long otherBase = 6L << 20;
            CheckpointReader.loadMemory(cp, fresh, otherBase, MEM - otherBase);
            assertArrayEquals(linmem(memory), fresh.read(otherBase, (int) LINMEM_SIZE));
        }

        CheckpointReader.ThreadState t = CheckpointReader.thread(cp);
        assertArrayEquals(new long[] {0x90000, -1L, Double.doubleToRawLongBits(Math.PI)}, t.globals());
        assertEquals(0x1234, t.asyncifyData());
        assertEquals(0x5678, t.control());
        assertEquals(LINMEM_SIZE, t.linmemSize());
        assertEquals(42, t.pointsReached());
        assertEquals(open, CheckpointReader.openFiles(cp));

        // Too little memory for it: refused, with what to do.
        try (GuestMemory small = GuestMemory.allocate(MEM)) {
            CheckpointReader.loadMemory(cp, small, LINMEM_BASE, LINMEM_SIZE - 65536);
            fail();
        } catch (CheckpointException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("--mem"));
        }
    }

    @Test
    public void aNewCheckpointReplacesTheOldOne() throws Exception {
        Path dir = root.resolve("cp");
        write(dir, MODULE_A);
        memory.putLong(LINMEM_BASE + STACK_HIGH + 50L * PAGE, 0x1122334455667788L);
        write(dir, MODULE_A);
        Checkpoint cp = CheckpointReader.verify(dir, MODULE_A);
        assertEquals(expectedStored.get("heap") + 1, cp.regions().get(3).pagesStored());
        try (GuestMemory fresh = GuestMemory.allocate(MEM)) {
            CheckpointReader.loadMemory(cp, fresh, LINMEM_BASE, MEM - LINMEM_BASE);
            assertArrayEquals(linmem(memory), linmem(fresh));
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(Checkpoint.ALL_FILES.size(), s.count());
        }
    }

    @Test
    public void oneFlippedByteInAnyFileIsRefusedNamingTheFile() throws Exception {
        Path good = root.resolve("good");
        write(good, MODULE_A);
        int checked = 0;
        for (String name : Checkpoint.ALL_FILES) {
            long size = Files.size(good.resolve(name));
            // Every header field (magic, version, kind, length, CRC, reserved, module id) and payload bytes.
            List<Long> positions = new ArrayList<>(List.of(0L, 7L, 8L, 12L, 16L, 23L, 24L, 27L, 28L, 31L, 32L, 60L, 95L, 96L, 100L,
                    size / 2, size - 1));
            for (long at : positions) {
                if (at >= size) continue;
                Path dir = copyDir(good, root.resolve("flip"));
                byte[] b = Files.readAllBytes(dir.resolve(name));
                b[(int) at] ^= 0x20;
                Files.write(dir.resolve(name), b);
                CheckpointException e = refused(dir, MODULE_A, name + " with byte " + at + " flipped");
                assertTrue(name + "@" + at + ": " + e.getMessage(), e.getMessage().contains(name));
                String lazy = refusedLazily(dir, MODULE_A, name + " with byte " + at + " flipped");
                assertTrue(name + "@" + at + " (lazy): " + lazy, lazy.contains(name));
                CheckpointReport r = CheckpointReport.of(dir);
                assertFalse(r.valid());
                assertEquals(e.getMessage(), r.problem());
                checked++;
            }
        }
        assertTrue(checked > 100);
    }

    @Test
    public void truncatedOrMissingFilesAreRefused() throws Exception {
        Path good = root.resolve("good");
        write(good, MODULE_A);
        for (String name : Checkpoint.ALL_FILES) {
            long size = Files.size(good.resolve(name));
            for (long keep : new long[] {0, 10, 95, 96, size - 1}) {
                if (keep < 0 || keep >= size) continue;
                Path dir = copyDir(good, root.resolve("cut"));
                byte[] b = Files.readAllBytes(dir.resolve(name));
                Files.write(dir.resolve(name), java.util.Arrays.copyOf(b, (int) keep));
                CheckpointException e = refused(dir, MODULE_A, name + " cut to " + keep);
                assertTrue(name + " cut to " + keep + ": " + e.getMessage(), e.getMessage().contains(name));
            }
            // Extra bytes at the end.
            Path dir = copyDir(good, root.resolve("cut"));
            Files.write(dir.resolve(name), new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
            assertTrue(refused(dir, MODULE_A, name + " with an extra byte").getMessage().contains(name));
            // Missing.
            dir = copyDir(good, root.resolve("cut"));
            Files.delete(dir.resolve(name));
            CheckpointException e = refused(dir, MODULE_A, name + " missing");
            assertTrue(e.getMessage(), e.getMessage().contains(name));
            if (name.equals(Checkpoint.MANIFEST)) assertTrue(e.getMessage(), e.getMessage().contains("no complete checkpoint"));
        }
    }

    @Test
    public void filesFromAnotherCheckpointAreRefused() throws Exception {
        Path a = root.resolve("a"), b = root.resolve("b"), a2 = root.resolve("a2");
        write(a, MODULE_A);
        write(b, MODULE_B);        // same memory, another program
        memory.putByte(LINMEM_BASE + STACK_HIGH + 3, (byte) 0x77);
        for (Checkpoint.Region r : CheckpointWriter.write(a2, memory, info(MODULE_A), state(List.of())).regions()) assertNotNull(r);
        for (String name : Checkpoint.ALL_FILES) {
            Path dir = copyDir(a, root.resolve("mixed"));
            Files.copy(b.resolve(name), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            CheckpointException e = refused(dir, MODULE_A, name + " from module B");
            if (!name.equals(Checkpoint.MANIFEST)) assertTrue(e.getMessage(), e.getMessage().contains(name));
        }
        // The same program's newer checkpoint: its heap does not belong to this one either.
        Path dir = copyDir(a, root.resolve("mixed"));
        Files.copy(a2.resolve("heap.bin"), dir.resolve("heap.bin"), StandardCopyOption.REPLACE_EXISTING);
        assertTrue(refused(dir, MODULE_A, "heap.bin from a later checkpoint").getMessage().contains("heap.bin"));
        // A whole checkpoint of another program, for these images.
        CheckpointException e = refused(b, MODULE_A, "module B resumed with module A's images");
        assertTrue(e.getMessage(), e.getMessage().contains("another program") && e.getMessage().contains(MODULE_B.substring(0, 12)));
        assertNotNull(CheckpointReader.verify(b, MODULE_B));
        assertNotNull(CheckpointReader.verify(b, null));
    }

    @Test
    public void reportDescribesValidAndDamagedCheckpoints() throws Exception {
        Path dir = root.resolve("cp");
        CheckpointWriter.write(dir, memory, info(MODULE_A), state(List.of(new GuestFiles.OpenFile(5, "log.txt", 99, false, true, true))));
        CheckpointReport ok = CheckpointReport.of(dir);
        assertTrue(ok.valid());
        assertNull(ok.problem());
        assertEquals(dir.toString(), ok.directory());
        assertEquals(MODULE_A, ok.moduleId());
        assertEquals("x86-64", ok.isa());
        assertEquals(42, ok.pointsReached());
        assertEquals(LINMEM_SIZE, ok.linmemSize());
        assertEquals(Checkpoint.ALL_FILES, ok.files().stream().map(CheckpointReport.FileRow::name).toList());
        CheckpointReport.FileRow heap = ok.files().get(3);
        assertEquals("heap", heap.region());
        assertEquals((long) expectedStored.get("heap"), heap.pagesStored());
        assertEquals(List.of(new CheckpointReport.OpenFileRow(5, "log.txt", 99)), ok.openFiles());
        assertEquals(ok, CheckpointReport.fromJson(ok.toJson()));
        String text = ok.toText();
        assertTrue(text, text.contains("complete and intact") && text.contains("heap.bin") && text.contains("log.txt"));

        byte[] b = Files.readAllBytes(dir.resolve("stack.bin.1"));
        b[b.length - 1] ^= 1;
        Files.write(dir.resolve("stack.bin.1"), b);
        CheckpointReport bad = CheckpointReport.of(dir);
        assertFalse(bad.valid());
        assertTrue(bad.problem(), bad.problem().contains("stack.bin.1"));
        assertEquals(MODULE_A, bad.moduleId()); // the manifest is still readable: described anyway
        assertTrue(bad.toText(), bad.toText().contains("NOT resumable: " + bad.problem()));

        Files.delete(dir.resolve(Checkpoint.MANIFEST));
        CheckpointReport none = CheckpointReport.of(dir);
        assertFalse(none.valid());
        assertTrue(none.problem(), none.problem().contains("no complete checkpoint"));
        assertNull(none.moduleId());
        assertEquals(6, none.files().size()); // what is there, listed
        assertTrue(none.toText().contains("NOT resumable"));

        CheckpointReport empty = CheckpointReport.of(root.resolve("nothing-here"));
        assertFalse(empty.valid());
        assertTrue(empty.files().isEmpty());
    }

    @Test
    public void transferLeavesTheSourceIntactAndTheDestinationVerified() throws Exception {
        Path from = root.resolve("x86/ckpt"), fromWork = Files.createDirectories(root.resolve("x86/work"));
        Path to = root.resolve("arm/ckpt"), toWork = root.resolve("arm/work");
        Files.createDirectories(fromWork.resolve("sub"));
        Files.writeString(fromWork.resolve("sub/out.log"), "written before the migration\n");
        CheckpointWriter.write(from, memory, info(MODULE_A), state(List.of(new GuestFiles.OpenFile(4, "sub/out.log", 29, false, true, true))));
        Map<String, String> before = hashes(from);

        Checkpoint copied = CheckpointTransfer.copy(from, fromWork, to, toWork);
        assertEquals(to, copied.dir());
        assertEquals(before, hashes(from));
        assertEquals(before, hashes(to));
        assertEquals(MODULE_A, CheckpointReader.verify(to, MODULE_A).moduleId());
        assertEquals("written before the migration\n", Files.readString(toWork.resolve("sub/out.log")));
        try (GuestMemory fresh = GuestMemory.allocate(MEM)) {
            CheckpointReader.loadMemory(copied, fresh, LINMEM_BASE, MEM - LINMEM_BASE);
            assertArrayEquals(linmem(memory), linmem(fresh));
        }
        // Again, over the previous copy: still fine.
        CheckpointTransfer.copy(from, fromWork, to, toWork);
        assertEquals(before, hashes(to));

        // A damaged source is not transferred, and an earlier destination is left alone.
        Path damaged = copyDir(from, root.resolve("damaged"));
        byte[] b = Files.readAllBytes(damaged.resolve("data.bin"));
        b[200] ^= 1;
        Files.write(damaged.resolve("data.bin"), b);
        Path to2 = root.resolve("arm2/ckpt");
        try {
            CheckpointTransfer.copy(damaged, fromWork, to2, toWork);
            fail();
        } catch (CheckpointException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("data.bin"));
        }
        assertFalse(Files.exists(to2.resolve(Checkpoint.MANIFEST)));
        // An open file that is gone from the source working directory: refused.
        Files.delete(fromWork.resolve("sub/out.log"));
        try {
            CheckpointTransfer.copy(from, fromWork, root.resolve("arm3/ckpt"), root.resolve("arm3/work"));
            fail();
        } catch (CheckpointException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("sub/out.log"));
        }
        assertEquals(before, hashes(from));
    }
}
