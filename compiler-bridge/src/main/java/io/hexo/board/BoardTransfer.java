package io.hexo.board;

import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.checkpoint.CheckpointException;
import io.hexo.vmm.checkpoint.CheckpointReader;
import io.hexo.vmm.checkpoint.CheckpointTransfer;
import io.hexo.vmm.guest.GuestFiles;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Checkpoints to and from a board as plain streams through the board's link (its holder and agent when
 * they are there: no SFTP, no round trip per block), with the same promise as a local transfer: the source is
 * only read and keeps the guest's state; the far side gets the new checkpoint whole or keeps its old one.
 *
 * <p>To a board: every file goes up as NAME.part, renamed NAME.tmp once whole (a file whose SHA-256 the
 * board already holds, as NAME or NAME.tmp, is not sent again, and a NAME.part is continued: an interrupted
 * transfer resumes, and a hop that changed little sends little), the board's sha256sum of each is compared
 * with ours, and only then the commit — the same steps
 * as {@code CheckpointDirectory}: old mdata.bin removed, files renamed into place, mdata.bin last. From a
 * board: the files come down into a staging directory that outlives an interruption, each checked against
 * the board's sha256sum, are verified there like any checkpoint, and are then transferred locally with all
 * of CheckpointTransfer's guarantees.
 */
public final class BoardTransfer {
    private BoardTransfer() {}

    /** What a transfer moved. */
    public record Result(Checkpoint checkpoint, int sent, int unchanged, long bytesSent) {}

    /** Writes of this size into OpenSSH's ssh keep a loopback link busy. */
    private static final int BUFFER = 255 * 1024;

    /** Files below this size go up on the calling thread (hashed here first); larger ones stream on a thread of their own, resumable. */
    private static final long SMALL = 1 << 20;

