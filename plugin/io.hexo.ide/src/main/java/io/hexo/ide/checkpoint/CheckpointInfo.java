package io.hexo.ide.checkpoint;

import java.util.ArrayList;
import java.util.List;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;

/**
 * What {@code hexo inspect DIR --json} says about one checkpoint directory. Kept to this one class (parsed with gson)
 * so it can be swapped for the model class of vmm-runtime ({@code io.hexo.vmm.checkpoint}) once that is exported.
 */
public final class CheckpointInfo {

    /** One file of the checkpoint: a memory region (heap, stack, tls, data, ...) or the machine state. */
    public static final class FileInfo {
        public String name;
        public String region;
        public long size;
        public long pagesStored;
        public long pagesAllocated;

        public FileInfo() {
        }

        public FileInfo(String name, String region, long size, long pagesStored, long pagesAllocated) {
            this.name = name;
            this.region = region;
            this.size = size;
            this.pagesStored = pagesStored;
            this.pagesAllocated = pagesAllocated;
        }

        /**
         * The region, or when hexo inspect names none, the file's kind from its name: tls.bin.1 is "tls",
         * fds.bin "fds", mdata.bin "mdata".
         */
        public String regionOrKind() {
            if (region != null && !region.isBlank()) {
                return region;
            }
            if (name == null) {
                return "?";
            }
            int dot = name.indexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        }

        @Override
        public String toString() {
            return name + " [" + region + "] " + size + " bytes, " + pagesStored + "/" + pagesAllocated + " pages";
        }
    }

    /** A file the guest had open when it was checkpointed. */
    public static final class OpenFile {
        public int fd;
        public String path;
        public long offset;
    }

    public String directory;
    public String isa;
    public int abiVersion;
    public String moduleId;
    public boolean valid;
    public String problem;
    public List<FileInfo> files = new ArrayList<>();
    public List<OpenFile> openFiles = new ArrayList<>();

    public static CheckpointInfo parse(String json) {
        try {
            CheckpointInfo info = new Gson().fromJson(json, CheckpointInfo.class);
            if (info == null) {
                throw new IllegalArgumentException("empty hexo inspect output");
            }
            if (info.files == null) {
                info.files = new ArrayList<>();
            }
            if (info.openFiles == null) {
                info.openFiles = new ArrayList<>();
            }
            return info;
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("hexo inspect printed no valid JSON: " + e.getMessage(), e);
        }
    }

    /** An entry for a directory hexo inspect could not read (CLI missing or failing). */
    public static CheckpointInfo failed(String directory, String problem) {
        CheckpointInfo info = new CheckpointInfo();
        info.directory = directory;
        info.valid = false;
        info.problem = problem;
        return info;
    }

    public long totalSize() {
        return files.stream().mapToLong(f -> f.size).sum();
    }

    public long totalPagesStored() {
        return files.stream().mapToLong(f -> f.pagesStored).sum();
    }

    public long totalPagesAllocated() {
        return files.stream().mapToLong(f -> f.pagesAllocated).sum();
    }

    /** The ISA the checkpoint was written on, in the words of the launch types. */
    public String isaLabel() {
        if (isa == null) {
            return "?";
        }
        return isa;
    }
}
