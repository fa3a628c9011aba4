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
