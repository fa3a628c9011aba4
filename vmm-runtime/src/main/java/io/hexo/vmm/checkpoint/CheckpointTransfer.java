package io.hexo.vmm.checkpoint;

import io.hexo.vmm.guest.GuestFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Moves a checkpoint from one place to another (the original's transfer-full-checkpoint-to-arm): the
 * source is verified first, files travel under temporary names, the manifest is renamed in last, and
 * the source is left untouched — it keeps the guest's state until the destination has all of it.
 * Files the guest had open travel too, from the source working directory to the destination one.
 */
public final class CheckpointTransfer {
    private CheckpointTransfer() {}

    public static Checkpoint copy(Path fromDir, Path fromWorkdir, Path toDir, Path toWorkdir) throws CheckpointException, IOException {
        Checkpoint cp = CheckpointReader.verify(fromDir, null);
        Files.createDirectories(toDir);
        Files.createDirectories(toWorkdir);
        if (Files.isSameFile(fromDir, toDir)) return cp;
        for (GuestFiles.OpenFile f : CheckpointReader.openFiles(cp)) {
            Path src = fromWorkdir.resolve(f.path()).normalize(), dst = toWorkdir.resolve(f.path()).normalize();
            if (!src.startsWith(fromWorkdir.normalize()) || !dst.startsWith(toWorkdir.normalize())) {
                throw new CheckpointException("the checkpoint refers to " + f.path() + ", outside the working directory");
            }
            if (!Files.exists(src)) throw new CheckpointException("the checkpoint's open file " + f.path() + " is missing from " + fromWorkdir);
            if (!Files.exists(dst) || !Files.isSameFile(src, dst)) {
                Files.createDirectories(dst.getParent());
                Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.deleteIfExists(toDir.resolve(Checkpoint.MANIFEST));
        for (Checkpoint.FileEntry f : cp.files()) {
            Path tmp = toDir.resolve(f.name() + ".tmp");
            Files.copy(fromDir.resolve(f.name()), tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, toDir.resolve(f.name()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        Path tmp = toDir.resolve(Checkpoint.MANIFEST + ".tmp");
        Files.copy(fromDir.resolve(Checkpoint.MANIFEST), tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, toDir.resolve(Checkpoint.MANIFEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return CheckpointReader.verify(toDir, cp.moduleId());
    }
}
