package io.hexo.build;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Debian packages hexo builds with. Each tool is looked up on PATH (and in LLVM 16's bin directory);
 * a missing one is reported with the package that provides it.
 */
public final class Toolchain {
    /** tool name -> Debian package */
    public static final Map<String, String> TOOLS = new LinkedHashMap<>();

    static {
        TOOLS.put("clang-16", "clang-16");
        TOOLS.put("wasm-ld-16", "lld-16");
        TOOLS.put("ld.lld-16", "lld-16");
        TOOLS.put("opt-16", "llvm-16");
        TOOLS.put("wasm-opt", "binaryen");
        TOOLS.put("wasm2c", "wabt");
        TOOLS.put("wasm-objdump", "wabt");
    }

    /** Files the build needs besides the tools: path -> Debian package. */
    public static final Map<String, String> FILES = Map.of(
            "/usr/include/wasm-rt.h", "wabt",
            "/usr/include/wasm32-wasi/stdio.h", "wasi-libc",
            "/usr/lib/llvm-16/lib/clang/16/lib/wasi/libclang_rt.builtins-wasm32.a", "libclang-rt-16-dev-wasm32");

    private final Map<String, Path> found = new LinkedHashMap<>();

    private Toolchain() {}

    /** Every tool and file present, or a BuildException naming what to install. */
    public static Toolchain locate() throws BuildException {
        Toolchain t = new Toolchain();
        List<String> missing = new ArrayList<>();
        for (var e : TOOLS.entrySet()) {
            Path p = find(e.getKey());
            if (p == null) missing.add(e.getKey() + " (package " + e.getValue() + ")");
            else t.found.put(e.getKey(), p);
        }
        for (var e : FILES.entrySet()) {
            if (!Files.exists(Path.of(e.getKey()))) missing.add(e.getKey() + " (package " + e.getValue() + ")");
        }
        if (!missing.isEmpty()) {
            throw new BuildException("the toolchain is incomplete: missing " + String.join(", ", missing)
                    + ": install with apt-get install clang-16 lld-16 llvm-16 wabt binaryen wasi-libc libclang-rt-16-dev-wasm32");
        }
        return t;
    }

    /** For status displays (the IDE's preferences): each tool with its path, or null when missing. */
    public static Map<String, Path> status() {
        Map<String, Path> s = new LinkedHashMap<>();
        for (String tool : TOOLS.keySet()) s.put(tool, find(tool));
        return s;
    }

    static Path find(String tool) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)));
        dirs.add("/usr/lib/llvm-16/bin");
        for (String d : dirs) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    public String path(String tool) {
        return found.get(tool).toString();
    }
}
