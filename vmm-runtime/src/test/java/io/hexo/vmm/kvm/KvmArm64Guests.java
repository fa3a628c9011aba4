package io.hexo.vmm.kvm;

import io.hexo.vmm.abi.Isa;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tiny AArch64 test guests of src/test/resources/kvm-arm64/*.S, assembled at test time into flat
 * binaries (aarch64-linux-gnu-as + objcopy -O binary, Debian package binutils-aarch64-linux-gnu; on an
 * ARM64 host the native as/objcopy do too). Inside the QEMU rig there is no assembler: the host test
 * assembles first and passes the directory in the system property {@value #DIR_PROPERTY}.
 */
final class KvmArm64Guests {
    static final String DIR_PROPERTY = "hexo.kvmarm64.guests";
    static final String[] NAMES = {"doorbell", "fp", "mmu", "vectors", "faults"};

    private KvmArm64Guests() {}

    /** The flat binary of one guest: from {@value #DIR_PROPERTY} when set, otherwise assembled now. */
    static byte[] load(String name) throws IOException {
        String dir = System.getProperty(DIR_PROPERTY);
        Path bin;
        if (dir != null) {
            bin = Path.of(dir, name + ".bin");
            if (!Files.isRegularFile(bin)) {
                throw new IllegalStateException("test guest " + bin + " is missing: the host side assembles it before the run");
            }
        } else {
            bin = assembleAll(Path.of("target", "kvm-arm64-guests")).resolve(name + ".bin");
        }
        return Files.readAllBytes(bin);
    }

    /** Assembles every guest into {@code out}; returns it. Fails with the tool's output when it cannot. */
    static synchronized Path assembleAll(Path out) throws IOException {
        Path src = sourceDir();
        Files.createDirectories(out);
        String as = tool("as");
        String objcopy = tool("objcopy");
        for (String name : NAMES) {
            Path s = src.resolve(name + ".S");
            Path o = out.resolve(name + ".o");
            Path b = out.resolve(name + ".bin");
            exec(List.of(as, "-I", src.toString(), "-o", o.toString(), s.toString()));
            exec(List.of(objcopy, "-O", "binary", o.toString(), b.toString()));
            Files.delete(o);
        }
        return out;
    }

    static Path sourceDir() {
        URL url = KvmArm64Guests.class.getResource("/kvm-arm64/doorbell.S");
        if (url == null || !"file".equals(url.getProtocol())) {
            throw new IllegalStateException("the test guests' sources (kvm-arm64/*.S) are not on the test class path as files: " + url);
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** aarch64-linux-gnu-TOOL, or plain TOOL on an ARM64 host. */
    private static String tool(String tool) {
        String cross = "aarch64-linux-gnu-" + tool;
        if (onPath(cross)) return cross;
        if (Isa.host() == Isa.AARCH64 && onPath(tool)) return tool;
        throw new IllegalStateException(cross + " is not installed: apt-get install binutils-aarch64-linux-gnu"
                + " (the KvmArm64 tests assemble their guests at test time)");
    }

    private static boolean onPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, exe))) return true;
        }
        return false;
    }

    private static void exec(List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", cmd));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
        if (p.exitValue() != 0) {
            throw new UncheckedIOException(new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "):\n" + output));
        }
    }
}
