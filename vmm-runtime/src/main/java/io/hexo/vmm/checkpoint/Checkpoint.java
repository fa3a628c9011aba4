package io.hexo.vmm.checkpoint;

import io.hexo.vmm.guest.GuestFiles;

import java.nio.file.Path;
import java.util.List;

/**
 * What a checkpoint holds, as mdata.bin describes it: the model behind `hexo inspect` and the IDE's
 * Migration view. A Checkpoint obtained from {@link CheckpointReader#verify} has had every file checked.
 *
 * @param isa the ISA it was taken on ("x86-64" or "aarch64")
 * @param linmemSize bytes of wasm linear memory in use when it was taken
 * @param pointsReached migration points passed from the program's start to this checkpoint
 */
public record Checkpoint(Path dir, int formatVersion, int abiVersion, String moduleId, String isa, String engine,
                         String createdAt, long linmemSize, long pointsReached, List<FileEntry> files,
                         List<Region> regions, List<GuestFiles.OpenFile> openFiles, PostCopy postCopy) {

    /**
     * Present in a post-copy migration's minimal checkpoint (`--full-chkpt-save 0`): its region files list
     * the pages that may hold data but hold no page bytes, which the source's page server serves (each with
     * its CRC) to whoever shows this token (docs/architecture.md, "Post-copy protocol").
     *
     * @param token 64 hex digits, random per migration
     * @param server where the source said it listens ("HOST:PORT"), a hint for the destination
     */
    public record PostCopy(String token, String server) {}

    public Checkpoint(Path dir, int formatVersion, int abiVersion, String moduleId, String isa, String engine,
                      String createdAt, long linmemSize, long pointsReached, List<FileEntry> files,
                      List<Region> regions, List<GuestFiles.OpenFile> openFiles) {
        this(dir, formatVersion, abiVersion, moduleId, isa, engine, createdAt, linmemSize, pointsReached, files, regions, openFiles, null);
    }

    /** One file of the checkpoint, with its whole-file size and CRC-32C (hex). */
    public record FileEntry(String name, String kind, long size, String crc32c) {}

    /**
     * One region of linear memory (wasm addresses [start, start+length)); pagesAllocated counts its 4 KiB
     * pages, pagesStored those that held data (all-zero pages are not stored).
     */
    public record Region(String name, String file, long start, long length, long pagesStored, long pagesAllocated) {}

    public static final String MANIFEST = "mdata.bin";
    public static final String THREAD = "tls.bin.1";
    public static final String FILES = "fds.bin";

    /** Every file name a checkpoint consists of, manifest last (it is written last). */
    public static final List<String> ALL_FILES = List.of("data.bin", "bss.bin", "stack.bin.1", "heap.bin", THREAD, FILES, MANIFEST);

    /** The same, without the directory: what mdata.bin stores (the directory is wherever the files are). */
    public Checkpoint withoutDir() {
        return new Checkpoint(null, formatVersion, abiVersion, moduleId, isa, engine, createdAt, linmemSize, pointsReached,
                files, regions, openFiles, postCopy);
    }

    public Checkpoint inDir(Path dir) {
        return new Checkpoint(dir, formatVersion, abiVersion, moduleId, isa, engine, createdAt, linmemSize, pointsReached,
                files, regions, openFiles, postCopy);
    }

    public long bytesOnDisk() {
        return files.stream().mapToLong(FileEntry::size).sum();
    }
}
