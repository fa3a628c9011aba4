package io.hexo.vmm.checkpoint;

import io.hexo.vmm.os.FileLock;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A directory that holds one checkpoint: who may write it, and how a new checkpoint replaces the old
 * one so that a crash at any instant leaves one of them resumable.
 *
 * <p><b>Owner.</b> A run (or a transfer into the directory) {@linkplain #claim claims} it for as long as
 * it may write there: an exclusive flock(2) on {@value #LOCK_FILE}, which also names the holder's pid.
 * A second claimant is refused at once with one sentence, so two runs never interleave their files.
 *
 * <p><b>Commit.</b> The writer puts every file of the new checkpoint beside the old one as NAME.tmp and
 * forces it to disk, mdata.bin.tmp last: from then on the new checkpoint is complete on disk. Holding
 * the commit lock (an flock on the directory itself), it removes the old mdata.bin, renames each file into place and renames
 * mdata.bin.tmp last. Before that removal the old checkpoint is whole; after it, the new one is whole,
 * spread over NAME.tmp and NAME, and {@link #recover} — run by every reader under the same lock —
 * finishes the renames (roll forward). Readers hold the commit lock while they verify, so they never
 * see a half-swapped directory.
 */
public final class CheckpointDirectory {
    public static final String LOCK_FILE = ".hexo.lock";
    private static final String TMP = ".tmp";

    private CheckpointDirectory() {}

    /** The directory's owner lock: release it when the run or transfer ends. */
    public static final class Owner implements AutoCloseable {
        private final Path dir;
        private final FileLock lock;

        private Owner(Path dir, FileLock lock) {
            this.dir = dir;
            this.lock = lock;
        }

        @Override
        public void close() {
            if (lock == null) return;
            try {
                Files.writeString(dir.resolve(LOCK_FILE), ""); // the pid names a live owner only
            } catch (IOException ignored) {
                // the lock goes with the descriptor all the same
            }
            lock.close();
        }
    }

    /**
     * Claims {@code dir} (created when missing) for a run or transfer that may write a checkpoint there;
     * then finishes a commit a crash interrupted and removes temporaries no commit needs any more.
     */
    public static Owner claim(Path dir) throws CheckpointException, IOException {
        Files.createDirectories(dir);
        if (!Files.isWritable(dir)) return new Owner(dir, null); // nobody can write here: nothing to guard
        FileLock lock = FileLock.tryFile(dir.resolve(LOCK_FILE));
        if (lock == null) {
            throw new CheckpointException("the checkpoint directory " + dir + " is in use by another hexo run or transfer"
                    + holder(dir) + ": wait for it to end, or pass another --checkpoint-dir");
        }
        Owner owner = new Owner(dir, lock);
        try {
            Files.writeString(dir.resolve(LOCK_FILE), "pid " + ProcessHandle.current().pid() + "\n");
            withCommitLock(dir, () -> {
                recover(dir);
                removeStaleTemporaries(dir);
                return null;
            });
        } catch (CheckpointException | IOException | RuntimeException e) {
            owner.close();
            throw e;
        }
        return owner;
    }

    /** What readers and the committer do under the commit lock. */
    public interface Locked<T> {
        T run() throws CheckpointException, IOException;
    }

    /**
     * Runs {@code body} holding the commit lock of {@code dir} (waiting for a commit in progress), after
     * finishing a commit that a crash interrupted.
     */
    public static <T> T read(Path dir, Locked<T> body) throws CheckpointException, IOException {
        return withCommitLock(dir, () -> {
            recover(dir);
            return body.run();
        });
    }

    /**
     * Replaces the checkpoint in {@code dir} with the one whose files {@code names} (manifest last) are
     * already on disk as NAME.tmp, forced. The caller owns the directory.
     */
    public static void commit(Path dir, List<String> names) throws CheckpointException, IOException {
        commit(dir, names, true);
    }

    /** The same; force false: the renames keep their order but are not waited for on disk (a post-copy migration's minimal checkpoint). */
    public static void commit(Path dir, List<String> names, boolean force) throws CheckpointException, IOException {
        String manifest = names.get(names.size() - 1);
        if (!manifest.equals(Checkpoint.MANIFEST)) throw new IllegalArgumentException("the manifest must come last: " + names);
        withCommitLock(dir, () -> {
            Files.deleteIfExists(dir.resolve(Checkpoint.MANIFEST));
            if (force) forceDirectory(dir);
            for (String name : names.subList(0, names.size() - 1)) rename(dir, name);
            if (force) forceDirectory(dir);
            rename(dir, manifest);
            if (force) forceDirectory(dir);
            removeUnlisted(dir, new HashSet<>(names));
            return null;
        });
    }

    /**
     * Completes an interrupted commit: no mdata.bin, but a complete mdata.bin.tmp whose files are all
     * there, each either still as NAME.tmp or already renamed, with the size and checksum it lists.
     * Anything less is left alone (the old checkpoint was never removed then, or is gone for another reason).
     */
    static void recover(Path dir) throws IOException {
        Path manifest = dir.resolve(Checkpoint.MANIFEST), pending = dir.resolve(Checkpoint.MANIFEST + TMP);
        if (Files.exists(manifest) || !Files.isRegularFile(pending)) return;
        Checkpoint cp;
        try {
            cp = CheckpointReader.parseManifest(pending, dir);
        } catch (CheckpointException e) {
            return; // a manifest whose writing was cut short: the new checkpoint was never complete
        }
        List<String> toRename = new ArrayList<>();
        for (Checkpoint.FileEntry f : cp.files()) {
            Path tmp = dir.resolve(f.name() + TMP);
            if (Files.isRegularFile(tmp) && matches(tmp, f)) {
                toRename.add(f.name());
            } else if (!matches(dir.resolve(f.name()), f)) {
                return;
            }
        }
        for (String name : toRename) rename(dir, name);
        forceDirectory(dir);
        rename(dir, Checkpoint.MANIFEST);
        forceDirectory(dir);
    }

    private static boolean matches(Path file, Checkpoint.FileEntry f) throws IOException {
        return Files.isRegularFile(file) && Files.size(file) == f.size() && CheckpointWriter.crcOf(file).equals(f.crc32c());
    }

    /** Temporaries of commits that never completed (a crash before mdata.bin.tmp, a full disk). */
    private static void removeStaleTemporaries(Path dir) throws IOException {
        for (String name : Checkpoint.ALL_FILES) Files.deleteIfExists(dir.resolve(name + TMP));
    }

    /** Files of an older checkpoint that the new one does not list. */
    private static void removeUnlisted(Path dir, Set<String> listed) throws IOException {
        for (String name : Checkpoint.ALL_FILES) {
            if (!listed.contains(name)) Files.deleteIfExists(dir.resolve(name));
        }
    }

    private static void rename(Path dir, String name) throws IOException {
        Files.move(dir.resolve(name + TMP), dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static <T> T withCommitLock(Path dir, Locked<T> body) throws CheckpointException, IOException {
        if (!Files.isDirectory(dir)) return body.run(); // nothing there: the body says so in its own words
        try (FileLock lock = FileLock.directory(dir)) {
            return body.run();
        }
    }

    private static String holder(Path dir) {
        try {
            String s = Files.readString(dir.resolve(LOCK_FILE), StandardCharsets.US_ASCII).strip();
            return s.isEmpty() ? "" : " (" + s + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some file systems cannot sync a directory; the renames are still atomic
        }
    }
}
