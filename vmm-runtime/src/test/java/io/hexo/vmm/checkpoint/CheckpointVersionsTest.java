package io.hexo.vmm.checkpoint;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.loader.ImageInfo;
import io.hexo.vmm.memory.GuestMemory;
import io.hexo.vmm.memory.LazyMemory;
import io.hexo.vmm.memory.PageSource;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Format 3 region files (pages at 4 KiB file offsets, index after them, written with O_DIRECT) next to the
 * formats before it: checkpoints of formats 1 and 2 still resume byte for byte; a truncated file, a damaged
 * page met while memory fills itself, and a format this hexo does not know are each refused in one
 * sentence, and a damaged page's bytes never reach guest memory.
 */
public class CheckpointVersionsTest {
    private static final long MEM = 64L << 20, LINMEM_BASE = 4L << 20, LINMEM_SIZE = 0x1400000;
    private static final int PAGE = 4096;
    // Not page-aligned, as real region bounds are; bss is large enough for several of DirectWriter's buffers.
    private static final long DATA_START = 1024, BSS = 0x2a10, STACK_LOW = 0x1300010, STACK_HIGH = 0x1380010;
    private static final String MODULE = "c".repeat(64);

    private Path root;
    private GuestMemory memory;

    @Before
    public void setUp() throws IOException {
        root = Files.createTempDirectory("hexo-ckpt-versions");
        memory = GuestMemory.allocate(MEM);
        Random rnd = new Random(3);
        byte[] chunk = new byte[3 * PAGE + 123];
        // bss: runs of data with zero pages and untouched 2 MiB windows between them, across ~19 MiB.
        for (long at = BSS + 100; at < STACK_LOW - chunk.length; at += (rnd.nextInt(6) + 1) * (long) PAGE + rnd.nextInt(PAGE)) {
            rnd.nextBytes(chunk);
            memory.write(LINMEM_BASE + at, chunk);
            if (rnd.nextInt(400) == 0) at += 3L << 20;
        }
        rnd.nextBytes(chunk);
        memory.write(LINMEM_BASE + DATA_START, chunk);
        memory.write(LINMEM_BASE + STACK_HIGH - chunk.length, chunk);
        memory.putByte(LINMEM_BASE + LINMEM_SIZE - 1, (byte) 7);
    }

    @After
    public void tearDown() throws IOException {
        memory.close();
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }

    private Checkpoint write(Path dir) throws IOException, CheckpointException {
        ImageInfo info = new ImageInfo(Abi.VERSION, Isa.X86_64, 1, MODULE, Abi.IMAGE_BASE, Abi.LINMEM_ALIGN, LINMEM_SIZE,
                DATA_START, BSS, STACK_LOW, STACK_HIGH);
        return CheckpointWriter.write(dir, memory, info, new CheckpointWriter.State("x86-64", "test", LINMEM_BASE, LINMEM_SIZE,
                new long[] {42}, 0x1234, 0x5678, 3, List.of()));
    }

    /** Linear memory as a resume sees it through the lazy path (CheckpointPages, as LazyMemory reads it). */
    private static byte[] lazilyRead(Path dir) throws Exception {
        CheckpointReader.Resumable r = CheckpointReader.openForResume(dir, MODULE);
        try (CheckpointPages pages = r.pages()) {
            ByteBuffer all = ByteBuffer.allocateDirect((int) LINMEM_SIZE);
            for (int at = 0; at < LINMEM_SIZE; at += LazyMemory.BLOCK) pages.read(at, all.slice(at, LazyMemory.BLOCK));
            byte[] b = new byte[(int) LINMEM_SIZE];
            all.get(b);
            return b;
        }
    }

    private byte[] linmem() {
        return memory.read(LINMEM_BASE, (int) LINMEM_SIZE);
    }

