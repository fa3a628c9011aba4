package io.hexo.vmm.kvm;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.DoorbellHandler;
import io.hexo.vmm.engine.Engine;
import io.hexo.vmm.engine.Exit;
import io.hexo.vmm.engine.GuestLayout;
import io.hexo.vmm.memory.GuestMemory;

/**
 * x86-64 guests on Linux KVM: one VM, one memory slot for all guest RAM, one vCPU that starts in 64-bit
 * mode at CPL 3 (see {@link KvmX86Vcpu#enterLongModeUser}) with the tables of {@link X86SystemTables}.
 *
 * <p>The guest enters the VMM with {@code outl %eax, $HEXO_X86_PORT}; CPU exceptions go to the guest's
 * own ring-0 stubs at {@code layout.x86TrapVectors()}, which report them with the same doorbell. Only
 * what the guest cannot report (triple fault, failed entry, emulation failure, a stray port or MMIO
 * access) becomes an {@link Exit.Fault} here.
 */
public final class KvmX86Engine extends KvmEngine {
    private final KvmX86Vcpu cpu;

    private KvmX86Engine(Parts parts, KvmX86Vcpu cpu) {
        super(parts);
        this.cpu = cpu;
    }

    /**
     * Builds the VM for {@code setup}; the guest image and boot info must already be in memory.
     *
     * @throws io.hexo.vmm.engine.EngineUnavailableException when this host cannot run KVM guests
     */
    public static Engine create(Engine.Setup setup) {
        GuestMemory memory = setup.memory();
        GuestLayout layout = setup.layout();
        KvmSystem kvm = KvmSystem.open(); // first: a host without KVM fails before anything is touched
        try (Parts parts = new Parts(kvm, 0, memory)) {
            long cr3 = X86SystemTables.write(memory, layout);
            KvmX86Vcpu cpu = new KvmX86Vcpu(parts.createVcpu());
            cpu.setSupportedCpuid(kvm);
            cpu.enterLongModeUser(cr3, layout.entry(), layout.stackTop());
            return new KvmX86Engine(parts.handOver(), cpu);
        }
    }

    @Override
    public Isa isa() { return Isa.X86_64; }

    @Override
    public Exit run(DoorbellHandler handler) {
        startOnce();
        while (true) {
            int reason = vcpu.run();
            switch (reason) {
                case KvmSystem.EXIT_IO -> {
                    int port = run.getShort(KvmSystem.RUN_IO_PORT) & 0xFFFF;
                    int size = run.getByte(KvmSystem.RUN_IO_SIZE);
                    int count = run.getInt(KvmSystem.RUN_IO_COUNT);
                    boolean out = run.getByte(KvmSystem.RUN_IO_DIRECTION) == KvmSystem.IO_OUT;
                    if (port != Abi.X86_PORT || size != 4 || count != 1 || !out) {
                        return fault(Abi.TRAP_CPU_EXCEPTION, 0, -1, String.format(
                                "guest %s %d byte(s) x%d on I/O port 0x%x; the only port is 0x%x (outl)",
                                out ? "wrote" : "read", size, count, port, Abi.X86_PORT));
                    }
                    long value = run.getInt(run.getLong(KvmSystem.RUN_IO_DATA_OFFSET)) & 0xFFFFFFFFL;
                    if (!handler.onDoorbell(value)) return new Exit.Stopped();
                }
                case KvmSystem.EXIT_INTR -> { /* a signal: just re-enter */ }
                case KvmSystem.EXIT_MMIO -> {
                    long address = run.getLong(KvmSystem.RUN_MMIO_PHYS_ADDR);
                    boolean write = run.getByte(KvmSystem.RUN_MMIO_IS_WRITE) != 0;
                    return fault(Abi.TRAP_OUT_OF_BOUNDS, address, -1, String.format(
                            "guest %s guest-physical 0x%x, outside its memory", write ? "wrote" : "read", address));
                }
                case KvmSystem.EXIT_SHUTDOWN -> {
                    return fault(Abi.TRAP_CPU_EXCEPTION, 0, -1,
                            "triple fault (KVM_EXIT_SHUTDOWN): an exception occurred and the guest's trap handlers"
                                    + " could not report it");
                }
                case KvmSystem.EXIT_HLT -> {
                    return fault(Abi.TRAP_CPU_EXCEPTION, 0, -1, "the guest executed hlt instead of the exit hypercall");
                }
                case KvmSystem.EXIT_FAIL_ENTRY -> {
                    long why = run.getLong(KvmSystem.RUN_FAIL_ENTRY_REASON);
                    return fault(Abi.TRAP_CPU_EXCEPTION, 0, -1, String.format(
                            "KVM could not enter the guest (KVM_EXIT_FAIL_ENTRY, hardware reason 0x%x)", why));
                }
                case KvmSystem.EXIT_INTERNAL_ERROR -> {
                    int sub = run.getInt(KvmSystem.RUN_INTERNAL_SUBERROR);
                    String what = switch (sub) {
                        case 1 -> "instruction emulation failed";
                        case 2 -> "exception while delivering an exception";
                        case 3 -> "event delivery failed";
                        default -> "suberror " + sub;
                    };
                    return fault(Abi.TRAP_CPU_EXCEPTION, 0, -1, "KVM internal error: " + what);
                }
                default -> {
                    return fault(Abi.TRAP_CPU_EXCEPTION, 0, -1, "unexpected " + KvmSystem.exitName(reason));
                }
            }
        }
    }

    private Exit.Fault fault(int kind, long address, long detail, String description) {
        long rip = cpu.rip();
        return new Exit.Fault(kind, rip, address, detail, description + String.format(" at rip 0x%x", rip));
    }

    /** The vCPU, for tests and diagnostics (registers, sregs). */
    KvmX86Vcpu x86Vcpu() { return cpu; }
}
