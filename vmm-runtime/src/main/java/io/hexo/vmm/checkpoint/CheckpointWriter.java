package io.hexo.vmm.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.hexo.vmm.guest.GuestFiles;
import io.hexo.vmm.loader.ImageInfo;
import io.hexo.vmm.memory.GuestMemory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Writes a checkpoint into a directory its run owns: every file goes to disk as NAME.tmp, forced,
 * mdata.bin.tmp last; then {@link CheckpointDirectory#commit} swaps it in so that a crash at any
 * instant leaves the old or the new checkpoint, never a mix.
 */
public final class CheckpointWriter {
    static final int PAGE = RegionFile.PAGE;
    static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /** The guest's state at a migration point, as the VMM collected it. */
    public record State(String isa, String engine, long linmemBase, long linmemSize, long[] globals, long asyncifyData,
                        long control, long pointsReached, List<GuestFiles.OpenFile> openFiles) {}

    private CheckpointWriter() {}

    /**
     * Loads and initialises what writing a checkpoint needs (Gson's adapters for the manifest's records are
     * built on first use: tens of ms cold), so that a post-copy source's migration point, where the guest
     * waits, does not pay for it. Called on a background thread when the run starts.
     */
    public static void warmUp() {
        GSON.toJson(new Checkpoint(Path.of("."), CheckpointFile.FORMAT_VERSION, 0, "", "", "", "", 0, 0,
                List.of(new Checkpoint.FileEntry("", "", 0, "")), List.of(new Checkpoint.Region("", "", 0, 0, 0, 0)), List.of(),
                new Checkpoint.PostCopy("", "")).withoutDir());
        GSON.toJson(List.<GuestFiles.OpenFile>of());
        new CRC32C().update(ByteBuffer.allocate(PAGE));
        DirectWriter.warmUp();
    }

    public static Checkpoint write(Path dir, GuestMemory memory, ImageInfo info, State s) throws CheckpointException, IOException {
        return write(dir, memory, info, s, null);
    }

    /** With postCopy: the minimal checkpoint of a post-copy migration (page index and CRCs, no page bytes). */
    public static Checkpoint write(Path dir, GuestMemory memory, ImageInfo info, State s, Checkpoint.PostCopy postCopy)
            throws CheckpointException, IOException {
        return write(dir, memory, info, s, postCopy, null);
    }

    /** The same; notices (null: stderr) hears the one line said when the file system refuses O_DIRECT. */
    public static Checkpoint write(Path dir, GuestMemory memory, ImageInfo info, State s, Checkpoint.PostCopy postCopy, Consumer<String> notices)
            throws CheckpointException, IOException {
        long started = System.nanoTime();
        Files.createDirectories(dir);
        String module = info.moduleId();
        boolean force = postCopy == null; // a minimal checkpoint is worth nothing without its live source: no disk waits
        List<Checkpoint.FileEntry> files = new ArrayList<>();
        List<Checkpoint.Region> regions = new ArrayList<>();
        for (RegionBounds r : RegionBounds.of(info, s.linmemSize())) {
            Path tmp = tmp(dir, r.file());
            long[] pages = new long[2];
            int fileCrc = RegionFile.write(tmp, module, memory, s.linmemBase(), r, pages, postCopy == null, force, notices);
            pages[1] = (r.length() + PAGE - 1) / PAGE;
            regions.add(new Checkpoint.Region(r.name(), r.file(), r.start(), r.length(), pages[0], pages[1]));
            files.add(entry(tmp, r.file(), "memory", fileCrc));
        }

        Path thread = tmp(dir, Checkpoint.THREAD);
        int threadCrc = CheckpointFile.write(thread, CheckpointFile.KIND_THREAD, module, (ch, crc) -> CheckpointFile.put(ch, crc, threadPayload(s)), force);
        files.add(entry(thread, Checkpoint.THREAD, "thread", threadCrc));

        Path fds = tmp(dir, Checkpoint.FILES);
        byte[] fdsJson = GSON.toJson(s.openFiles()).getBytes(StandardCharsets.UTF_8);
        int fdsCrc = CheckpointFile.write(fds, CheckpointFile.KIND_FILES, module, (ch, crc) -> CheckpointFile.put(ch, crc, ByteBuffer.wrap(fdsJson)), force);
        files.add(entry(fds, Checkpoint.FILES, "files", fdsCrc));

        Checkpoint cp = new Checkpoint(dir, CheckpointFile.FORMAT_VERSION, info.abiVersion(), module, s.isa(), s.engine(),
                Instant.now().toString(), s.linmemSize(), s.pointsReached(), files, regions, s.openFiles(), postCopy);
        Path manifest = tmp(dir, Checkpoint.MANIFEST);
        byte[] json = GSON.toJson(cp.withoutDir()).getBytes(StandardCharsets.UTF_8);
        CheckpointFile.write(manifest, CheckpointFile.KIND_MANIFEST, module, (ch, crc) -> CheckpointFile.put(ch, crc, ByteBuffer.wrap(json)), force);

        List<String> names = new ArrayList<>();
        files.forEach(f -> names.add(f.name()));
        names.add(Checkpoint.MANIFEST);
        if (force) CheckpointDirectory.forceDirectory(dir);
        CheckpointDirectory.commit(dir, names, force);
        StepTimes.saved(regions.stream().mapToLong(Checkpoint.Region::pagesStored).sum(), System.nanoTime() - started);
        return cp;
    }

    private static Path tmp(Path dir, String name) {
        return dir.resolve(name + ".tmp");
    }

    private static Checkpoint.FileEntry entry(Path file, String name, String kind, int crc) throws IOException {
        return new Checkpoint.FileEntry(name, kind, Files.size(file), HexFormat.of().toHexDigits(crc));
    }

    static String crcOf(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        try (FileChannel ch = FileChannel.open(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(b) > 0) {
                b.flip();
                crc.update(b);
                b.clear();
            }
        }
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }

    /** Thread payload: u32 nglobals, u32 reserved, u64 globals[], u64 asyncify data, u64 control, u64 linear memory size, u64 points reached. */
    private static ByteBuffer threadPayload(State s) {
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * s.globals().length + 32).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(s.globals().length).putInt(0);
        for (long g : s.globals()) b.putLong(g);
        b.putLong(s.asyncifyData()).putLong(s.control()).putLong(s.linmemSize()).putLong(s.pointsReached());
        return b.flip();
    }

}