    @Test
    public void formatThreePutsPagesAtPageOffsetsAndTheIndexAfterThem() throws Exception {
        Checkpoint cp = write(root.resolve("v3"));
        assertEquals(3, cp.formatVersion());
        for (Checkpoint.Region r : cp.regions()) {
            Path f = cp.dir().resolve(r.file());
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(r.file(), 3, b.getInt(8));
            assertEquals(r.file(), r.pagesStored(), b.getLong(96 + 24));
            // The first stored page's bytes at offset 4096, straight from guest memory.
            int first = b.getInt(b.capacity() - 8 * (int) r.pagesStored());
            long at = LINMEM_BASE + r.start() + (long) first * PAGE;
            int len = (int) Math.min(PAGE, r.length() - (long) first * PAGE);
            assertArrayEquals(r.file(), memory.read(at, len), java.util.Arrays.copyOfRange(b.array(), 4096, 4096 + len));
        }
        assertTrue("bss is spread over more than one 8 MiB write buffer: " + cp.regions().get(1).pagesStored(), cp.regions().get(1).pagesStored() > 2048);
        assertArrayEquals(linmem(), lazilyRead(cp.dir()));
    }

    @Test
    public void savingReadsNoPageTheGuestNeverWrote() throws Exception {
        // Reading a hole of the guest-RAM memfd would allocate a page for it: the save reads data extents only.
        long before = dataBytes(memory);
        Checkpoint cp = write(root.resolve("holes"));
        assertEquals("bytes of guest memory backed by pages, before and after the save", before, dataBytes(memory));
        assertArrayEquals(linmem(), lazilyRead(cp.dir()));
    }

    private static long dataBytes(GuestMemory m) {
        long total = 0;
        for (long at = 0; at < m.size(); ) {
            long data = m.nextData(at, m.size());
            if (data >= m.size()) break;
            long hole = m.nextHole(data, m.size());
            total += hole - data;
            at = hole;
        }
        return total;
    }

    @Test
    public void aFileSystemThatRefusesODirectWritesGetsThePageCacheAndOneLine() throws Exception {
        Path dir = root.resolve("no-direct");
        Files.createDirectories(dir);
        List<String> said = new java.util.ArrayList<>();
        // As RegionFile.write sees a refused O_DIRECT write (EINVAL); no file system on the test host refuses one.
        assertTrue(DirectWriter.refusedDirectWrites(dir.resolve("bss.bin.tmp"), new IOException("Invalid argument"), said::add));
        assertTrue(said.toString(), said.size() <= 1); // once per run: another test may have said it first
        for (String line : said) {
            assertEquals("hexo: checkpoints in " + dir.toAbsolutePath() + " are written through the page cache (it refuses O_DIRECT writes): slower, equally safe", line);
        }
        try (DirectWriter w = DirectWriter.create(dir.resolve("probe"), true, said::add, 100)) {
            assertFalse("O_DIRECT is not tried again there", w.direct());
        }
        assertFalse("another error is not a refusal", DirectWriter.refusedDirectWrites(root.resolve("x"), new IOException("No space left on device"), said::add));
        Checkpoint cp = write(dir);
        assertArrayEquals(linmem(), lazilyRead(cp.dir()));
    }

    @Test
    public void checkpointsOfFormatsOneAndTwoStillResumeByteForByte() throws Exception {
        for (int version : new int[] {1, 2}) {
            Path dir = root.resolve("v" + version);
            write(dir);
            toOlderFormat(dir, version);
            Checkpoint cp = CheckpointReader.verify(dir, MODULE);
            assertEquals(version, cp.formatVersion());
            assertArrayEquals("format " + version + ", lazily", linmem(), lazilyRead(dir));
            try (GuestMemory fresh = GuestMemory.allocate(MEM)) {
                CheckpointReader.loadMemory(cp, fresh, LINMEM_BASE, MEM - LINMEM_BASE);
                assertArrayEquals("format " + version + ", loaded", linmem(), fresh.read(LINMEM_BASE, (int) LINMEM_SIZE));
            }
            assertEquals(42, CheckpointReader.thread(cp).globals()[0]);
        }
    }

