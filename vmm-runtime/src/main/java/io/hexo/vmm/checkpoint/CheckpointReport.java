package io.hexo.vmm.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A checkpoint directory as a person or a tool sees it: `hexo inspect` prints it, the IDE's Migration
 * view draws it. Never throws: a damaged checkpoint is reported with valid=false and the problem.
 */
public record CheckpointReport(String directory, boolean valid, String problem, String isa, String engine, int abiVersion,
                               String moduleId, String createdAt, long linmemSize, long pointsReached,
                               List<FileRow> files, List<OpenFileRow> openFiles, String pageServer) {

    /** One checkpoint file; region fields are set for memory files. */
    public record FileRow(String name, String region, long size, long start, long length, long pagesStored, long pagesAllocated) {
        /** The memory region, or for the other files their kind from the name: "tls", "fds", "mdata". */
        public String regionOrKind() {
            if (region != null && !region.isBlank()) return region;
            int dot = name.indexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        }
    }

    public record OpenFileRow(int fd, String path, long offset) {}

    private static final Gson JSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    public static CheckpointReport of(Path dir) {
        Checkpoint cp = null;
        String problem = null;
        try {
            cp = CheckpointReader.verify(dir, null);
        } catch (CheckpointException e) {
            problem = e.getMessage();
            try {
                cp = CheckpointReader.manifest(dir);
            } catch (CheckpointException | IOException ignored) {
                // the manifest itself is unusable: list what is there
            }
        } catch (IOException e) {
            problem = "cannot read " + dir + ": " + e.getMessage();
        }
        List<FileRow> files = new ArrayList<>();
        List<OpenFileRow> open = new ArrayList<>();
        if (cp == null) {
            for (String name : Checkpoint.ALL_FILES) {
                Path p = dir.resolve(name);
                try {
                    if (Files.exists(p)) files.add(new FileRow(name, null, Files.size(p), 0, 0, 0, 0));
                } catch (IOException ignored) {
                    // vanished while listing
                }
            }
            return new CheckpointReport(dir.toString(), false, Printable.of(problem), null, null, 0, null, null, 0, 0, files, open, null);
        }
        for (Checkpoint.FileEntry f : cp.files()) {
            Checkpoint.Region r = cp.regions().stream().filter(x -> x.file().equals(f.name())).findFirst().orElse(null);
            files.add(r == null ? new FileRow(f.name(), null, f.size(), 0, 0, 0, 0)
                    : new FileRow(f.name(), r.name(), f.size(), r.start(), r.length(), r.pagesStored(), r.pagesAllocated()));
        }
        try {
            files.add(new FileRow(Checkpoint.MANIFEST, null, Files.size(dir.resolve(Checkpoint.MANIFEST)), 0, 0, 0, 0));
        } catch (IOException ignored) {
            // listed by the manifest's absence already
        }
        // Strings from the manifest reach terminals and the IDE: never their control characters.
        if (cp.openFiles() != null) cp.openFiles().forEach(o -> open.add(new OpenFileRow(o.fd(), Printable.of(o.path()), o.offset())));
        return new CheckpointReport(dir.toString(), problem == null, Printable.of(problem), Printable.of(cp.isa()), Printable.of(cp.engine()),
                cp.abiVersion(), cp.moduleId(), Printable.of(cp.createdAt()), cp.linmemSize(), cp.pointsReached(), files, open,
                cp.postCopy() == null ? null : Printable.of(cp.postCopy().server()));
    }

    /** A directory that could not be inspected at all (e.g. `hexo inspect` failed). */
    public static CheckpointReport failed(String directory, String problem) {
        return new CheckpointReport(directory, false, problem, null, null, 0, null, null, 0, 0, List.of(), List.of(), null);
    }

    public long totalSize() {
        return files.stream().mapToLong(FileRow::size).sum();
    }

    public long totalPagesStored() {
        return files.stream().mapToLong(FileRow::pagesStored).sum();
    }

    public long totalPagesAllocated() {
        return files.stream().mapToLong(FileRow::pagesAllocated).sum();
    }

    public String toJson() {
        return JSON.toJson(this);
    }

    /** Parses `hexo inspect --json`; an empty or unreadable text is an IllegalArgumentException. */
    public static CheckpointReport fromJson(String json) {
        try {
            CheckpointReport r = JSON.fromJson(json, CheckpointReport.class);
            if (r == null) throw new IllegalArgumentException("hexo inspect printed nothing");
            return new CheckpointReport(r.directory, r.valid, r.problem, r.isa, r.engine, r.abiVersion, r.moduleId, r.createdAt,
                    r.linmemSize, r.pointsReached, r.files == null ? List.of() : r.files, r.openFiles == null ? List.of() : r.openFiles, r.pageServer);
        } catch (com.google.gson.JsonParseException e) {
            throw new IllegalArgumentException("hexo inspect printed no valid JSON: " + e.getMessage(), e);
        }
    }

    /** The human-readable form of `hexo inspect`. */
    public String toText() {
        StringBuilder s = new StringBuilder();
        s.append("checkpoint ").append(directory).append(": ").append(valid ? "complete and intact" : "NOT resumable: " + problem).append('\n');
        if (moduleId != null) {
            s.append(String.format("  taken on %s (%s) at %s, migration point %d%n", isa, engine, createdAt, pointsReached));
            s.append(String.format("  program module %s, hexo ABI %d, %d KiB of linear memory%n", moduleId.substring(0, 16), abiVersion, linmemSize >> 10));
        }
        if (pageServer != null) {
            s.append("  a post-copy migration's minimal checkpoint: no pages (its source serves them); resume it with\n")
                    .append("  --full-chkpt-restore 0 --server ").append(pageServer).append(" while its source serves the pages\n");
        }
        s.append(String.format("  %-12s %-6s %12s %22s %16s%n", "file", "region", "bytes", "wasm addresses", "pages stored"));
        for (FileRow f : files) {
            String range = f.region() == null ? "" : String.format("0x%x-0x%x", f.start(), f.start() + f.length());
            String pages = f.region() == null ? "" : f.pagesStored() + "/" + f.pagesAllocated();
            s.append(String.format("  %-12s %-6s %12d %22s %16s%n", f.name(), f.region() == null ? "" : f.region(), f.size(), range, pages));
        }
        if (!openFiles.isEmpty()) {
            s.append("  open files:\n");
            for (OpenFileRow o : openFiles) s.append(String.format("    fd %d  %s  at offset %d%n", o.fd(), o.path(), o.offset()));
        }
        return s.toString();
    }
}
