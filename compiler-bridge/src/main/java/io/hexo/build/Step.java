package io.hexo.build;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One build command with its inputs and output. It runs only when its output is missing or its key —
 * the command line plus the content of every input (and of the headers clang reported last time, via a
 * .d file) — differs from the key stamped beside the output. That is what makes an unchanged rebuild
 * do no work, whatever the timestamps say.
 */
final class Step {
    private static final long LARGE = 16L << 20;
    private final String label;
    private final List<String> command;
    private final List<Path> inputs;
    private final Path output;
    private final Path depFile;
    private final Path stamp;
    private boolean quiet;
    private boolean capture;

    /** stamps: the directory where the step's key is kept (not beside outputs the user sees). */
    Step(String label, List<String> command, List<Path> inputs, Path output, Path depFile, Path stamps) {
        this.label = label;
        this.command = List.copyOf(command);
        this.inputs = List.copyOf(inputs);
        this.output = output;
        this.depFile = depFile;
        this.stamp = stamps.resolve(output.getFileName() + "-" + Integer.toHexString(output.toAbsolutePath().toString().hashCode()) + ".stamp");
    }

    Path output() { return output; }

    /** What the command printed when it last ran: kept, so that a later step can read it even when this one is up to date. */
    Path log() { return stamp.resolveSibling(stamp.getFileName() + ".log"); }

    /** The command's output goes only to {@link #log()}: the build reads it and tells the user itself. */
    Step quiet() {
        quiet = true;
        return this;
    }

    /** For a command that only prints (clang -fsyntax-only): its output is the step's output file. Quiet. */
    Step capture() {
        capture = true;
        return quiet();
    }

    /** @return true if the command ran */
    boolean run(PrintStream progress, PrintStream diagnostics) throws BuildException, IOException, InterruptedException {
        String key = key();
        if (Files.exists(output) && Files.exists(stamp) && Files.readString(stamp).equals(key)) return false;
        progress.println(label);
        progress.flush();
        Files.createDirectories(stamp.getParent());
        Files.deleteIfExists(stamp);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = readAll(p.getInputStream());
        int rc = p.waitFor();
        Files.write(capture ? output : log(), out);
        // A quiet command that failed still says why, unless its output is the step's product.
        if (out.length > 0 && (!quiet || rc != 0 && !capture)) {
            synchronized (diagnostics) {
                diagnostics.write(out);
                diagnostics.flush();
            }
        }
        if (rc != 0) throw new BuildException(label.replaceAll("^\\[[^]]*] ", "") + " failed (" + Path.of(command.get(0)).getFileName() + " exited with " + rc + ")");
        Files.writeString(stamp, key()); // after the run: clang has just written the .d file the key includes
        return true;
    }

    private String key() throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(String.join("\0", command).getBytes(StandardCharsets.UTF_8));
            List<Path> all = new ArrayList<>(inputs);
            if (depFile != null && Files.exists(depFile)) all.addAll(dependencies(depFile));
            for (Path in : all) {
                md.update(in.toString().getBytes(StandardCharsets.UTF_8));
                if (!Files.exists(in)) {
                    md.update((byte) 0);
                } else if (Files.size(in) > LARGE) {
                    // Only intermediates get this big (a wasm object holding a large zeroed array): their
                    // size and time say enough, and hashing hundreds of MB would make "nothing to do" slow.
                    md.update((Files.size(in) + ":" + Files.getLastModifiedTime(in).toMillis()).getBytes(StandardCharsets.UTF_8));
                } else {
                    md.update(Files.readAllBytes(in));
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The prerequisites of a make-style dependency file written by clang -MD. */
    static List<Path> dependencies(Path depFile) throws IOException {
        String text = Files.readString(depFile).replace("\\\n", " ");
        int colon = text.indexOf(": ");
        List<Path> deps = new ArrayList<>();
        if (colon < 0) return deps;
        // Make's escapes as clang writes them: "\ " is a space inside a path, "\#" a '#', "$$" a '$'.
        String rest = text.substring(colon + 2);
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            char next = i + 1 < rest.length() ? rest.charAt(i + 1) : 0;
            if (c == '\\' && (next == ' ' || next == '#') || c == '$' && next == '$') {
                cur.append(next);
                i++;
            } else if (Character.isWhitespace(c)) {
                if (cur.length() > 0) deps.add(Path.of(cur.toString()));
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) deps.add(Path.of(cur.toString()));
        return deps;
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
