package io.hexo.vmm.checkpoint;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.guest.GuestFiles;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every field of a manifest checked before anything of the checkpoint is used. Checksums only prove
 * that bytes are the ones written — a crafted checkpoint carries valid ones — so each value is bounded
 * here by the format, by linear memory and by the other fields; a refusal names the file and the field.
 */
final class ManifestCheck {
    /** wasm32 linear memory never exceeds 4 GiB. */
    private static final long MAX_LINMEM = 1L << 32;
    private static final int MAX_FD = 1 << 20;
    private static final Pattern CRC = Pattern.compile("[0-9a-f]{8}");

    private ManifestCheck() {}

    static void check(Checkpoint cp, Path dir) throws CheckpointException {
        String where = Checkpoint.MANIFEST + " in " + dir;
        if (cp.formatVersion() < CheckpointFile.OLDEST_READABLE || cp.formatVersion() > CheckpointFile.FORMAT_VERSION) {
            throw new CheckpointException(where + " has format version " + cp.formatVersion() + "; this hexo reads versions "
                    + CheckpointFile.OLDEST_READABLE + " to " + CheckpointFile.FORMAT_VERSION + ": resume it with the hexo that wrote it");
        }
        if (cp.abiVersion() != Abi.VERSION) {
            throw new CheckpointException(where + " was taken under hexo ABI " + cp.abiVersion() + "; this hexo speaks ABI "
                    + Abi.VERSION + ": resume it with the hexo that wrote it");
        }
        if (cp.isa() == null || cp.engine() == null || cp.createdAt() == null) throw new CheckpointException(where + " lacks its isa, engine or date");
        long linmem = cp.linmemSize();
        if (linmem < 0 || linmem > MAX_LINMEM || linmem % 65536 != 0) {
            throw new CheckpointException(where + " has an impossible linear memory size (" + linmem + " bytes)");
        }
        if (cp.pointsReached() < 0) throw new CheckpointException(where + " has a negative migration point count");
        if (cp.postCopy() != null && (cp.postCopy().token() == null || !cp.postCopy().token().matches("[0-9a-f]{64}")
                || (cp.postCopy().server() != null && !cp.postCopy().server().matches("[A-Za-z0-9.:\\[\\]_-]{1,300}")))) {
            throw new CheckpointException(where + " has a damaged post-copy section (token or server)");
        }
        Set<String> names = new HashSet<>();
        for (Checkpoint.FileEntry f : cp.files()) {
            if (f == null || f.kind() == null || f.crc32c() == null) throw new CheckpointException(where + " has an incomplete file entry");
            if (!names.add(f.name())) throw new CheckpointException(where + " lists " + f.name() + " twice");
            if (f.size() < CheckpointFile.HEADER_SIZE || !CRC.matcher(f.crc32c()).matches()) {
                throw new CheckpointException(where + " has an impossible size or checksum for " + f.name());
            }
            String kind = f.name().equals(Checkpoint.THREAD) ? "thread" : f.name().equals(Checkpoint.FILES) ? "files" : "memory";
            if (!f.kind().equals(kind)) throw new CheckpointException(where + " gives " + f.name() + " the kind \"" + Printable.of(f.kind()) + "\"");
        }
        if (!names.contains(Checkpoint.THREAD) || !names.contains(Checkpoint.FILES)) {
            throw new CheckpointException(where + " does not list " + Checkpoint.THREAD + " and " + Checkpoint.FILES);
        }
        long end = 0;
        Set<String> regionFiles = new HashSet<>();
        for (Checkpoint.Region r : cp.regions()) {
            if (r == null || r.name() == null) throw new CheckpointException(where + " has an incomplete region entry");
            String region = where + ", region " + r.name() + ":";
            if (!names.contains(r.file()) || !regionFiles.add(r.file())) {
                throw new CheckpointException(region + " its file " + r.file() + " is not listed once among the files");
            }
            // Overflow-safe: start and length each within linear memory, and their sum too.
            if (r.start() != end || r.length() < 0 || r.start() > linmem || r.length() > linmem - r.start()) {
                throw new CheckpointException(region + " [" + r.start() + ", +" + r.length() + ") lies outside linear memory ("
                        + linmem + " bytes) or does not follow the region before it");
            }
            long pages = (r.length() + CheckpointWriter.PAGE - 1) / CheckpointWriter.PAGE;
            if (r.pagesAllocated() != pages || r.pagesStored() < 0 || r.pagesStored() > pages) {
                throw new CheckpointException(region + " counts " + r.pagesStored() + " of " + r.pagesAllocated() + " pages for "
                        + r.length() + " bytes");
            }
            end = r.start() + r.length();
        }
        // The regions tile linear memory from 0 (RegionBounds): a different size means a field was changed.
        if (end != linmem) throw new CheckpointException(where + " stores " + end + " bytes of linear memory in its regions, not " + linmem);
        for (String n : names) {
            if (!n.equals(Checkpoint.THREAD) && !n.equals(Checkpoint.FILES) && !regionFiles.contains(n)) {
                throw new CheckpointException(where + " lists " + n + " but no region is stored in it");
            }
        }
        if (cp.openFiles() != null) openFiles(cp.openFiles(), where);
    }

    /** The guest's open files as a checkpoint lists them (mdata.bin and fds.bin). */
    static void openFiles(List<GuestFiles.OpenFile> files, String where) throws CheckpointException {
        Set<Integer> fds = new HashSet<>();
        for (GuestFiles.OpenFile f : files) {
            if (f == null || f.path() == null || f.path().isEmpty() || f.path().indexOf('\0') >= 0) {
                throw new CheckpointException(where + " has an open file without a usable path");
            }
            if (f.fd() < 3 || f.fd() > MAX_FD || !fds.add(f.fd())) {
                throw new CheckpointException(where + " has an impossible or repeated descriptor " + f.fd() + " (" + Printable.of(f.path()) + ")");
            }
            if (f.offset() < 0) throw new CheckpointException(where + " has a negative offset for " + Printable.of(f.path()));
        }
    }
}
