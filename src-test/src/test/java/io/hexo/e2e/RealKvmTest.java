package io.hexo.e2e;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.run.Outcome;
import org.junit.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The product on real KVM, both ISAs, from this x86-64 machine: `hexo run --engine kvm` inside the
 * QEMU rigs (tools/x86-kvm-vm: nested SVM; tools/arm64-board-vm: AArch64 with EL2), which give a real
 * /dev/kvm. A checkpoint taken on real KVM resumes on the process engine of the other ISA and the
 * other way round, as it would between a server and a board.
 */
public class RealKvmTest {
    private static final String SAMPLE = "stress-recursion";

    private record Result(int status, String stdout, String log) {}

    private static final java.util.regex.Pattern KERNEL_LINE = java.util.regex.Pattern.compile("^\\[\\s*\\d+\\.\\d+\\] ");

    /**
     * hexo's CLI inside a rig (its JVM directly: the rigs' root file systems have a JRE but no bash); the
     * project, and with it the test's work directory, is shared at the same path.
     */
    private static Result inRig(String rig, Path cwd, String... hexoArgs) throws IOException, InterruptedException {
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
                .map(l -> l + "\n").collect(java.util.stream.Collectors.joining());
        return new Result(p.exitValue(), stdout, Files.readString(log) + Files.readString(out));
    }

    @Test
    public void x86OnRealKvmThenArmOnTheProcessEngine() throws Exception {
        Path images = Hexo.sample(SAMPLE), ck = Hexo.tempDir("kvm-x86");
        Result kvm = inRig("x86-kvm-vm", ck, "run", "--isa", "x86", "--engine", "kvm", "--migrate-at-point", "700",
                "--checkpoint-dir", ck.toString(), "--workdir", ck.toString(), images.toString());
        assertEquals(kvm.log(), 75, kvm.status());
        assertTrue(kvm.log(), Files.readString(ck.resolve("mdata.bin"), java.nio.charset.StandardCharsets.ISO_8859_1).contains("\"engine\": \"KVM"));
        Hexo.Run board = Hexo.run(images, Isa.AARCH64, Hexo.options().checkpointDir(ck).workdir(ck).resume());
        assertTrue(board.outcome().toString(), board.outcome() instanceof Outcome.Exited);
        assertEquals(Hexo.expected(SAMPLE), kvm.stdout() + board.stdout());
    }

    @Test
    public void hostX86ThenArmOnRealKvm() throws Exception {
        Path images = Hexo.sample(SAMPLE), ck = Hexo.tempDir("kvm-arm");
        Hexo.Run x86 = Hexo.run(images, Isa.X86_64, Hexo.options().checkpointDir(ck).workdir(ck).migrateAt(300));
        assertTrue(x86.outcome().toString(), x86.outcome() instanceof Outcome.Checkpointed);
        Result kvm = inRig("arm64-board-vm", ck, "run", "--isa", "arm", "--engine", "kvm", "--resume",
                "--checkpoint-dir", ck.toString(), "--workdir", ck.toString(), images.toString());
        assertEquals(kvm.log(), 0, kvm.status());
        assertEquals(Hexo.expected(SAMPLE), x86.stdout() + kvm.stdout());
    }
}
