package io.hexo.vmm.checkpoint;

import io.hexo.vmm.os.Beneath;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Copies a file the guest had open from one working directory to another. Both ends are opened by
 * {@link Beneath}: a checkpoint's fds.bin is input from anywhere, so a path in it that climbs out, or a
 * symbolic link planted in either directory, must never make hexo read or write outside them.
 */
final class OpenFileCopy {
    private OpenFileCopy() {}

    static void copy(String path, Path fromWorkdir, Path toWorkdir) throws CheckpointException, IOException {
        if (path == null || path.isEmpty()) throw new CheckpointException(Checkpoint.FILES + " names an open file without a path");
        if (Files.isSameFile(fromWorkdir, toWorkdir)) return;
        try (FileChannel in = Beneath.openForRead(fromWorkdir, path)) {
            createParents(toWorkdir, path);
            try (FileChannel out = Beneath.openForWrite(toWorkdir, path)) {
                out.truncate(0);
                long size = in.size();
                for (long done = 0; done < size; ) done += in.transferTo(done, size - done, out);
                out.force(true);
            }
        } catch (IOException e) {
            throw new CheckpointException("the checkpoint's open file cannot be moved: " + e.getMessage());
        }
    }

    /** Missing directories on the way; an existing link among them is left for openat2 to refuse. */
    private static void createParents(Path workdir, String path) throws IOException {
        Path parent = Path.of(path).getParent();
        if (parent == null || parent.isAbsolute()) return;
        for (Path part : parent) {
            if (part.toString().equals("..")) return; // never create anything on a way out; openat2 refuses the path
        }
        Path at = workdir;
        for (Path part : parent) {
            at = at.resolve(part);
            if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(at);
        }
    }
}
