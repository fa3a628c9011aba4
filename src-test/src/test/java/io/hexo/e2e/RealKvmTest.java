package io.hexo.e2e;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.run.Outcome;
import org.junit.Test;

import java.nio.file.Files;
import java.nio.file.Path;

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

    @Test
    public void x86OnRealKvmThenArmOnTheProcessEngine() throws Exception {
        Path images = Hexo.sample(SAMPLE), ck = Hexo.tempDir("kvm-x86");
        KvmRig.Result kvm = KvmRig.hexo(KvmRig.X86, ck, "run", "--isa", "x86", "--engine", "kvm", "--migrate-at-point", "700",
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
        KvmRig.Result kvm = KvmRig.hexo(KvmRig.ARM64, ck, "run", "--isa", "arm", "--engine", "kvm", "--resume",
                "--checkpoint-dir", ck.toString(), "--workdir", ck.toString(), images.toString());
        assertEquals(kvm.log(), 0, kvm.status());
        assertEquals(Hexo.expected(SAMPLE), x86.stdout() + kvm.stdout());
    }
}
