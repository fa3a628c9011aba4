package io.hexo.vmm.hypercall;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.Exit;
import io.hexo.vmm.engine.GuestLayout;
import io.hexo.vmm.guest.MigrationControl;
import io.hexo.vmm.loader.ElfImage;
import io.hexo.vmm.loader.TestImages;
import io.hexo.vmm.memory.GuestMemory;
import io.hexo.vmm.run.Outcome;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * What a user reads when the engine, not the guest, saw a fault: the engine's sentence and the C
 * function, never a made-up exception number (a triple fault used to read "CPU exception -1").
 */
public class EngineFaultReportTest {
    private static GuestMemory memory;
    private static ElfImage image;
    private static LifecycleCalls lifecycle;

    @BeforeClass
    public static void setUp() throws Exception {
        image = ElfImage.read(TestImages.stressArgsImage(Isa.X86_64.imageName()));
        memory = GuestMemory.allocate(64L << 20);
        long guard = image.symbol("__hexo_stack_guard");
        GuestLayout layout = new GuestLayout(memory.size(), image.entry(), image.symbol("__hexo_stack_top"), guard, guard + 0x200000,
                image.end(), GuestLayout.linmemBaseAfter(image.end()), image.symbol("hexo_x86_trap_vectors"));
        lifecycle = new LifecycleCalls(memory, image, layout, new MigrationControl(memory, 0), null);
    }

    @AfterClass
    public static void tearDown() {
        if (memory != null) memory.close();
    }

    @Test
    public void aTripleFaultIsTheEnginesSentenceWithTheFunction() {
        long pc = image.symbol("w2c_main") + 4;
        Outcome.Trapped t = lifecycle.fault(new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, pc, 0, -1,
                "triple fault (KVM_EXIT_SHUTDOWN): an exception occurred and the guest's trap handlers could not report it at rip 0x1"));
        assertEquals("the guest stopped: triple fault (KVM_EXIT_SHUTDOWN): an exception occurred and the guest's trap handlers"
                + " could not report it at rip 0x1 (in function main)", t.message());
        assertFalse(t.message(), t.message().contains("exception -1"));
        assertEquals("main", t.function());
    }

    @Test
    public void aGuestProcessKilledBySignalKeepsItsOwnSentence() {
        Outcome.Trapped t = lifecycle.fault(new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, 0, 0, 9, "the guest process was killed by SIGKILL (9)"));
        assertEquals("the guest process was killed by SIGKILL (9)", t.message());
    }

    @Test
    public void memoryFaultsSeenByTheEngineReadLikeTheGuestsOwnReports() {
        Outcome.Trapped t = lifecycle.fault(new Exit.Fault(Abi.TRAP_OUT_OF_BOUNDS, image.symbol("w2c_main"), 0x7000000000L, 0x25, "data abort"));
        assertTrue(t.message(), t.message().startsWith("the guest accessed memory outside the guest's memory (address 0x7000000000) in function main"));
    }
}
