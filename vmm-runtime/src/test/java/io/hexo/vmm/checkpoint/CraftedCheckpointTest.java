package io.hexo.vmm.checkpoint;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.guest.GuestFiles;
import io.hexo.vmm.loader.ImageInfo;
import io.hexo.vmm.memory.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Checkpoints crafted with valid checksums: every field of mdata.bin, of the region headers and page
 * indices, of tls.bin.1 and of fds.bin set to hostile values and the files re-signed. Resuming each
 * one either works with every byte inside linear memory, or is refused by a CheckpointException of one
 * line that names the file — never another exception, never a write outside linear memory.
 */
public class CraftedCheckpointTest {
    private static final long MEM = 8L << 20, BASE = 2L << 20, LINMEM = 0x100000;
    private static final String MODULE = "d".repeat(64);
    private static final long[] HOSTILE = {-1, 0, 1, 300, 4095, 4097, 65535, Integer.MAX_VALUE, 1L << 31, 1L << 32, 1L << 40,
            Long.MAX_VALUE, Long.MIN_VALUE};
    private Path root, original;
    private GuestMemory memory;
    private int refused, accepted;

    @Before
    public void setUp() throws Exception {
        root = Files.createTempDirectory("hexo-crafted");
        original = root.resolve("original");
        memory = GuestMemory.allocate(MEM);
        for (long a = 0; a < LINMEM; a += 4096) memory.putLong(BASE + a, a * 31 + 7); // every page holds data
        ImageInfo info = new ImageInfo(Abi.VERSION, Isa.X86_64, 2, MODULE, Abi.IMAGE_BASE, Abi.LINMEM_ALIGN, LINMEM,
                1024, 0x3000, 0x8000, 0x20000);
        try (CheckpointDirectory.Owner o = CheckpointDirectory.claim(original)) {
            CheckpointWriter.write(original, memory, info, new CheckpointWriter.State("x86-64", "test", BASE, LINMEM,
                    new long[] {1, 2}, 0, 0, 5, List.of(new GuestFiles.OpenFile(4, "out.log", 3, false, true, true))));
        }
    }

