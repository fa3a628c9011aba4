package io.hexo.e2e;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.EngineChoice;
import io.hexo.vmm.run.Outcome;
import org.junit.BeforeClass;
import org.junit.Test;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The native code computes linear-memory addresses in 64 bits (compiler-bridge AddressArithmetic): an index
 * far outside an array now lands below linear memory or far above it instead of wrapping around 4 GiB. The
 * program's view of linear memory has unmapped guards on both sides, so such an access still traps with
 * hexo's out-of-bounds report, on KVM and on the process engine, on both ISAs.
 */
public class WildAddressTrapsTest {
    private static Path images;

    @BeforeClass
    public static void build() {
        images = Hexo.program("wild-address", Map.of("wild.c", String.join("\n",
                "#include <stdio.h>",
                "#include <stdlib.h>",
                "__attribute__((noinline)) double read_at(volatile double *a, long i) { return a[i]; }",
                "int main(int argc, char **argv) {",
                "    double *a = calloc(64, sizeof *a);",
                "    long i = atol(argv[1]);",
                "    printf(\"before %ld\\n\", i); fflush(stdout);",
                "    printf(\"%g\\n\", read_at(a, i));",
                "    return 0;",
                "}", "")), false);
    }

    /**
     * Indices whose a[index] wasm itself finds outside linear memory (256 MiB here): 2 and 3 GiB below a (a small heap
     * address; wasm wraps these around to 2 and 1 GiB above), 2 and 3 GiB above it. Computed in 64 bits they land
     * below the program's view of linear memory, or above it.
     */
    private static final long[] WILD = {-(1L << 28), -(3L << 27), (1L << 28) - 1, 3L << 27};

    @Test
    public void theAccessIsComputedInSixtyFourBits() throws IOException {
        for (String arch : new String[] {"x86_64", "aarch64"}) {
            String ir = Files.readString(images.resolve(".hexo").resolve(arch).resolve("app_native.rw.ll"));
            int at = ir.indexOf("\ndefine internal double @w2c_read_at(");
            assertTrue(arch + ": read_at was not translated as a function of its own", at > 0);
            String body = ir.substring(at, ir.indexOf("\n}\n", at));
            assertTrue(arch + ": " + body, body.contains("= sext i32 ") && body.contains(" nsw i32 "));
        }
    }

    @Test
    public void aValidIndexReads() {
        for (Isa isa : Isa.values()) {
            Hexo.Run r = Hexo.run(images, isa, Hexo.options().args("63").mem(256L << 20));
            assertEquals(isa + ": " + r.outcome(), 0, r.status());
            assertEquals("before 63\n0\n", r.stdout());
        }
    }

    @Test
    public void anAccessFarBelowOrAboveLinearMemoryTrapsOnEveryEngine() {
        for (EngineChoice engine : new EngineChoice[] {EngineChoice.KVM, EngineChoice.PROCESS}) {
            for (Isa isa : Isa.values()) {
                if (isa == Isa.AARCH64 && engine == EngineChoice.KVM) continue; // in the board rig: below
                if (engine == EngineChoice.KVM && !KvmRig.HOST_KVM) continue; // in the x86 rig: below
                for (long index : WILD) {
                    String what = isa + " on " + engine + ", a[" + index + "]";
                    Hexo.Run r = Hexo.run(images, isa, Hexo.options().args(Long.toString(index)).mem(256L << 20).engine(engine));
                    assertTrue(what + ": " + r.outcome() + " " + r.stderr(), r.outcome() instanceof Outcome.Trapped);
                    Outcome.Trapped t = (Outcome.Trapped) r.outcome();
                    assertEquals(what + ": " + t.message(), Abi.TRAP_OUT_OF_BOUNDS, t.kind());
                    assertTrue(what + ": " + t.message(), t.message().contains("outside the guest's memory"));
                    assertEquals(what, "before " + index + "\n", r.stdout());
                    assertEquals(what, Outcome.STATUS_TRAP, r.status());
                }
            }
        }
    }

    /** x86-64 on real KVM where this host has none: in the x86 rig (tools/x86-kvm-vm), one boot per index. */
    @Test
    public void anAccessBelowOrAboveLinearMemoryTrapsOnX86KvmInTheRigWithoutHostKvm() throws Exception {
        if (KvmRig.HOST_KVM) return; // anAccessFarBelowOrAboveLinearMemoryTrapsOnEveryEngine ran them on this host's KVM
        for (long index : new long[] {-(1L << 28), 3L << 27}) {
            String what = "x86-64 on KVM in the rig, a[" + index + "]";
            KvmRig.Result r = KvmRig.hexo(KvmRig.X86, images, "run", "--isa", "x86", "--engine", "kvm", "--mem", "256M",
                    "--args=" + index, images.toString());
            assertEquals(what + ": " + r.log(), Outcome.STATUS_TRAP, r.status());
            assertTrue(what + ": " + r.log(), r.log().contains("hexo: engine: KVM for the x86-64 guest") && r.stdout().contains("before " + index)
                    && r.log().contains("accessed memory outside the guest's memory") && r.log().contains("in function read_at"));
        }
    }

    /**
     * AArch64 on real KVM: the guest kernel maps the view itself (mmu.c). On an x86-64 host, in the arm64 board
     * rig (tools/arm64-board-vm, AArch64 KVM under qemu-system-aarch64), one boot per index.
     */
    @Test
    public void anAccessBelowOrAboveLinearMemoryTrapsOnAArch64Kvm() throws Exception {
        boolean armHost = System.getProperty("os.arch").equals("aarch64");
        for (long index : new long[] {-(1L << 28), 3L << 27}) {
            String what = "AArch64 on KVM, a[" + index + "]";
            if (armHost) {
                Hexo.Run r = Hexo.run(images, Isa.AARCH64, Hexo.options().args(Long.toString(index)).mem(256L << 20).engine(EngineChoice.KVM));
                assertTrue(what + ": " + r.outcome(), r.outcome() instanceof Outcome.Trapped t && t.kind() == Abi.TRAP_OUT_OF_BOUNDS);
                continue;
            }
            Process p = new ProcessBuilder(Hexo.HOME.resolve("tools/arm64-board-vm/hexo-run.sh").toString(), "--mem", "256M",
                    "--args=" + index, ".").directory(images.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(what + ": the rig did not finish", p.waitFor(10, TimeUnit.MINUTES));
            assertEquals(what + ": " + out, Outcome.STATUS_TRAP, p.exitValue());
            assertTrue(what + ": " + out, out.contains("hexo: engine: KVM for the aarch64 guest") && out.contains("before " + index)
                    && out.contains("accessed memory outside the guest's memory") && out.contains("in function read_at"));
        }
    }
}