    @Test
    public void aDamagedPageOfAFormatOneCheckpointIsRefusedBeforeTheGuestRuns() throws Exception {
        Path dir = root.resolve("v1-damaged");
        write(dir);
        toOlderFormat(dir, 1);
        flip(dir.resolve("bss.bin"), Files.size(dir.resolve("bss.bin")) - 3000);
        // Format 1 has no page CRCs: the whole file is checked before the guest runs.
        assertEquals("bss.bin in " + dir + " is damaged (checksum mismatch)", refusedAtOpen(dir));
    }

    @Test
    public void aTruncatedRegionFileIsRefusedInOneSentence() throws Exception {
        Path good = root.resolve("good");
        write(good);
        Path dir = root.resolve("cut");
        copy(good, dir);
        long size = Files.size(dir.resolve("bss.bin"));
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("bss.bin").toFile(), "rw")) {
            f.setLength(size - 1);
        }
        assertEquals("bss.bin in " + dir + " is truncated or was changed (size " + (size - 1) + ", expected " + size + ")", refusedAtOpen(dir));
        // Cut to its first page, with the manifest re-signed to match: the index it announces is not there.
        Path resigned = root.resolve("cut-resigned");
        copy(good, resigned);
        try (RandomAccessFile f = new RandomAccessFile(resigned.resolve("bss.bin").toFile(), "rw")) {
            f.setLength(4096);
        }
        resignManifest(resigned, m -> { });
        String msg = refusedAtOpen(resigned);
        assertTrue(msg, msg.matches("bss\\.bin in .* is damaged \\(page count \\d+ for a region of \\d+ pages\\)"));
    }

    @Test
    public void aDamagedPageMetWhileMemoryFillsItselfNeverReachesTheGuest() throws Exception {
        Path dir = root.resolve("damaged-page");
        Checkpoint cp = write(dir);
        Checkpoint.Region bss = cp.regions().get(1);
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("bss.bin"))).order(ByteOrder.LITTLE_ENDIAN);
        int k = 7; // the 8th stored page: its bytes, not the index, so it passes every check before the guest runs
        int page = file.getInt(file.capacity() - 8 * (int) bss.pagesStored() + 8 * k);
        flip(dir.resolve("bss.bin"), 4096L + (long) k * PAGE + 5);
        CheckpointReader.Resumable r = CheckpointReader.openForResume(dir, MODULE);
        Map<Long, byte[]> installed = new HashMap<>();
        long gpa = bss.start() + (long) page * PAGE + 5;
        try (CheckpointPages pages = r.pages();
             LazyMemory lazy = new LazyMemory(0, LINMEM_SIZE, pages, (at, data) -> {
                 byte[] b = new byte[data.remaining()];
                 data.get(b);
                 installed.put(at, b);
             })) {
            assertFalse("the touch of the damaged page fails", lazy.fault(gpa));
            String msg = lazy.failure();
            assertEquals("bss.bin in " + dir + " is damaged (page " + page + " fails its checksum); nothing computed from it was let out", msg);
            long block = gpa / LazyMemory.BLOCK * LazyMemory.BLOCK;
            assertArrayEquals("the block holding the damaged page is installed as zeros", new byte[LazyMemory.BLOCK], installed.get(block));
            try {
                lazy.ensure(gpa, 1);
                fail("the VMM's own access to the damaged page went through");
            } catch (LazyMemory.Failed e) {
                assertEquals(msg, e.getMessage());
            }
        }
    }

    @Test
    public void aFormatThisHexoDoesNotKnowIsRefusedInOneSentence() throws Exception {
        Path dir = root.resolve("v4");
        write(dir);
        setVersion(dir.resolve("bss.bin"), 4);
        resignManifest(dir, m -> { });
        String msg = refusedAtOpen(dir);
        assertEquals("bss.bin in " + dir + " has checkpoint format 4 but this hexo reads formats 1 to 3: resume it with the hexo that wrote it,"
                + " or take the checkpoint again with this one", msg);
    }

    // ---- helpers: rewriting a checkpoint as the older formats define it (docs/architecture.md) ----

    private static String refusedAtOpen(Path dir) throws IOException {
        try {
            CheckpointReader.openForResume(dir, MODULE).pages().close();
            fail(dir + " was accepted");
            return null;
        } catch (CheckpointException e) {
            assertFalse(e.getMessage(), e.getMessage().contains("\n"));
            return e.getMessage();
        }
    }

    private static void flip(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x40);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) Files.copy(p, to.resolve(p.getFileName()));
        }
    }

    private static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    /** A file with a new header (version, payload length and CRC) over payload. */
    private static byte[] file(byte[] oldFile, int version, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(96 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(oldFile, 0, 96).put(payload);
        b.putInt(8, version).putLong(16, payload.length).putInt(24, crc(payload, 0, payload.length));
        return b.array();
    }

    private static void setVersion(Path file, int version) throws IOException {
        byte[] b = Files.readAllBytes(file);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, version);
        Files.write(file, b);
    }

    /** Rewrites a format 3 checkpoint in dir as format 1 or 2: region payloads re-laid out, every header and the manifest re-signed. */
    private static void toOlderFormat(Path dir, int version) throws IOException {
        JsonObject m = manifest(dir);
        for (var e : m.getAsJsonArray("regions")) {
            Path f = dir.resolve(e.getAsJsonObject().get("file").getAsString());
            byte[] old = Files.readAllBytes(f);
            ByteBuffer p = ByteBuffer.wrap(old, 96, old.length - 96).slice().order(ByteOrder.LITTLE_ENDIAN);
            int n = (int) p.getLong(24);
            int indexAt = p.capacity() - 8 * n, pagesAt = 4096 - 96;
            ByteBuffer out = ByteBuffer.allocate(p.capacity()).order(ByteOrder.LITTLE_ENDIAN);
            out.put(p.slice(0, 32));
            if (version == 2) {
                out.put(p.slice(indexAt, 8 * n));
            } else {
                for (int i = 0; i < n; i++) out.putInt(p.getInt(indexAt + 8 * i));
                if ((n & 1) != 0) out.putInt(0);
            }
            out.put(p.slice(pagesAt, indexAt - pagesAt));
            byte[] payload = java.util.Arrays.copyOf(out.array(), out.position());
            Files.write(f, file(old, version, payload));
        }
        for (String name : new String[] {Checkpoint.THREAD, Checkpoint.FILES}) setVersion(dir.resolve(name), version);
        resignManifest(dir, j -> j.addProperty("formatVersion", version));
        setVersion(dir.resolve(Checkpoint.MANIFEST), version);
    }

    private static JsonObject manifest(Path dir) throws IOException {
        byte[] b = Files.readAllBytes(dir.resolve(Checkpoint.MANIFEST));
        return JsonParser.parseString(new String(b, 96, b.length - 96, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    /** Changes the manifest, with every file's size and CRC-32C as they now are on disk, and re-signs it. */
    private static void resignManifest(Path dir, java.util.function.Consumer<JsonObject> change) throws IOException {
        JsonObject m = manifest(dir);
        change.accept(m);
        for (var e : m.getAsJsonArray("files")) {
            JsonObject f = e.getAsJsonObject();
            byte[] b = Files.readAllBytes(dir.resolve(f.get("name").getAsString()));
            f.addProperty("size", b.length);
            f.addProperty("crc32c", HexFormat.of().toHexDigits(crc(b, 0, b.length)));
        }
        Path mp = dir.resolve(Checkpoint.MANIFEST);
        byte[] old = Files.readAllBytes(mp);
        byte[] json = m.toString().getBytes(StandardCharsets.UTF_8);
        Files.write(mp, file(old, ByteBuffer.wrap(old).order(ByteOrder.LITTLE_ENDIAN).getInt(8), json));
    }
}
