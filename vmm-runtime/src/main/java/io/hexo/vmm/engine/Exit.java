package io.hexo.vmm.engine;

/** Why {@link Engine#run} returned. */
public sealed interface Exit {
    /** The hypercall handler asked the guest to stop (exit, trap reported by the guest, checkpoint taken). */
    record Stopped() implements Exit {}

    /**
     * The CPU faulted and the guest could not report it itself (on KVM when the guest's own handlers
     * failed; on the process engine when the guest process died of a signal its handlers did not catch).
     *
     * @param kind   an {@code Abi.TRAP_*} value
     * @param pc     guest program counter of the faulting instruction
     * @param address faulting data address, or 0
     * @param detail x86 vector, AArch64 exception class or signal number
     */
    record Fault(int kind, long pc, long address, long detail, String description) implements Exit {}
}