    /**
     * Sends the checkpoint in fromDir to remoteDir on the board. full: send every file, even those the
     * board holds already. A file cut off by an earlier, interrupted transfer (NAME.part) is continued
     * where it stopped when its beginning is ours.
     */
    public static Result push(BoardSession board, Path fromDir, Path fromWorkdir, String remoteDir, boolean full, Consumer<String> progress)
            throws BoardException, CheckpointException, IOException {
        // The manifest says what to send; the files' own checks (a full read of each) run beside the
        // sending and are awaited before anything is committed on the board: until then it only holds .part/.tmp files.
        Checkpoint listed = CheckpointReader.manifest(fromDir);
        java.util.concurrent.ExecutorService verifying = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hexo-verify");
            t.setDaemon(true);
            return t;
        });
        java.util.concurrent.Future<Checkpoint> verified = verifying.submit(() -> CheckpointReader.verify(fromDir, null));
        verifying.shutdown();
        List<String> names = new ArrayList<>();
        listed.files().forEach(f -> names.add(f.name()));
        names.add(Checkpoint.MANIFEST);
        String dir = quote(remoteDir);
        RemoteState there = RemoteState.read(board, remoteDir);
        int sent = 0, unchanged = 0;
        long bytes = 0;
        Map<String, String> local = new HashMap<>();
        List<String> arrived = new ArrayList<>(), keptAsTmp = new ArrayList<>(), small = new ArrayList<>();
        java.util.concurrent.ExecutorService hashing = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hexo-hash");
            t.setDaemon(true);
            return t;
        });
        // Big files travel on a thread of their own, each through a channel whose far end hashes it as it
        // arrives, while the small ones go up on this one.
        java.util.concurrent.ExecutorService sending = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hexo-send");
            t.setDaemon(true);
            return t;
        });
        Map<String, java.util.concurrent.Future<String>> travelling = new java.util.LinkedHashMap<>();
        Map<String, java.util.concurrent.Future<String>> oursOf = new HashMap<>();
        Map<String, Long> sentFrom = new HashMap<>();
        Checkpoint cp;
        String toTmp;
        try {
            for (String name : names) {
                Path file = fromDir.resolve(name);
                long size = Files.size(file);
                // Our hash is computed beside the copy (the other core), unless it decides whether to copy at all.
                java.util.concurrent.Future<String> ours = size < SMALL ? java.util.concurrent.CompletableFuture.completedFuture(Hashes.sha256(file))
                        : hashing.submit(() -> Hashes.sha256(file));
                // Awaited only when the board holds a file of this size: otherwise the hash is computed while the file travels.
                String match = full || name.equals(Checkpoint.MANIFEST) || !there.hasSize(name, size) ? null : there.sameAs(name, size, await(ours));
                if (match != null) {
                    local.put(name, await(ours));
                    if (match.endsWith(".tmp")) keptAsTmp.add(name);
                    unchanged++;
                    continue;
                }
                String part = remoteDir + "/" + name + ".part";
                if (size < SMALL) {
                    // Small files go up one after the other below, while the big ones stream on the sending thread.
                    local.put(name, await(ours));
                    small.add(name);
                    bytes += size;
                    continue;
                }
                long from = there.resumableFrom(board, remoteDir, name + ".part", file, size);
                if (from > 0) progress.accept("continuing " + name + " at " + Progress.mb(from) + " (the rest of an interrupted transfer)");
                travelling.put(name, sending.submit(() -> streamUp(board, file, part, from, progress)));
                oursOf.put(name, ours);
                sentFrom.put(name, from);
            }
            if (!small.isEmpty()) {
                // One channel each (through the board's agent: cheap), hashed there as the bytes pass. Not one
                // stream cut by `head -c` there: not every board's head reads no further than it writes.
                Map<String, String> theirs = new HashMap<>();
                for (String name : small) {
                    java.io.ByteArrayOutputStream reply = new java.io.ByteArrayOutputStream(), err = new java.io.ByteArrayOutputStream();
                    int status = board.call("cd " + dir + " && tee " + quote(name + ".part") + " | { " + Hashes.SHELL_SHA256 + "; }",
                            BoardLink.Input.of(fromDir.resolve(name), 0, null), reply, err);
                    if (status != 0) {
                        throw new BoardException("the board could not store " + name + ": " + err.toString(StandardCharsets.UTF_8).strip() + "; run the transfer again");
                    }
                    theirs.put(name, reply.toString(StandardCharsets.UTF_8).trim().split("\\s+")[0]);
                }
                for (String name : small) {
                    if (!local.get(name).equals(theirs.get(name))) {
                        throw new BoardException(name + " did not arrive intact on the board (checksum differs): the board keeps its previous checkpoint; run the transfer again");
                    }
                    arrived.add(name);
                    sent++;
                }
                progress.accept("sent " + String.join(", ", small));
            }
            for (Map.Entry<String, java.util.concurrent.Future<String>> big : travelling.entrySet()) {
                String name = big.getKey(), theirs = awaitSent(big.getValue()), hash = await(oursOf.get(name));
                local.put(name, hash);
                if (!hash.equals(theirs)) {
                    board.exec("rm -f " + quote(remoteDir + "/" + name + ".part"));
                    throw new BoardException(name + " did not arrive intact on the board (checksum differs): the board keeps its previous checkpoint; run the transfer again");
                }
                long size = Files.size(fromDir.resolve(name));
                bytes += size - sentFrom.get(name);
                arrived.add(name);
                sent++;
                progress.accept("sent " + name + " (" + size + " bytes)");
            }
            cp = awaitVerified(verified, listed, fromDir);
            // Whole and checked: NAME.tmp, and remembered with the board's hash so that a transfer
            // interrupted before the commit need not send it again. Its own round trip only when open
            // files are still to go up; otherwise it opens the commit's command (one round trip less).
            StringBuilder mv = new StringBuilder();
            for (String name : arrived) {
                mv.append(" && mv -f ").append(quote(name + ".part")).append(' ').append(quote(name + ".tmp"))
                        .append(" && echo ").append(quote(local.get(name) + " " + name + ".tmp")).append(" >> ").append(RemoteState.SUMS);
            }
            boolean openFilesToSend = cp.openFiles() != null && cp.openFiles().stream().anyMatch(f -> !f.path().startsWith("/"));
            if (!arrived.isEmpty() && openFilesToSend) {
                board.exec("cd " + dir + mv);
                mv.setLength(0);
            }
            toTmp = mv.toString();
            for (GuestFiles.OpenFile f : cp.openFiles() == null ? List.<GuestFiles.OpenFile>of() : cp.openFiles()) {
                if (f.path().startsWith("/")) continue; // on a --mount, which the board mounts itself
                Path file = fromWorkdir.resolve(f.path()).normalize();
                if (!file.startsWith(fromWorkdir.normalize())) throw new CheckpointException("the checkpoint's open file " + f.path() + " is outside " + fromWorkdir);
                String target = remoteDir + "/" + f.path();
                java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
                int status = board.call("mkdir -p " + quote(target.substring(0, target.lastIndexOf('/'))) + " && cat > " + quote(target + ".tmp")
                        + " && mv -f " + quote(target + ".tmp") + " " + quote(target), BoardLink.Input.of(file, 0, null), java.io.OutputStream.nullOutputStream(), err);
                if (status != 0) throw new BoardException("the board could not store " + f.path() + ": " + err.toString(StandardCharsets.UTF_8).strip() + "; run the transfer again");
                bytes += Files.size(file);
                sent++;
            }
        } finally {
            hashing.shutdownNow();
            verifying.shutdownNow();
            sending.shutdownNow();
        }
        // Every file to commit was hashed by the board: as it arrived now, or when it arrived before (the
        // sums file, whose entries count only for files of the size they had then).
        StringBuilder commit = new StringBuilder("cd " + dir + toTmp + " && rm -f mdata.bin");
        StringBuilder sums = new StringBuilder();
        for (String name : names) {
            sums.append(' ').append(quote(local.get(name) + " " + name));
            if (name.equals(Checkpoint.MANIFEST)) continue;
            if (arrived.contains(name) || keptAsTmp.contains(name)) {
                commit.append(" && mv -f ").append(quote(name + ".tmp")).append(' ').append(quote(name));
            } else {
                commit.append(" && rm -f ").append(quote(name + ".tmp")); // an older copy that must not replace the right one
            }
        }
        commit.append(" && mv -f mdata.bin.tmp mdata.bin && printf '%s\\n'").append(sums).append(" > ").append(RemoteState.SUMS)
                .append(".new && mv -f ").append(RemoteState.SUMS).append(".new ").append(RemoteState.SUMS).append(" && sync .");
        board.exec(commit.toString());
        return new Result(cp, sent, unchanged, bytes);
    }

    /** The checkpoint as verified beside the sending; it must be the one whose manifest was sent. */
    private static Checkpoint awaitVerified(java.util.concurrent.Future<Checkpoint> verified, Checkpoint listed, Path fromDir)
            throws CheckpointException, IOException {
        Checkpoint cp;
        try {
            cp = verified.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof CheckpointException c) throw c;
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while verifying the checkpoint");
        }
        if (!cp.files().equals(listed.files())) {
            throw new CheckpointException("the checkpoint in " + fromDir + " changed while it was being sent: the board keeps its previous checkpoint; run the transfer again");
        }
        return cp;
    }

    /** The board's hash of a big file sent on the sending thread, or what stopped it. */
    private static String awaitSent(java.util.concurrent.Future<String> sent) throws BoardException, IOException {
        try {
            return sent.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof BoardException b) throw b;
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending");
        }
    }

    private static String await(java.util.concurrent.Future<String> hash) throws IOException {
        try {
            return hash.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while hashing");
        }
    }

    /**
     * What a checkpoint directory on the board holds, in one round trip: each file's size, and the SHA-256
     * the board computed when each arrived (HOME/…/.hexo-sums). Re-hashing hundreds of megabytes there
     * before every transfer would cost more than sending them.
     */
    private record RemoteState(Map<String, Long> sizes, Map<String, String> sums) {
        static final String SUMS = ".hexo-sums";

        static RemoteState read(BoardSession board, String remoteDir) throws BoardException {
            String out = board.exec("mkdir -p " + quote(remoteDir) + " && cd " + quote(remoteDir) + " && { cat " + SUMS
                    + " 2>/dev/null; echo '--'; for f in *; do [ -f \"$f\" ] && stat -c '%s %n' \"$f\"; done; true; }");
            Map<String, Long> sizes = new HashMap<>();
            Map<String, String> sums = new HashMap<>();
            boolean listing = false;
            for (String line : out.split("\n")) {
                if (line.equals("--")) {
                    listing = true;
                    continue;
                }
                String[] f = line.split(" ", 2);
                if (f.length != 2) continue;
                if (listing && f[0].matches("\\d+")) sizes.put(f[1], Long.parseLong(f[0]));
                else if (!listing && f[0].matches("[0-9a-f]{64}")) sums.put(f[1], f[0]);
            }
            return new RemoteState(sizes, sums);
        }

        /** Whether the board holds a file of this size as NAME or NAME.tmp (only then can it be this file). */
        boolean hasSize(String name, long size) {
            return sizes.getOrDefault(name, -1L) == size || sizes.getOrDefault(name + ".tmp", -1L) == size;
        }

        /** NAME or NAME.tmp when the board holds exactly this file under that name, else null. */
        String sameAs(String name, long size, String sha256) {
            for (String n : List.of(name, name + ".tmp")) {
                if (sizes.getOrDefault(n, -1L) == size && sha256.equals(sums.get(n))) return n;
            }
            return null;
        }

        /** How much of part (on the board) is already the beginning of file: its length if so, else 0. */
        long resumableFrom(BoardSession board, String remoteDir, String part, Path file, long size) throws IOException, BoardException {
            long have = sizes.getOrDefault(part, 0L);
            if (have <= 0 || have > size) return 0;
            String theirs = board.exec("head -c " + have + " " + quote(remoteDir + "/" + part) + " | { " + Hashes.SHELL_SHA256 + "; }").trim().split("\\s+")[0];
            try (InputStream in = Files.newInputStream(file)) {
                return Hashes.sha256(in, have).equals(theirs) ? have : 0;
            }
        }
    }

    /**
     * Fetches the checkpoint in remoteDir into toDir. The files come down into a staging directory next
     * to toDir that outlives an interrupted transfer (the next one continues it, and takes a file the
     * destination already holds with the same SHA-256 from there rather than over the link); once the
     * checkpoint verifies there it goes into toDir with all of CheckpointTransfer's guarantees.
     */
    public static Result pull(BoardSession board, String remoteDir, Path toDir, Path toWorkdir, boolean full, Consumer<String> progress)
            throws BoardException, CheckpointException, IOException {
        Path target = toDir.toAbsolutePath().normalize();
        Path parent = target.getParent() != null ? target.getParent() : target;
        String key = Hashes.sha256((board.board().address() + ":" + remoteDir + ">" + target).getBytes(StandardCharsets.UTF_8)).substring(0, 12);
        Path staging = parent.resolve(".hexo-incoming-" + key);
        Files.createDirectories(staging);
        Map<String, String> remote = remoteHashes(board, remoteDir, Checkpoint.ALL_FILES);
        long bytes = 0;
        int sent = 0, unchanged = 0;
        {
            for (String name : Checkpoint.ALL_FILES) {
                String want = remote.get(name);
                if (want == null) continue; // the manifest says which files a checkpoint has; verification below says if one is missing
                Path into = staging.resolve(name), mine = toDir.resolve(name);
                if (!full && Files.isRegularFile(into) && want.equals(Hashes.sha256(into))) {
                    unchanged++;
                    continue;
                }
                if (!full && Files.isRegularFile(mine) && want.equals(Hashes.sha256(mine))) {
                    Files.copy(mine, into, StandardCopyOption.REPLACE_EXISTING);
                    unchanged++;
                    continue;
                }
                Path part = staging.resolve(name + ".part");
                long from = Files.isRegularFile(part) ? Files.size(part) : 0;
                if (from > 0) progress.accept("continuing " + name + " at " + Progress.mb(from) + " (the rest of an interrupted transfer)");
                bytes += download(board, remoteDir + "/" + name, part, from, progress);
                if (!want.equals(Hashes.sha256(part))) {
                    Files.delete(part);
                    throw new BoardException(name + " did not arrive intact from the board (checksum differs): run the transfer again");
                }
                Files.move(part, into, StandardCopyOption.REPLACE_EXISTING);
                sent++;
                progress.accept("received " + name);
            }
            Checkpoint cp = CheckpointReader.verify(staging, null);
            for (GuestFiles.OpenFile f : cp.openFiles() == null ? List.<GuestFiles.OpenFile>of() : cp.openFiles()) {
                if (f.path().startsWith("/") || f.path().contains("..")) continue;
                Path local = staging.resolve(f.path());
                Files.createDirectories(local.getParent());
                bytes += download(board, remoteDir + "/" + f.path(), local, 0, progress);
            }
            Checkpoint copied = CheckpointTransfer.copy(staging, staging, toDir, toWorkdir);
            deleteTree(staging); // only once the destination holds it all: an interrupted pull keeps what it has
            return new Result(copied, sent, unchanged, bytes);
        }
    }

    /** The board's SHA-256 of those of names it holds (OpenSSL there when it has it: several times sha256sum's speed). */
    private static Map<String, String> remoteHashes(BoardSession board, String remoteDir, List<String> names) throws BoardException {
        StringBuilder cmd = new StringBuilder("cd " + quote(remoteDir) + " && for f in");
        for (String n : names) cmd.append(' ').append(quote(n));
        cmd.append("; do [ -f \"$f\" ] && printf '%s ' \"$f\" && { ").append(Hashes.SHELL_SHA256).append("; } < \"$f\"; done; true");
        Map<String, String> hashes = new HashMap<>();
        for (String line : board.exec(cmd.toString()).lines().toList()) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 2 && parts[1].matches("[0-9a-f]{64}")) hashes.put(parts[0], parts[1]);
        }
        return hashes;
    }

    /**
     * file from byte `from` on into part on the board, which already holds the bytes before it, through
     * an exec channel whose far end appends it and hashes the whole part as it arrives: the board's
     * SHA-256 of what it now holds, computed while the bytes travel rather than after.
     */
    private static String streamUp(BoardSession board, Path file, String part, long from, Consumer<String> progress) throws BoardException, IOException {
        String p = quote(part);
        String cmd = (from > 0 ? "truncate -s " + from + " " + p : ": > " + p) + " && { cat " + p + "; tee -a " + p + "; } | { " + Hashes.SHELL_SHA256 + "; }";
        List<String> ssh = board.openssh(cmd);
        if (ssh != null) {
            String theirs = streamUpOpenSsh(ssh, file, part, from, progress);
            if (theirs != null) return theirs;
            // ssh itself could not log in (e.g. a key only MINA can read): the same command over this session.
        }
        java.io.ByteArrayOutputStream reply = new java.io.ByteArrayOutputStream(), err = new java.io.ByteArrayOutputStream();
        int status = board.call(cmd, BoardLink.Input.of(file, from, Progress.lines(file.getFileName().toString(), Files.size(file), progress)), reply, err);
        if (status != 0) {
            throw new BoardException("the board could not store " + part + ": " + err.toString(StandardCharsets.UTF_8).strip() + "; run the transfer again");
        }
        return reply.toString(StandardCharsets.UTF_8).trim().split("\\s+")[0];
    }

    /**
     * streamUp's command through OpenSSH's ssh: the board's hash of the part, or null when ssh itself
     * failed (exit status 255) and the caller should use the MINA session instead. The command starts by
     * truncating the part to `from`, so running it again after a failed ssh is harmless.
     */
    private static String streamUpOpenSsh(List<String> argv, Path file, String part, long from, Consumer<String> progress)
            throws BoardException, IOException {
        Path errors = Files.createTempFile("hexo-ssh", ".err");
        try {
            Process ssh = new ProcessBuilder(argv).redirectError(errors.toFile()).start();
            java.util.concurrent.CompletableFuture<byte[]> reply = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (InputStream in = ssh.getInputStream()) {
                    return in.readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            IOException cut = null;
            try (InputStream in = Files.newInputStream(file); OutputStream up = ssh.getOutputStream()) {
                in.skipNBytes(from);
                byte[] buf = new byte[BUFFER];
                OutputStream counted = Progress.counting(up, file.getFileName().toString(), from, Files.size(file), progress);
                for (int n; (n = in.read(buf)) > 0; ) counted.write(buf, 0, n);
            } catch (IOException e) {
                cut = e; // ssh went away early: its exit status below says whether it or the board failed
            }
            int status = ssh.waitFor();
            if (status == 255) return null;
            if (status == 0 && cut != null) throw cut; // reading our own file failed
            if (status != 0) {
                throw new BoardException("the board could not store " + part + ": " + Files.readString(errors).strip() + "; run the transfer again");
            }
            return new String(reply.join(), StandardCharsets.UTF_8).trim().split("\\s+")[0];
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending " + file.getFileName());
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    /** remote from byte `from` on, appended to file (which holds the bytes before it): a plain stream, no round trip per block. */
    private static long download(BoardSession board, String remote, Path file, long from, Consumer<String> progress) throws IOException, BoardException {
        long size = Long.parseLong(board.exec("stat -c %s " + quote(remote)).trim());
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int status;
        try (OutputStream out = from > 0 ? Files.newOutputStream(file, StandardOpenOption.APPEND) : Files.newOutputStream(file)) {
            status = board.call("tail -c +" + (from + 1) + " " + quote(remote), null,
                    Progress.counting(out, file.getFileName().toString().replace(".part", ""), from, size, progress), err);
        }
        if (status != 0) throw new BoardException("the board could not send " + remote + ": " + err.toString(StandardCharsets.UTF_8).strip() + "; run the transfer again");
        return size - from;
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
