package io.hexo.vmm.process;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.EngineUnavailableException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The loader executable for one ISA (resources/loader/loader.c): built with clang-16 the first time a
 * guest of that ISA runs as a process, then kept in the user's cache under a name derived from the
 * content of its sources and its command line, the way `hexo build` keys its steps. Every hexo that
 * can build images has clang-16; the loader adds ~0.1 s once.
 */
final class LoaderBinary {
    /**
     * Where the loader is linked: far above any guest memory (guest-physical addresses stop below
     * 0x2_0000_0000 for a 4 GiB linear memory) and below the 47-bit user limit of both ISAs.
     */
    static final String LOADER_BASE = "0x500000000000";
    private static final String CLANG = "clang-16";

    private LoaderBinary() {}

    /** The loader for isa, building it when this content has never been built. */
    static synchronized Path forIsa(Isa isa) {
        Path resources = resources();
        Path source = resources.resolve("loader/loader.c"), abi = resources.resolve("guest/include/hexo_abi.h");
        if (!Files.isRegularFile(source)) {
            throw new EngineUnavailableException("the process engine's loader source " + source + " is missing: reinstall hexo");
        }
        String triple = isa == Isa.X86_64 ? "x86_64-linux-gnu" : "aarch64-linux-gnu";
        List<String> cmd = new ArrayList<>(List.of(CLANG, "--target=" + triple, "-O2", "-ffreestanding", "-nostdlib", "-static",
                "-fpie", "-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-fno-builtin",
                "-I", abi.getParent().toString(), "-fuse-ld=lld", "-Wl,--no-pie", "-Wl,--image-base=" + LOADER_BASE,
                "-Wl,-z,noexecstack", "-Wl,--build-id=none"));
        Path target;
        try {
            target = cacheDir().resolve("hexo-loader-" + isa.displayName() + "-" + key(cmd, source, abi));
            if (Files.isExecutable(target)) return target;
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
            List<String> full = new ArrayList<>(cmd);
            full.addAll(List.of("-o", tmp.toString(), source.toString()));
            try {
                compile(full);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new EngineUnavailableException("cannot build the process engine's loader (" + e.getMessage()
                    + "): check that the cache directory " + cacheDir() + " is writable, or set XDG_CACHE_HOME");
        }
    }

    private static void compile(List<String> cmd) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new EngineUnavailableException("the process engine builds its loader with " + CLANG
                    + ", which is not installed: apt-get install clang-16 lld-16 (or run tools/install.sh)");
        }
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(CLANG + " did not finish in 2 minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building the loader");
        }
        if (p.exitValue() != 0) {
            throw new EngineUnavailableException("cannot build the process engine's loader: " + firstLine(log)
                    + " (is lld-16 installed? run tools/install.sh)");
        }
    }

    private static String firstLine(String log) {
        String t = log.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    private static String key(List<String> cmd, Path... inputs) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(String.join("\0", cmd).getBytes(StandardCharsets.UTF_8));
            for (Path p : inputs) sha.update(Files.readAllBytes(p));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path cacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isEmpty()) return Path.of(xdg, "hexo", "loader");
        String home = System.getProperty("user.home");
        return home != null && !home.isEmpty() && !home.equals("?") ? Path.of(home, ".cache", "hexo", "loader")
                : Path.of(System.getProperty("java.io.tmpdir"), "hexo-loader-" + System.getProperty("user.name"));
    }

    /** resources/ of this hexo: the hexo.home property (launcher, tests) or HEXO_HOME. */
    private static Path resources() {
        String home = System.getProperty("hexo.home");
        if (home == null || home.isEmpty()) home = System.getenv("HEXO_HOME");
        if (home == null || home.isEmpty()) {
            throw new EngineUnavailableException("the process engine cannot find hexo's resources: set HEXO_HOME to the hexo directory");
        }
        return Path.of(home).toAbsolutePath().normalize().resolve("resources");
    }
}