    @After
    public void tearDown() throws Exception {
        memory.close();
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    // ---- re-signing: a file rewritten with a valid header and checksum, and the manifest updated to match ----

    private static ByteBuffer payload(Path file) throws Exception {
        byte[] all = Files.readAllBytes(file);
        return ByteBuffer.wrap(all, CheckpointFile.HEADER_SIZE, all.length - CheckpointFile.HEADER_SIZE).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int kindOf(String name) {
        return name.equals(Checkpoint.THREAD) ? CheckpointFile.KIND_THREAD : name.equals(Checkpoint.FILES) ? CheckpointFile.KIND_FILES
                : name.equals(Checkpoint.MANIFEST) ? CheckpointFile.KIND_MANIFEST : CheckpointFile.KIND_MEMORY;
    }

    private static void sign(Path file, byte[] payload) throws Exception {
        CheckpointFile.write(file, kindOf(file.getFileName().toString()), MODULE, (ch, crc) -> CheckpointFile.put(ch, crc, ByteBuffer.wrap(payload)));
    }

    private static JsonObject manifest(Path dir) throws Exception {
        return JsonParser.parseString(StandardCharsets.UTF_8.decode(payload(dir.resolve(Checkpoint.MANIFEST))).toString()).getAsJsonObject();
    }

    private static void writeManifest(Path dir, JsonObject m) throws Exception {
        sign(dir.resolve(Checkpoint.MANIFEST), m.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Rewrites one data file's payload, then fixes its size and checksum in the manifest. */
    private static void resignFile(Path dir, String name, byte[] newPayload) throws Exception {
        sign(dir.resolve(name), newPayload);
        JsonObject m = manifest(dir);
        for (JsonElement f : m.getAsJsonArray("files")) {
            JsonObject o = f.getAsJsonObject();
            if (o.get("name").getAsString().equals(name)) {
                o.addProperty("size", Files.size(dir.resolve(name)));
                o.addProperty("crc32c", CheckpointWriter.crcOf(dir.resolve(name)));
            }
        }
        writeManifest(dir, m);
    }

    private Path copy(String label) throws Exception {
        Path dir = root.resolve("m" + (refused + accepted) + "-" + label.replaceAll("[^A-Za-z0-9]", "_"));
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(original)) {
            for (Path p : s.toList()) Files.copy(p, dir.resolve(p.getFileName()));
        }
        return dir;
    }

    // ---- the resume path, as MigrationCalls drives it ----

    private void resumeOrRefuse(Path dir, String label) throws Exception {
        memory.fill(0, MEM, (byte) 0xEE);
        memory.fill(BASE, LINMEM, (byte) 0);
        try {
            Checkpoint cp = CheckpointReader.verify(dir, MODULE);
            CheckpointReader.thread(cp);
            CheckpointReader.loadMemory(cp, memory, BASE, LINMEM);
            CheckpointReader.openFiles(cp);
            accepted++;
        } catch (CheckpointException e) {
            String msg = e.getMessage();
            assertFalse(label + ": one line: " + msg, msg.contains("\n"));
            assertTrue(label + ": names a checkpoint file: " + msg, Checkpoint.ALL_FILES.stream().anyMatch(msg::contains)
                    || msg.contains("the checkpoint in " + dir));
            assertFalse(label + ": control characters in " + msg, msg.chars().anyMatch(c -> c == 0x1b));
            refused++;
        } catch (RuntimeException e) {
            throw new AssertionError(label + ": " + e + " instead of a CheckpointException", e);
        }
        for (long a : new long[] {0, 0x1000, 0x8000, BASE - 1, BASE + LINMEM, MEM - 1}) {
            assertEquals(label + ": guest-physical 0x" + Long.toHexString(a) + " outside linear memory was written", (byte) 0xEE, memory.getByte(a));
        }
    }

    private void mutateManifest(String label, Consumer<JsonObject> change) throws Exception {
        Path dir = copy(label);
        JsonObject m = manifest(dir);
        change.accept(m);
        writeManifest(dir, m);
        resumeOrRefuse(dir, "mdata.bin " + label);
    }

    private static JsonObject at(JsonObject m, String array, int i) {
        return m.getAsJsonArray(array).get(i).getAsJsonObject();
    }

    @Test
    public void manifestFieldsWithValidChecksums() throws Exception {
        for (long v : HOSTILE) {
            for (String field : new String[] {"formatVersion", "abiVersion", "linmemSize", "pointsReached"}) {
                mutateManifest(field + "=" + v, m -> m.addProperty(field, v));
            }
            for (int r = 0; r < 4; r++) {
                int region = r;
                for (String field : new String[] {"start", "length", "pagesStored", "pagesAllocated"}) {
                    mutateManifest("regions[" + r + "]." + field + "=" + v, m -> at(m, "regions", region).addProperty(field, v));
                }
            }
            mutateManifest("files[0].size=" + v, m -> at(m, "files", 0).addProperty("size", v));
            mutateManifest("openFiles[0].fd=" + v, m -> at(m, "openFiles", 0).addProperty("fd", v));
            mutateManifest("openFiles[0].offset=" + v, m -> at(m, "openFiles", 0).addProperty("offset", v));
        }
        for (String s : new String[] {"", "\u001b[31mred\u001b[0m", "../../etc/passwd", "mdata.bin", "data.bin"}) {
            mutateManifest("isa=" + s, m -> m.addProperty("isa", s));
            mutateManifest("files[0].name=" + s, m -> at(m, "files", 0).addProperty("name", s));
            mutateManifest("regions[1].file=" + s, m -> at(m, "regions", 1).addProperty("file", s));
            mutateManifest("files[2].kind=" + s, m -> at(m, "files", 2).addProperty("kind", s));
            mutateManifest("openFiles[0].path=" + s, m -> at(m, "openFiles", 0).addProperty("path", s));
        }
        mutateManifest("files=[]", m -> m.add("files", new JsonArray()));
        mutateManifest("regions=[]", m -> m.add("regions", new JsonArray()));
        mutateManifest("files[1]=null", m -> m.getAsJsonArray("files").set(1, JsonNull.INSTANCE));
        mutateManifest("regions[2]=null", m -> m.getAsJsonArray("regions").set(2, JsonNull.INSTANCE));
        mutateManifest("openFiles[0]=null", m -> m.getAsJsonArray("openFiles").set(0, JsonNull.INSTANCE));
        mutateManifest("files twice", m -> m.getAsJsonArray("files").add(m.getAsJsonArray("files").get(0)));
        mutateManifest("regions swapped", m -> {
            JsonArray r = m.getAsJsonArray("regions");
            JsonElement first = r.get(0);
            r.set(0, r.get(3));
            r.set(3, first);
        });
        mutateManifest("no moduleId", m -> m.remove("moduleId"));
        System.out.println("[crafted] manifest fields: " + (refused + accepted) + " cases, " + refused + " refused, " + accepted + " resumed");
        assertTrue("most crafted manifests are refused: " + refused, refused > 200);
    }

    private void mutateRegion(String label, Consumer<ByteBuffer> change) throws Exception {
        Path dir = copy(label);
        ByteBuffer p = payload(dir.resolve("bss.bin"));
        byte[] b = new byte[p.remaining()];
        p.get(b);
        ByteBuffer w = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        change.accept(w);
        resignFile(dir, "bss.bin", b);
        resumeOrRefuse(dir, "bss.bin " + label);
    }

    private static int indexAt(ByteBuffer payload) {
        return payload.capacity() - 8 * (int) payload.getLong(24);
    }

    @Test
    public void regionHeadersAndPageIndicesWithValidChecksums() throws Exception {
        int before = refused;
        for (long v : HOSTILE) {
            mutateRegion("start=" + v, w -> w.putLong(0, v));
            mutateRegion("length=" + v, w -> w.putLong(8, v));
            mutateRegion("page=" + v, w -> w.putInt(16, (int) v));
            mutateRegion("stored=" + v, w -> w.putLong(24, v));
            // Format 3: the index follows the pages, 8 bytes per stored page.
            mutateRegion("index[0]=" + v, w -> w.putInt(indexAt(w), (int) v));
            mutateRegion("index[1]=" + v, w -> w.putInt(indexAt(w) + 8, (int) v));
            mutateRegion("padding=" + v, w -> w.putLong(32, v));
        }
        mutateRegion("index repeated", w -> w.putInt(indexAt(w) + 8, w.getInt(indexAt(w))));
        System.out.println("[crafted] region files: " + (refused - before) + " refused");
        assertTrue(refused - before >= 70);
    }

    @Test
    public void threadAndOpenFilesWithValidChecksums() throws Exception {
        for (long v : HOSTILE) {
            Path dir = copy("nglobals=" + v);
            ByteBuffer t = payload(dir.resolve(Checkpoint.THREAD));
            byte[] b = new byte[t.remaining()];
            t.get(b);
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) v);
            resignFile(dir, Checkpoint.THREAD, b);
            resumeOrRefuse(dir, "tls.bin.1 nglobals=" + v);
        }
        List<String> fds = new ArrayList<>(List.of("[null]", "[{\"fd\":-1,\"path\":\"a\",\"offset\":0}]", "[{\"fd\":4,\"offset\":0}]",
                "[{\"fd\":4,\"path\":\"a\",\"offset\":-1}]", "[{\"fd\":4,\"path\":\"a\"},{\"fd\":4,\"path\":\"b\"}]", "{}", "[1,2]",
                "[{\"fd\":4,\"path\":\"\\u001b]0;title\\u0007\",\"offset\":0}]"));
        for (String json : fds) {
            Path dir = copy("fds " + json);
            resignFile(dir, Checkpoint.FILES, json.getBytes(StandardCharsets.UTF_8));
            resumeOrRefuse(dir, "fds.bin " + json);
        }
        System.out.println("[crafted] tls.bin.1 and fds.bin: " + (refused + accepted) + " cases, " + refused + " refused");
        assertTrue(refused >= HOSTILE.length + fds.size() - 2);
    }

    @Test
    public void theUntouchedCheckpointResumes() throws Exception {
        resumeOrRefuse(copy("untouched"), "untouched");
        assertEquals("the original is accepted (the harness can tell good from bad)", 1, accepted);
        assertEquals(new JsonPrimitive(5), manifest(original).get("pointsReached"));
    }
}
