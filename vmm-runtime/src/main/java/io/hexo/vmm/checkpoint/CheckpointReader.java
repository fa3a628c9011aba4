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
        checkModule(cp, dir, expectedModule);
        for (Checkpoint.FileEntry f : cp.files()) {
            Path p = dir.resolve(f.name());
            if (!Files.exists(p)) throw new CheckpointException(f.name() + " is missing from the checkpoint in " + dir);
            CheckpointFile.verifyStreaming(p, f.size(), f.crc32c(), kindOf(f), cp.moduleId());
        }
        return cp;
    }

    private static void checkModule(Checkpoint cp, Path dir, String expectedModule) throws CheckpointException {
        if (expectedModule != null && !cp.moduleId().equals(expectedModule)) {
            throw new CheckpointException("the checkpoint in " + dir + " was taken from another program (module "
                    + cp.moduleId().substring(0, 12) + ") than these images (module " + expectedModule.substring(0, 12)
                    + "): resume it with the images it came from, or rebuild them from the same sources");
        }
    }

    private static int kindOf(Checkpoint.FileEntry f) {
        return switch (f.kind()) {
            case "memory" -> CheckpointFile.KIND_MEMORY;
            case "thread" -> CheckpointFile.KIND_THREAD;
            default -> CheckpointFile.KIND_FILES;
        };
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
        if (!Files.exists(m)) throw new CheckpointException(m.getFileName() + " is missing from " + m.getParent());
        byte[] all = CheckpointFile.readAll(m);
        ByteBuffer payload = CheckpointFile.verified(m, all, CheckpointFile.KIND_MANIFEST, null);
        try {
            Checkpoint cp = CheckpointWriter.GSON.fromJson(StandardCharsets.UTF_8.decode(payload).toString(), Checkpoint.class);
            if (cp == null || cp.files() == null || cp.regions() == null || cp.moduleId() == null
                    || cp.files().contains(null) || cp.regions().contains(null)) {
                throw new JsonParseException("incomplete");
            }
            // The formats differ in their region files: the manifest's header and content must agree on which.
            if (cp.formatVersion() != CheckpointFile.versionOf(ByteBuffer.wrap(all, 0, CheckpointFile.HEADER_SIZE).slice())) {
                throw new CheckpointException(Checkpoint.MANIFEST + " in " + dir + " is damaged (its header and its content name different formats)");
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
     * What `--resume` needs before the guest runs: the manifest, the thread state and the open files fully
     * verified, and every memory region's header and page index checked (and the files' checksums
     * recomputed from the pages' own) — without reading the pages, which are verified one by one as they
     * are first used ({@link CheckpointPages}). The caller closes the pages.
     */
    public record Resumable(Checkpoint checkpoint, CheckpointPages pages) {}

    public static Resumable openForResume(Path dir, String expectedModule) throws CheckpointException, IOException {
        return openForResume(dir, expectedModule, null);
    }

    /** Where a post-copy migration's pages come from, given its minimal checkpoint (the page server's client). */
    public interface RemoteFetch {
        CheckpointPages.Fetch connect(Checkpoint minimal) throws CheckpointException;
    }

    /** The same; a post-copy migration's minimal checkpoint takes its pages from remote (null: refused in one sentence). */
    public static Resumable openForResume(Path dir, String expectedModule, RemoteFetch remote) throws CheckpointException, IOException {
        StepTimes.resumeStarted();
        return CheckpointDirectory.read(dir, () -> {
            Checkpoint cp = manifestOf(dir);
            checkModule(cp, dir, expectedModule);
            for (Checkpoint.FileEntry f : cp.files()) {
                if (!Files.exists(dir.resolve(f.name()))) throw new CheckpointException(f.name() + " is missing from the checkpoint in " + dir);
                if (!f.kind().equals("memory")) CheckpointFile.verifyStreaming(dir.resolve(f.name()), f.size(), f.crc32c(), kindOf(f), cp.moduleId());
            }
            if (cp.postCopy() == null || remote == null) {
                Resumable r = new Resumable(cp, CheckpointPages.open(cp));
                StepTimes.verified();
                return r;
            }
            CheckpointPages.Fetch fetch = remote.connect(cp);
            try {
                return new Resumable(cp, CheckpointPages.open(cp, fetch));
            } catch (CheckpointException | IOException | RuntimeException e) {
                fetch.close();
                throw e;
            }
        });
    }

    /**
     * Reads every stored page straight into linear memory at linmemBase (pages not stored become zero),
     * each verified against its CRC-32C, after the region's header and index were checked: pages land
     * only inside linear memory, and a damaged one fails the load (the guest never runs on it).
     */
    public static void loadMemory(Checkpoint cp, GuestMemory memory, long linmemBase, long linmemLimit) throws CheckpointException, IOException {
        if (cp.linmemSize() > linmemLimit) {
            throw new CheckpointException("the checkpoint in " + cp.dir() + " needs " + (cp.linmemSize() >> 20)
                    + " MiB of program memory but MEM leaves " + (linmemLimit >> 20) + " MiB: give it more with --mem");
        }
        try (CheckpointPages pages = CheckpointPages.open(cp)) {
            for (long at = 0; at < cp.linmemSize(); at += LOAD_CHUNK) {
                int len = (int) Math.min(LOAD_CHUNK, cp.linmemSize() - at);
                pages.read(at, memory.buffer(linmemBase + at, len));
            }
        } catch (io.hexo.vmm.memory.PageSource.Failed e) {
            throw new CheckpointException(e.getMessage());
        }
    }

    private static final int LOAD_CHUNK = 64 << 20;

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
            if (files == null) files = List.of();
            ManifestCheck.openFiles(files, Checkpoint.FILES + " in " + cp.dir());
            StepTimes.resumed(); // a restore's last read: the guest runs its next instruction right after
            return files;
        } catch (JsonParseException e) {
            throw new CheckpointException(Checkpoint.FILES + " in " + cp.dir() + " is damaged");
        }
    }
}
