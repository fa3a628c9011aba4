package io.hexo.vmm.checkpoint;

import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import io.hexo.vmm.guest.GuestFiles;
import io.hexo.vmm.memory.GuestMemory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads a checkpoint back, refusing anything damaged or foreign: {@link #verify} checks the manifest,
 * then every file it lists (presence, size, checksum, header, module), before anything is resumed.
 */
public final class CheckpointReader {
    /** tls.bin.1: what the guest kernel needs besides memory. */
    public record ThreadState(long[] globals, long asyncifyData, long control, long linmemSize, long pointsReached) {}

    private CheckpointReader() {}

    /** The checkpoint in dir, every file verified; expectedModule (may be null) is the module of the images to resume it with. */
    public static Checkpoint verify(Path dir, String expectedModule) throws CheckpointException, IOException {
        return CheckpointDirectory.read(dir, () -> verifyFiles(dir, expectedModule));
    }

    private static Checkpoint verifyFiles(Path dir, String expectedModule) throws CheckpointException, IOException {
        Checkpoint cp = manifestOf(dir);
        if (expectedModule != null && !cp.moduleId().equals(expectedModule)) {
            throw new CheckpointException("the checkpoint in " + dir + " was taken from another program (module "
                    + cp.moduleId().substring(0, 12) + ") than these images (module " + expectedModule.substring(0, 12)
                    + "): resume it with the images it came from, or rebuild them from the same sources");
        }
        for (Checkpoint.FileEntry f : cp.files()) {
            Path p = dir.resolve(f.name());
            if (!Files.exists(p)) throw new CheckpointException(f.name() + " is missing from the checkpoint in " + dir);
            int kind = switch (f.kind()) {
                case "memory" -> CheckpointFile.KIND_MEMORY;
                case "thread" -> CheckpointFile.KIND_THREAD;
                default -> CheckpointFile.KIND_FILES;
            };
            CheckpointFile.verifyStreaming(p, f.size(), f.crc32c(), kind, cp.moduleId());
        }
        return cp;
    }

    /** The manifest alone (mdata.bin verified, the files it lists not yet). */
    public static Checkpoint manifest(Path dir) throws CheckpointException, IOException {
        return CheckpointDirectory.read(dir, () -> manifestOf(dir));
    }

    private static Checkpoint manifestOf(Path dir) throws CheckpointException, IOException {
        Path m = dir.resolve(Checkpoint.MANIFEST);
        if (!Files.exists(m)) {
            throw new CheckpointException(dir + " holds no complete checkpoint (no " + Checkpoint.MANIFEST
                    + "): take one with --migrate-after, --migrate-at-point or SIGUSR1");
        }
        return parseManifest(m, dir);
    }

    /** A manifest file (mdata.bin, or mdata.bin.tmp of an interrupted commit) of the checkpoint in dir. */
    static Checkpoint parseManifest(Path m, Path dir) throws CheckpointException, IOException {
        ByteBuffer payload = CheckpointFile.readVerified(m, CheckpointFile.KIND_MANIFEST, null);
        try {
            Checkpoint cp = CheckpointWriter.GSON.fromJson(StandardCharsets.UTF_8.decode(payload).toString(), Checkpoint.class);
            if (cp == null || cp.files() == null || cp.regions() == null || cp.moduleId() == null
                    || cp.files().contains(null) || cp.regions().contains(null)) {
                throw new JsonParseException("incomplete");
            }
            for (Checkpoint.FileEntry f : cp.files()) {
                // Only the known names: a crafted manifest must not make hexo read or write elsewhere.
                if (!Checkpoint.ALL_FILES.contains(f.name()) || f.name().equals(Checkpoint.MANIFEST)) {
                    throw new CheckpointException(Checkpoint.MANIFEST + " in " + dir + " lists an unknown file \"" + Printable.of(f.name()) + "\"");
                }
            }
            for (Checkpoint.Region r : cp.regions()) {
                if (!Checkpoint.ALL_FILES.contains(r.file())) {
                    throw new CheckpointException(Checkpoint.MANIFEST + " in " + dir + " lists an unknown file \"" + Printable.of(r.file()) + "\"");
                }
            }
            if (!cp.moduleId().equals(CheckpointFile.moduleIdOf(m))) {
                throw new CheckpointException(Checkpoint.MANIFEST + " in " + dir + " is damaged (its header and its content name different programs)");
            }
            ManifestCheck.check(cp, dir);
            return cp.inDir(dir);
        } catch (JsonParseException e) {
            throw new CheckpointException(Checkpoint.MANIFEST + " in " + dir + " is damaged (unreadable manifest)");
        }
    }

    /**
     * Reads every stored page straight into linear memory at linmemBase (pages not stored stay zero), in one
     * pass over each region file that also checksums what landed in guest memory: the file's CRC-32C
     * against the manifest and the payload's against its header. The index is checked before any page is
     * written, so pages land only inside linear memory; a damaged page is found after it was copied, and
     * then the resume fails and the guest never runs (MigrationCalls stops it).
     */
    public static void loadMemory(Checkpoint cp, GuestMemory memory, long linmemBase, long linmemLimit) throws CheckpointException, IOException {
        if (cp.linmemSize() > linmemLimit) {
            throw new CheckpointException("the checkpoint in " + cp.dir() + " needs " + (cp.linmemSize() >> 20)
                    + " MiB of program memory but MEM leaves " + (linmemLimit >> 20) + " MiB: give it more with --mem");
        }
        for (Checkpoint.Region r : cp.regions()) loadRegion(cp, r, memory, linmemBase);
    }

    private static void loadRegion(Checkpoint cp, Checkpoint.Region r, GuestMemory memory, long linmemBase) throws CheckpointException, IOException {
        Path file = cp.dir().resolve(r.file());
        String where = r.file() + " in " + cp.dir();
        Checkpoint.FileEntry entry = cp.files().stream().filter(f -> f.name().equals(r.file())).findFirst()
                .orElseThrow(() -> new CheckpointException(Checkpoint.MANIFEST + " in " + cp.dir() + " lists no checksum for " + r.file()));
        try (FileChannel ch = CheckpointFile.open(file)) {
            long size = ch.size();
            if (size != entry.size()) throw new CheckpointException(where + " is truncated or was changed (size " + size + ", expected " + entry.size() + ")");
            long pages = (r.length() + CheckpointWriter.PAGE - 1) / CheckpointWriter.PAGE;
            if (size < CheckpointFile.HEADER_SIZE + 32) throw new CheckpointException(where + " is damaged (truncated region header)");
            ByteBuffer header = ByteBuffer.allocate(CheckpointFile.HEADER_SIZE);
            CheckpointFile.readFully(ch, header, where);
            ByteBuffer head = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
            CheckpointFile.readFully(ch, head, where);
            long stored = head.getLong(24);
            if (stored < 0 || stored > pages) throw new CheckpointException(where + " is damaged (page count " + stored + " for a region of " + pages + " pages)");
            ByteBuffer prefix = ByteBuffer.allocate(32 + (int) ((stored * 4 + 7) & ~7)).order(ByteOrder.LITTLE_ENDIAN);
            prefix.put(head.flip());
            if (size < CheckpointFile.HEADER_SIZE + prefix.capacity()) throw new CheckpointException(where + " is damaged (its page index ends early)");
            CheckpointFile.readFully(ch, prefix, where);
            int[] index = regionIndex(prefix.flip(), r, where, size - CheckpointFile.HEADER_SIZE - prefix.capacity());

            CRC32C whole = new CRC32C(), payload = new CRC32C();
            whole.update(header.array(), 0, CheckpointFile.HEADER_SIZE);
            payload.update(prefix.array(), 0, prefix.capacity());
            for (int at = 0; at < index.length; ) {
                int first = index[at], end = at + 1;
                while (end < index.length && index[end] == first + (end - at) && end - at < MAX_RUN_PAGES) end++;
                long from = (long) first * CheckpointWriter.PAGE;
                int len = (int) (Math.min(r.length(), (long) (first + end - at) * CheckpointWriter.PAGE) - from);
                ByteBuffer dst = memory.buffer(linmemBase + r.start() + from, len);
                CheckpointFile.readFully(ch, dst, where);
                payload.update(dst.flip()); // what is now in guest memory, not a copy that could differ
                at = end;
            }
            long payloadLength = size - CheckpointFile.HEADER_SIZE;
            int wholeCrc = Crc32c.combine((int) whole.getValue(), (int) payload.getValue(), payloadLength);
            if (!java.util.HexFormat.of().toHexDigits(wholeCrc).equals(entry.crc32c())) {
                throw new CheckpointException(where + " is damaged (checksum mismatch)");
            }
            CheckpointFile.checkHeader(file, header.flip(), size, (int) payload.getValue(), CheckpointFile.KIND_MEMORY, cp.moduleId());
        }
    }

    /** The longest single read into guest memory: 64 MiB. */
    private static final int MAX_RUN_PAGES = 16384;

    /**
     * A region file's header and page index, every value checked against its manifest entry (which
     * {@link ManifestCheck} bounded by linear memory) and against the bytes that follow: indices in
     * range and increasing, exactly the page bytes they announce.
     */
    private static int[] regionIndex(ByteBuffer b, Checkpoint.Region r, String where, long pageBytes) throws CheckpointException {
        if (b.remaining() < 32) throw new CheckpointException(where + " is damaged (truncated region header)");
        long start = b.getLong(), length = b.getLong();
        int page = b.getInt();
        b.getInt();
        long stored = b.getLong();
        long pages = (r.length() + CheckpointWriter.PAGE - 1) / CheckpointWriter.PAGE;
        if (start != r.start() || length != r.length() || page != CheckpointWriter.PAGE) {
            throw new CheckpointException(where + " does not match its manifest (region start, length or page size)");
        }
        if (stored < 0 || stored > pages || stored != r.pagesStored() || b.remaining() < 4 * stored) {
            throw new CheckpointException(where + " is damaged (page count " + stored + " for a region of " + pages + " pages)");
        }
        int[] index = new int[(int) stored];
        long bytes = 0;
        for (int i = 0; i < index.length; i++) {
            long v = Integer.toUnsignedLong(b.getInt());
            if (v >= pages || (i > 0 && v <= index[i - 1])) throw new CheckpointException(where + " is damaged (page index " + v + ")");
            index[i] = (int) v;
            bytes += Math.min(CheckpointWriter.PAGE, r.length() - v * CheckpointWriter.PAGE);
        }
        if (pageBytes != bytes) throw new CheckpointException(where + " is damaged (" + pageBytes + " bytes of pages, " + bytes + " announced)");
        return index;
    }

    public static ThreadState thread(Checkpoint cp) throws CheckpointException, IOException {
        ByteBuffer b = CheckpointFile.readVerified(cp.dir().resolve(Checkpoint.THREAD), CheckpointFile.KIND_THREAD, cp.moduleId());
        if (b.remaining() < 8) throw new CheckpointException(Checkpoint.THREAD + " in " + cp.dir() + " is damaged (truncated)");
        int n = b.getInt();
        b.getInt();
        if (n < 0 || b.remaining() != 8L * n + 32) throw new CheckpointException(Checkpoint.THREAD + " in " + cp.dir() + " is damaged");
        long[] globals = new long[n];
        for (int i = 0; i < n; i++) globals[i] = b.getLong();
        return new ThreadState(globals, b.getLong(), b.getLong(), b.getLong(), b.getLong());
    }

    public static List<GuestFiles.OpenFile> openFiles(Checkpoint cp) throws CheckpointException, IOException {
        ByteBuffer b = CheckpointFile.readVerified(cp.dir().resolve(Checkpoint.FILES), CheckpointFile.KIND_FILES, cp.moduleId());
        try {
            List<GuestFiles.OpenFile> files = CheckpointWriter.GSON.fromJson(StandardCharsets.UTF_8.decode(b).toString(),
                    new TypeToken<List<GuestFiles.OpenFile>>() {}.getType());
            if (files == null) return List.of();
            ManifestCheck.openFiles(files, Checkpoint.FILES + " in " + cp.dir());
            return files;
        } catch (JsonParseException e) {
            throw new CheckpointException(Checkpoint.FILES + " in " + cp.dir() + " is damaged");
        }
    }
}
