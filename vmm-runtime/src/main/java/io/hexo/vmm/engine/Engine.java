package io.hexo.vmm.engine;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.memory.GuestMemory;
import io.hexo.vmm.memory.LazyMemory;
import io.hexo.vmm.memory.PageSource;

/**
 * One execution engine for one guest vCPU: KVM or the process engine, for x86-64 or AArch64.
 *
 * <p>Life cycle: {@code create} (in each implementation) maps the guest memory, {@link #run} boots the
 * vCPU at the layout's entry point and returns when the guest stops or faults, {@link #close} frees
 * everything but the guest memory, which belongs to the caller.
 *
 * <p>CPU state on entry, for every engine: pc = layout.entry(), stack pointer = layout.stackTop(),
 * interrupts off, FP/SIMD usable, the boot info at {@code Abi.BOOT_INFO_ADDR}. x86-64 engines also
 * provide 64-bit mode with an identity map of the layout's mapped ranges, the doorbell port open to
 * CPL 3 (IOPL 3 and the TSS I/O bitmap) and, on KVM, code running at CPL 3; AArch64 guests start at EL1 with the MMU off and set up their
 * own identity map. The process engine instead runs the guest as a Linux process (user mode, guest
 * memory mapped at the guest-physical addresses of the layout's ranges from {@code Abi.PROCESS_MAP_START}
 * up) and sets {@code boot_info.doorbell}, which the guest kernel then calls instead of its port or MMIO
 * doorbell.
 */
public interface Engine extends AutoCloseable {
    Isa isa();

    /** "KVM", "process (native)", "process (qemu-aarch64-static)": shown to users. */
    String description();

    /** Runs the guest until a doorbell handler returns false or the CPU faults. Call once. */
    Exit run(DoorbellHandler handler);

    @Override
    void close();

    /**
     * From now on (called from a doorbell handler, i.e. while the guest waits), guest memory
     * [start, start+length) drops what it holds and fills itself from source as it is touched, the way this
     * engine can notice touches (userfaultfd on KVM, the guest process's SIGSEGV handler on the process
     * engine). Page-aligned; length a multiple of {@link LazyMemory#BLOCK}.
     */
    LazyMemory fillLazily(long start, long length, PageSource source);

    /**
     * Everything an engine needs to start a guest.
     *
     * @param gdbPort a TCP port on which the guest waits for gdb before its first instruction, or 0
     *                (only the process engine offers it: qemu-user's gdb stub, or gdbserver)
     */
    record Setup(GuestMemory memory, GuestLayout layout, int gdbPort) {
        public Setup(GuestMemory memory, GuestLayout layout) {
            this(memory, layout, 0);
        }
    }
}
