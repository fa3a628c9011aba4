package io.hexo.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.EngineUnavailableException;
import io.hexo.vmm.kvm.KvmSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Test;

/**
 * Which engine this host's own x86-64 cases ran on. Users' machines have a working /dev/kvm, so where
 * this host has one the end-to-end suite must have run on it (not only in a rig): a /dev/kvm that is
 * there but unusable fails here with the kernel's reason. Where there is none, one line says so and
 * where real KVM was tested instead.
 */
public class HostKvmTest {
    private static final Path IMAGES = Hexo.sample("stress-float");

    @Test
    public void x86CasesRunOnThisHostsKvmWhenItHasOne() {
        boolean kvmHere = Files.exists(Path.of(KvmSystem.DEVICE));
        if (kvmHere) {
            try {
                KvmSystem.open().close();
            } catch (EngineUnavailableException e) {
                fail("this host has " + KvmSystem.DEVICE + " but hexo cannot use it, so the x86 cases did not run on KVM: "
                        + e.getMessage());
            }
        }
        Hexo.Run run = Hexo.run(IMAGES, Isa.X86_64, Hexo.options());
        assertEquals(run.outcome() + run.stderr() + run.notices(), 0, run.status());
        assertEquals(Hexo.expected("stress-float"), run.stdout());
        if (kvmHere) {
            assertEquals("the engine of an x86-64 run on a host with /dev/kvm", "KVM", run.engine());
            System.out.println("[engines] this host has /dev/kvm: the end-to-end x86-64 cases ran on it");
        } else {
            assertTrue(run.engine(), !run.engine().equals("KVM"));
            System.out.println("[engines] this host has no /dev/kvm: the end-to-end x86-64 cases ran on '" + run.engine()
                    + "'; real KVM was exercised inside the QEMU rigs (KvmX86EngineTest, KvmArm64EngineInVm, RealKvmTest)");
        }
    }
}
