package io.hexo.vmm.guest;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.memory.GuestMemory;

/**
 * The VMM's side of struct hexo_control (hexo_abi.h), which lives in the guest's linear memory.
 *
 * <p>Any thread may {@link #request()} a migration (SIGUSR1 handler, the MIGTEST timer, the IDE); the
 * flag is written straight into guest memory, where the guest's next popcorn_check_migrate() sees it —
 * no vCPU needs stopping, which is what makes this work identically on KVM and on the process engine. A
 * request made before the guest registered its control block is kept and applied on registration.
 * Guest sleeps wait here, so that a request cuts them short.
 */
public final class MigrationControl {
    private final GuestMemory memory;
    private final long migrateAtPoint;
    private long controlAddr = -1;
    private boolean requested;
    /** The guest is stopped while its memory is written out: requests must not change what is being checksummed. */
    private boolean frozen;

    public MigrationControl(GuestMemory memory, long migrateAtPoint) {
        this.memory = memory;
        this.migrateAtPoint = migrateAtPoint;
    }

    /** The guest registered its control block (guest-physical address). */
    public synchronized long attach(long addr) {
        memory.check(addr, Abi.CTL_SIZE);
        controlAddr = addr;
        memory.putInt(addr + Abi.CTL_MIGRATE_REQUESTED, requested ? 1 : 0);
        memory.putLong(addr + Abi.CTL_MIGRATE_AT_POINT, migrateAtPoint);
        return 0;
    }

    public synchronized void request() {
        requested = true;
        if (controlAddr >= 0 && !frozen) memory.putInt(controlAddr + Abi.CTL_MIGRATE_REQUESTED, 1);
        notifyAll();
    }

    /**
     * Guest memory is about to be checkpointed: until {@link #thaw()}, requests are only remembered, since
     * a flag written into the control block (which lives in linear memory) between a page's checksum and
     * its write would leave a checkpoint that no reader accepts. Returns once a request in progress is done.
     */
    public synchronized void freeze() {
        frozen = true;
    }

    /** The checkpoint failed and the guest goes on: a request made meanwhile reaches it now. */
    public synchronized void thaw() {
        frozen = false;
        if (requested && controlAddr >= 0) memory.putInt(controlAddr + Abi.CTL_MIGRATE_REQUESTED, 1);
    }

    /** A post-copy source took its job back: the guest goes on here, and the request it answered is done with. */
    public synchronized void withdraw() {
        frozen = false;
        requested = false;
    }

    public synchronized boolean isRequested() {
        return requested || (controlAddr >= 0 && memory.getInt(controlAddr + Abi.CTL_MIGRATE_REQUESTED) != 0);
    }

    /** Migration points the guest has passed since its program started (0 before registration). */
    public synchronized long pointsReached() {
        return controlAddr >= 0 ? memory.getLong(controlAddr + Abi.CTL_POINTS_REACHED) : 0;
    }

    /** Sleeps up to nanos, returning early when a migration is requested. */
    public synchronized void sleep(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0 && !isRequested(); left = deadline - System.nanoTime()) {
            wait(left / 1_000_000, (int) (left % 1_000_000));
        }
    }
}
