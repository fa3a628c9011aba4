package io.hexo.vmm.kvm;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.hexo.vmm.engine.Engine;
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
    public void engineCreateWithoutKvmSaysWhyBeforeTouchingMemory() {
        if (Files.exists(Path.of(KvmSystem.DEVICE))) return; // the engine tests run for real then
        try {
            KvmX86Engine.create(new Engine.Setup(null, null)).close();
            throw new AssertionError("create() succeeded without " + KvmSystem.DEVICE);
        } catch (EngineUnavailableException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("/dev/kvm does not exist"));
        }
    }

    @Test
    public void missingDeviceIsOneClearSentence() {
        if (Files.exists(Path.of(KvmSystem.DEVICE))) return; // covered by the engine tests then
        try {
            KvmSystem.open().close();
            throw new AssertionError("open() succeeded without " + KvmSystem.DEVICE);
        } catch (EngineUnavailableException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("/dev/kvm does not exist: KVM is not available on this host"));
        }
    }
}
