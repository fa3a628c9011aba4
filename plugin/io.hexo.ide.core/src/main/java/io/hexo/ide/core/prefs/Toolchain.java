package io.hexo.ide.core.prefs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.hexo.ide.core.HexoCli;

/** The host tools hexo build and hexo run need, each found or with the Debian package that provides it. */
public final class Toolchain {

    /** One tool: its name, the Debian package to install, where it was found (null = missing). */
    public record Tool(String name, String debianPackage, String purpose, Path foundAt) {
        public boolean found() {
            return foundAt != null;
        }

        public String describe() {
            return found() ? name + ": found (" + foundAt + ")"
                    : name + ": missing - install with: apt-get install " + debianPackage;
        }
    }

    private static final String[] LIB_DIRS = {
        "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/usr/local/lib", "/lib/x86_64-linux-gnu"
    };

    private Toolchain() {
    }

    public static List<Tool> check() {
        List<Tool> tools = new ArrayList<>();
        tools.add(program("clang-16", "clang-16", "C to wasm32 compiler"));
        tools.add(program("wasm-ld-16", "lld-16", "wasm32 linker"));
        tools.add(program("wasm-opt", "binaryen", "Asyncify pass (migration points)"));
        tools.add(program("wasm2c", "wabt", "wasm to C for both ISAs"));
        tools.add(library("libunicorn2", "libunicorn.so.2", "libunicorn2", "emulated ARM64 board"));
        return tools;
    }

    private static Tool program(String name, String pkg, String purpose) {
        return new Tool(name, pkg, purpose, HexoCli.which(name));
    }

    private static Tool library(String name, String file, String pkg, String purpose) {
        for (String dir : LIB_DIRS) {
            Path p = Path.of(dir, file);
            if (Files.exists(p)) {
                return new Tool(name, pkg, purpose, p);
            }
        }
        return new Tool(name, pkg, purpose, null);
    }
}
