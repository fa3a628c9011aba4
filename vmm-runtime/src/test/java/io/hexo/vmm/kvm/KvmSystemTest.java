package io.hexo.vmm.kvm;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.hexo.vmm.engine.EngineUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Test;

/** Host-side checks that need no /dev/kvm: ioctl numbers against the values in linux/kvm.h. */
public class KvmSystemTest {
    @Test
    public void ioctlNumbersMatchLinuxHeaders() {
        assertEquals(0xae00L, KvmSystem.KVM_GET_API_VERSION);
        assertEquals(0xae01L, KvmSystem.KVM_CREATE_VM);
        assertEquals(0xae04L, KvmSystem.KVM_GET_VCPU_MMAP_SIZE);
        assertEquals(0xae41L, KvmSystem.KVM_CREATE_VCPU);
        assertEquals(0x4020ae46L, KvmSystem.KVM_SET_USER_MEMORY_REGION);
        assertEquals(0xae80L, KvmSystem.KVM_RUN);
    }

    @Test
    public void aMissingDeviceIsOneClearSentence() {
        try {
            KvmSystem.open("/nonexistent/kvm").close();
            throw new AssertionError("open() succeeded without a device");
        } catch (EngineUnavailableException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("/nonexistent/kvm does not exist: KVM is not available on this host"));
        }
    }

    @Test
    public void aDeviceThatIsNotKvmIsOneClearSentence() throws Exception {
        Path notKvm = Files.createTempFile("not-kvm", "");
        try {
            KvmSystem.open(notKvm.toString()).close();
            throw new AssertionError("open() took a plain file for KVM");
        } catch (EngineUnavailableException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(notKvm + " is there but does not answer as KVM does"));
        } finally {
            Files.delete(notKvm);
        }
    }

    @Test
    public void thisHostsKvmOpensWhenItIsThere() {
        // Users' machines have /dev/kvm: where this one has it too, it must work (the engine tests then run on it).
        if (Files.exists(Path.of(KvmSystem.DEVICE))) {
            KvmSystem.open().close();
        } else {
            try {
                KvmSystem.open().close();
                throw new AssertionError("open() succeeded without " + KvmSystem.DEVICE);
            } catch (EngineUnavailableException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("/dev/kvm does not exist"));
            }
        }
    }
}
