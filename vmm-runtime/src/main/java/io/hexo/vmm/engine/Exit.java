package io.hexo.vmm.engine;

/** Why {@link Engine#run} returned. */
public sealed interface Exit {
    /** The hypercall handler asked the guest to stop (exit, trap reported by the guest, checkpoint taken). */
    record Stopped() implements Exit {}

    /**
     * The CPU faulted and the guest could not report it itself (always under Unicorn, which never enters
     * guest vectors; on KVM only when the guest's own handlers failed).
     *
     * @param kind   an {@code Abi.TRAP_*} value
     * @param pc     guest program counter of the faulting instruction
     * @param address faulting data address, or 0
     * @param detail x86 vector or AArch64 exception class / Unicorn interrupt number
     */
    record Fault(int kind, long pc, long address, long detail, String description) implements Exit {}
}
