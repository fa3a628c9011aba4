package io.hexo.vmm.guest;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.memory.GuestMemory;
import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

public class MigrationControlTest {
    private static final long CONTROL = 0x20_0000;

    @Test
    public void aRequestReachesTheGuestsControlBlock() {
        try (GuestMemory m = GuestMemory.allocate(4 << 20)) {
            MigrationControl c = new MigrationControl(m, 0);
            c.request(); // before the guest registered: kept
            c.attach(CONTROL);
            assertEquals(1, m.getInt(CONTROL + Abi.CTL_MIGRATE_REQUESTED));
        }
    }

    /** While a checkpoint is written, guest memory must not change under its checksums (HypercallFuzzTest found it). */
    @Test
    public void aFrozenGuestsMemoryIsNotWrittenAndAThawDeliversTheRequest() {
        try (GuestMemory m = GuestMemory.allocate(4 << 20)) {
            MigrationControl c = new MigrationControl(m, 0);
            c.attach(CONTROL);
            c.freeze();
            c.request();
            assertEquals(0, m.getInt(CONTROL + Abi.CTL_MIGRATE_REQUESTED));
            assertTrue(c.isRequested());
            c.thaw();
            assertEquals(1, m.getInt(CONTROL + Abi.CTL_MIGRATE_REQUESTED));
        }
    }
}
