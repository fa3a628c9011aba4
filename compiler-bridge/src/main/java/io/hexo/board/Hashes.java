package io.hexo.board;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** SHA-256 in the hex form sha256sum prints, which is what the board's side compares with. */
final class Hashes {
    private Hashes() {}



    /**
     * Files above this are hashed by OpenSSL (SHA-NI where the CPU has it) or coreutils' sha256sum: the
     * launcher's JVM (C1 only) hashes ~20x slower than either.
     */
    private static final long BIG = 8 << 20;

    /** The board's side of the same: SHA-256 of stdin, "HEX ..." on stdout, with the fastest tool there. */
    static final String SHELL_SHA256 = "if command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r; else sha256sum; fi";

    static String sha256(Path file) throws IOException {
        if (Files.size(file) > BIG) {
            for (List<String> tool : List.of(List.of("openssl", "dgst", "-sha256", "-r"), List.of("sha256sum", "-b"))) {
                String hex = external(tool, file);
                if (hex != null) return hex;
            }
        }
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in, Long.MAX_VALUE);
        }
    }

    /** Of the first limit bytes of in (all of them when it is shorter). */
    static String sha256(InputStream in, long limit) throws IOException {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 20];
        for (long left = limit; left > 0; ) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) break;
            md.update(buf, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The hash tool's answer, or null when it is missing or failed (then Java hashes). */
    private static String external(List<String> tool, Path file) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(tool);
        cmd.add(file.toString());
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException missing) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        try {
            return p.waitFor() == 0 && out.matches("(?s)[0-9a-f]{64} .*") ? out.substring(0, 64) : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while hashing " + file);
        }
    }

    private static java.util.Map<String, String> remembered;

    /**
     * The SHA-256 of a file hexo deploys (its jars, the images), remembered across commands in
     * ~/.cache/hexo/deploy-sha256 by path, size, modification time and inode: hashing hexo's 6 MB of
     * jars again in every `hexo run --board` would cost a warm run a tenth of a second. A remembered hash
     * that is wrong cannot do harm: the board checks every blob it receives against its name.
     */
    static synchronized String sha256Remembered(Path file) throws IOException {
        var attrs = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
        String key = file.toAbsolutePath().normalize() + "\t" + attrs.size() + "\t"
                + attrs.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS) + "\t" + attrs.fileKey();
        Path cache = cacheFile();
        if (remembered == null) {
            remembered = new java.util.HashMap<>();
            try {
                for (String line : Files.readAllLines(cache)) {
                    int tab = line.indexOf('\t');
                    if (tab == 64) remembered.put(line.substring(tab + 1), line.substring(0, tab));
                }
            } catch (IOException | RuntimeException none) {
                // nothing remembered yet
            }
        }
        String hex = remembered.get(key);
        if (hex != null) return hex;
        hex = sha256(file);
        remembered.put(key, hex);
        try {
            Files.createDirectories(cache.getParent());
            if (remembered.size() > 4000) Files.deleteIfExists(cache); // old builds' entries: start again
            Files.writeString(cache, hex + "\t" + key + "\n", java.nio.charset.StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // remembered in this process only
        }
        return hex;
    }

    private static Path cacheFile() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("hexo").resolve("deploy-sha256");
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
