package io.hexo.board;

import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.checkpoint.CheckpointException;
import io.hexo.vmm.checkpoint.CheckpointReader;
import io.hexo.vmm.checkpoint.CheckpointTransfer;
import io.hexo.vmm.guest.GuestFiles;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Checkpoints to and from a board over SFTP, with the same promise as a local transfer: the source is
 * only read and keeps the guest's state; the far side gets the new checkpoint whole or keeps its old one.
 *
 * <p>To a board: every file goes up as NAME.tmp (a file whose SHA-256 the board already holds, as NAME or
 * NAME.tmp, is not sent again: an interrupted transfer resumes, and a hop that changed little sends
 * little), the board's sha256sum of each is compared with ours, and only then the commit — the same steps
 * as {@code CheckpointDirectory}: old mdata.bin removed, files renamed into place, mdata.bin last. From a
 * board: the files come down into a staging directory, are verified there like any checkpoint, and are
 * then transferred locally with all of CheckpointTransfer's guarantees.
 */
public final class BoardTransfer {
    private BoardTransfer() {}

    /** What a transfer moved. */
    public record Result(Checkpoint checkpoint, int sent, int unchanged, long bytesSent) {}

    public static Result push(BoardSession board, Path fromDir, Path fromWorkdir, String remoteDir, Consumer<String> progress)
            throws BoardException, CheckpointException, IOException {
        Checkpoint cp = CheckpointReader.verify(fromDir, null);
        List<String> names = new ArrayList<>();
        cp.files().forEach(f -> names.add(f.name()));
        names.add(Checkpoint.MANIFEST);
        String dir = quote(remoteDir);
        board.exec("mkdir -p " + dir);
        Map<String, String> remote = remoteHashes(board, remoteDir, names);
        int sent = 0, unchanged = 0;
        long bytes = 0;
        Map<String, String> local = new HashMap<>();
        try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(board.session())) {
            for (String name : names) {
                Path file = fromDir.resolve(name);
                String hash = sha256(file);
                local.put(name, hash);
                boolean there = hash.equals(remote.get(name)) || hash.equals(remote.get(name + ".tmp"));
                if (there && !name.equals(Checkpoint.MANIFEST)) {
                    unchanged++;
                    continue;
                }
                bytes += upload(sftp, file, remoteDir + "/" + name + ".tmp");
                sent++;
                progress.accept("sent " + name + " (" + Files.size(file) + " bytes)");
            }
            for (GuestFiles.OpenFile f : cp.openFiles() == null ? List.<GuestFiles.OpenFile>of() : cp.openFiles()) {
                if (f.path().startsWith("/")) continue; // on a --mount, which the board mounts itself
                Path file = fromWorkdir.resolve(f.path()).normalize();
                if (!file.startsWith(fromWorkdir.normalize())) throw new CheckpointException("the checkpoint's open file " + f.path() + " is outside " + fromWorkdir);
                String target = remoteDir + "/" + f.path();
                board.exec("mkdir -p " + quote(target.substring(0, target.lastIndexOf('/'))));
                bytes += upload(sftp, file, target + ".tmp");
                board.exec("mv -f " + quote(target + ".tmp") + " " + quote(target));
                sent++;
            }
        }
        // The board's own checksums of what will be committed, before anything of the old checkpoint goes.
        Map<String, String> after = remoteHashes(board, remoteDir, names);
        for (String name : names) {
            String want = local.get(name);
            if (!want.equals(after.get(name + ".tmp")) && !want.equals(after.get(name))) {
                throw new BoardException(name + " did not arrive intact on the board (checksum differs): the board keeps its previous checkpoint; run the transfer again");
            }
        }
        StringBuilder commit = new StringBuilder("cd " + dir + " && rm -f mdata.bin");
        for (String name : names.subList(0, names.size() - 1)) {
            commit.append(" && { [ ! -e ").append(quote(name + ".tmp")).append(" ] || mv -f ").append(quote(name + ".tmp")).append(' ').append(quote(name)).append("; }");
        }
        commit.append(" && mv -f mdata.bin.tmp mdata.bin && sync .");
        board.exec(commit.toString());
        return new Result(cp, sent, unchanged, bytes);
    }

    public static Result pull(BoardSession board, String remoteDir, Path toDir, Path toWorkdir, Consumer<String> progress)
            throws BoardException, CheckpointException, IOException {
        Path staging = Files.createTempDirectory(toDir.toAbsolutePath().getParent() != null ? toDir.toAbsolutePath().getParent() : Path.of("."),
                ".hexo-incoming-");
        try (SftpClient sftp = SftpClientFactory.instance().createSftpClient(board.session())) {
            long bytes = 0;
            int sent = 0;
            for (String name : Checkpoint.ALL_FILES) {
                try {
                    sftp.stat(remoteDir + "/" + name);
                } catch (IOException missing) {
                    continue; // the manifest says which files a checkpoint has; verification below says if one is missing
                }
                bytes += download(sftp, remoteDir + "/" + name, staging.resolve(name));
                sent++;
                progress.accept("received " + name);
            }
            Checkpoint cp = CheckpointReader.verify(staging, null);
            for (GuestFiles.OpenFile f : cp.openFiles() == null ? List.<GuestFiles.OpenFile>of() : cp.openFiles()) {
                if (f.path().startsWith("/") || f.path().contains("..")) continue;
                Path local = staging.resolve(f.path());
                Files.createDirectories(local.getParent());
                bytes += download(sftp, remoteDir + "/" + f.path(), local);
            }
            Checkpoint copied = CheckpointTransfer.copy(staging, staging, toDir, toWorkdir);
            return new Result(copied, sent, 0, bytes);
        } finally {
            deleteTree(staging);
        }
    }

    private static Map<String, String> remoteHashes(BoardSession board, String remoteDir, List<String> names) throws BoardException {
        StringBuilder cmd = new StringBuilder("cd " + quote(remoteDir) + " && sha256sum");
        for (String n : names) cmd.append(' ').append(quote(n)).append(' ').append(quote(n + ".tmp"));
        Map<String, String> hashes = new HashMap<>();
        // sha256sum exits non-zero for the names that are missing: that is expected, the lines it printed count.
        String out = board.execIgnoringStatus(cmd + " 2>/dev/null");
        for (String line : out.split("\n")) {
            String[] parts = line.trim().split("\\s+", 2);
            if (parts.length == 2 && parts[0].matches("[0-9a-f]{64}")) hashes.put(parts[1].replaceFirst("^\\*", ""), parts[0]);
        }
        return hashes;
    }

    private static long upload(SftpClient sftp, Path file, String remote) throws IOException {
        try (InputStream in = Files.newInputStream(file); OutputStream out = sftp.write(remote)) {
            return in.transferTo(out);
        }
    }

    private static long download(SftpClient sftp, String remote, Path file) throws IOException {
        try (InputStream in = sftp.read(remote); OutputStream out = Files.newOutputStream(file)) {
            return in.transferTo(out);
        }
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A word for the board's POSIX shell. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
