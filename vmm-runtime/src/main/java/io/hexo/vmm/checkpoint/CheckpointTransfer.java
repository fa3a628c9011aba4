package io.hexo.vmm.checkpoint;

import io.hexo.vmm.guest.GuestFiles;
import io.hexo.vmm.os.Beneath;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves a checkpoint from one place to another (the original's transfer-full-checkpoint-to-arm): the
 * source is verified first and left untouched — it keeps the guest's state until the destination has
 * all of it; the destination is claimed like a run's, its files travel as NAME.tmp and are committed
 * the way a run commits ({@link CheckpointDirectory}). Files the guest had open travel too, from the
 * source working directory to the destination one, only as regular files inside both.
 */
public final class CheckpointTransfer {
    private CheckpointTransfer() {}

    public static Checkpoint copy(Path fromDir, Path fromWorkdir, Path toDir, Path toWorkdir) throws CheckpointException, IOException {
        Checkpoint cp = CheckpointReader.verify(fromDir, null);
        Files.createDirectories(toDir);
        Files.createDirectories(toWorkdir);
        if (Files.isSameFile(fromDir, toDir)) return cp;
        try (CheckpointDirectory.Owner owner = CheckpointDirectory.claim(toDir)) {
            for (GuestFiles.OpenFile f : CheckpointReader.openFiles(cp)) {
                if (f.path().startsWith("/")) continue; // on a --mount, which the destination mounts itself
                OpenFileCopy.copy(f.path(), fromWorkdir, toWorkdir);
            }
            List<String> names = new ArrayList<>();
            for (Checkpoint.FileEntry f : cp.files()) names.add(f.name());
            names.add(Checkpoint.MANIFEST);
            CheckpointDirectory.read(fromDir, () -> {
                for (String name : names) {
                    // Both ends opened by the kernel under their directories: no link is followed either way.
                    Files.deleteIfExists(toDir.resolve(name + ".tmp"));
                    try (FileChannel in = CheckpointFile.open(fromDir.resolve(name));
                         FileChannel out = Beneath.openForWrite(toDir, name + ".tmp")) {
                        long size = in.size();
                        for (long done = 0; done < size; ) done += in.transferTo(done, size - done, out);
                        out.force(true);
                    }
                }
                return null;
            });
            CheckpointDirectory.commit(toDir, names);
        }
        return CheckpointReader.verify(toDir, cp.moduleId());
    }
}
