package io.hexo.vmm.kvm;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Assembles a test guest from src/test/resources/kvm/NAME.S (x86-*.S) with binutils (as, ld -Ttext=0x200000,
 * objcopy -O binary, nm) into target/kvm-guests/, once per change of the source. Where binutils are
 * missing (inside the KVM rig) the files assembled before on the host are used.
 */
public final class X86GuestAsm {
    public static final long LINK_BASE = 0x200000;

    /** A flat image to load at LINK_BASE and its symbols. */
    public record Guest(byte[] image, Map<String, Long> symbols) {
        public long symbol(String name) {
            Long v = symbols.get(name);
            if (v == null) throw new IllegalArgumentException("no symbol " + name + " in the test guest");
            return v;
        }
    }

    private X86GuestAsm() {}

    public static Path outputDir() {
        return testClasses().getParent().resolve("kvm-guests");
    }

    static Path testClasses() {
        try {
            return Path.of(X86GuestAsm.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static synchronized Guest assemble(String name) throws IOException, InterruptedException {
        Path src = testClasses().resolve("kvm").resolve(name + ".S");
        Path dir = outputDir();
        Path bin = dir.resolve(name + ".bin"), sym = dir.resolve(name + ".sym");
        boolean fresh = Files.exists(bin) && Files.exists(sym)
                && (!Files.exists(src) || Files.getLastModifiedTime(sym).compareTo(Files.getLastModifiedTime(src)) >= 0);
        if (!fresh) {
            if (!Files.exists(src)) throw new IOException("no test guest source " + src);
            Files.createDirectories(dir);
            Path obj = dir.resolve(name + ".o"), elf = dir.resolve(name + ".elf");
            exec(dir, "as", "--64", "-o", obj.toString(), src.toString());
            exec(dir, "ld", "-N", "-Ttext=0x" + Long.toHexString(LINK_BASE), "-e", "_start", "-o", elf.toString(), obj.toString());
            exec(dir, "objcopy", "-O", "binary", elf.toString(), bin.toString());
            Path tmp = dir.resolve(name + ".sym.tmp");
            new ProcessBuilder("nm", elf.toString()).redirectOutput(tmp.toFile()).redirectErrorStream(false).start().waitFor();
            Files.move(tmp, sym, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Map<String, Long> symbols = new HashMap<>();
        for (String line : Files.readAllLines(sym)) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3) symbols.put(f[2], Long.parseUnsignedLong(f[0], 16));
        }
        return new Guest(Files.readAllBytes(bin), symbols);
    }

    private static void exec(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(cmd[0] + " is needed to assemble the KVM test guests (apt-get install binutils)", e);
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }
}
