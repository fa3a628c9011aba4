package io.hexo.vmm.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a C function of the guest program is defined, from the DWARF of the wasm module {@code hexo build}
 * keeps in {@code OUT/.hexo/prog.wasm} — present when the program was compiled with {@code -g} (CFLAGS).
 *
 * <p>Only the function's definition can be named: the native image is compiled from wasm2c's C, which
 * carries no line table back to the wasm code, so a trap's pc maps to a function and no finer. llvm-dwarfdump-16
 * (Debian llvm-16, beside clang-16) reads the DWARF; without it, or without -g, the place is unknown.
 */
public final class FunctionSource {
    /** The wasm module hexo build leaves beside the images. */
    static final String MODULE = ".hexo/prog.wasm";
    private static final Pattern FILE = Pattern.compile("DW_AT_decl_file\\s*\\(\"([^\"]+)\"\\)");
    private static final Pattern LINE = Pattern.compile("DW_AT_decl_line\\s*\\((\\d+)\\)");

    /** A function's definition: the source file as the compiler saw it, and its line. */
    public record Place(String file, int line) {}

    private FunctionSource() {}

    /** The definition of {@code function} in the program whose images are in {@code imageDir}, or null. */
    public static Place of(Path imageDir, String function) {
        Path module = imageDir.resolve(MODULE);
        if (function == null || !function.matches("[A-Za-z_][A-Za-z0-9_]*") || !Files.isRegularFile(module)) return null;
        try {
            Process p = new ProcessBuilder("llvm-dwarfdump-16", "--name=" + function, module.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readNBytes(1 << 20);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return parse(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The first subprogram's decl_file and decl_line in llvm-dwarfdump's text, or null. */
    static Place parse(String dump) {
        int sub = dump.indexOf("DW_TAG_subprogram");
        if (sub < 0) return null;
        String entry = dump.substring(sub);
        int next = entry.indexOf("DW_TAG_", "DW_TAG_subprogram".length());
        if (next > 0) entry = entry.substring(0, next);
        Matcher f = FILE.matcher(entry), l = LINE.matcher(entry);
        return f.find() && l.find() ? new Place(f.group(1), Integer.parseInt(l.group(1))) : null;
    }
}
