package io.hexo.build;

import java.nio.file.Path;
import java.util.List;

/**
 * How a program's own files are compiled to wasm32, beyond the target: old C the way its authors built it
 * (gcc, or the original's clang 3.7, where these were warnings; clang 16 made them errors), hexo's API known
 * everywhere, and the process clocks wasi-libc hides behind a macro (hexo's runtime provides them).
 */
final class ProgramFlags {
    private ProgramFlags() {}

    static List<String> forProgram(Path resources) {
        return List.of(
                "-Wno-error=implicit-function-declaration",
                "-Wno-error=implicit-int",
                "-Wno-error=int-conversion",
                "-Wno-error=incompatible-function-pointer-types",
                "-Wno-error=return-type",
                "-D_WASI_EMULATED_PROCESS_CLOCKS",
                // A call without a declaration gets `int f()`, whose wasm signature differs from the real
                // `void popcorn_check_migrate(void)`: with the prototype always known, such calls just work.
                "-include", resources.resolve("include/hexo.h").toString());
    }
}
