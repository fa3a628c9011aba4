package io.hexo.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Real KVM for the end-to-end suite: this host's own /dev/kvm where it works, and otherwise (or for the
 * other ISA) hexo's CLI inside a QEMU rig (tools/x86-kvm-vm: nested SVM; tools/arm64-board-vm: AArch64
 * with EL2), which has a real /dev/kvm. Not every machine of this kind has one (kvm_pvm refuses to load
 * under PTI), so a KVM case either runs here or in a rig, never not at all.
 */
final class KvmRig {
    /** Whether this host's own /dev/kvm can be used (HostKvmTest checks that the suite then ran on it). */
    static final boolean HOST_KVM = Files.isReadable(Path.of("/dev/kvm")) && Files.isWritable(Path.of("/dev/kvm"));
    static final String X86 = "x86-kvm-vm", ARM64 = "arm64-board-vm";

    record Result(int status, String stdout, String log) {}

    private static final Pattern KERNEL_LINE = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\] ");

    private KvmRig() {}

    /**
     * hexo's CLI inside a rig (its JVM directly: the rigs' root file systems have a JRE but no bash); the
     * project, and with it the test's work directory, is shared at the same path. stdout keeps the guest
     * program's lines only; log has everything.
     */
    static Result hexo(String rig, Path cwd, String... hexoArgs) throws IOException, InterruptedException {
        Path target = Hexo.HOME.resolve("compiler-bridge/target");
        List<String> cmd = new ArrayList<>(List.of(Hexo.HOME.resolve("tools").resolve(rig).resolve("run-in-vm.sh").toString(),
                "--share", Hexo.HOME.toString(), "--timeout", "600", "--", "java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dhexo.home=" + Hexo.HOME, "-cp", target.resolve("compiler-bridge-0.1.0-SNAPSHOT.jar") + ":" + target.resolve("lib") + "/*",
                "io.hexo.cli.Main"));
        cmd.addAll(List.of(hexoArgs));
        Path out = Files.createTempFile(Hexo.WORK, "rig", ".out"), log = Files.createTempFile(Hexo.WORK, "rig", ".log");
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(out.toFile()).redirectError(log.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(rig + " did not finish in 15 minutes");
        }
        // The VM's serial console carries the guest program's stdout, hexo's notices and the kernel's own lines.
        String stdout = Files.readString(out).lines().filter(l -> !l.startsWith("hexo: ") && !KERNEL_LINE.matcher(l).find())
                .map(l -> l + "\n").collect(Collectors.joining());
        return new Result(p.exitValue(), stdout, Files.readString(log) + Files.readString(out));
    }
}
