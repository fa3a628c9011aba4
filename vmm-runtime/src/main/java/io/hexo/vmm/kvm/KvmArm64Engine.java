package io.hexo.vmm.kvm;

import com.sun.jna.Memory;
import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.DoorbellHandler;
import io.hexo.vmm.engine.Engine;
import io.hexo.vmm.engine.EngineUnavailableException;
import io.hexo.vmm.engine.Exit;
import io.hexo.vmm.engine.GuestLayout;
import io.hexo.vmm.memory.GuestMemory;

/**
 * AArch64 guests on Linux KVM (an ARM64 board, or the AArch64 Linux of tools/arm64-board-vm): one VM
 * whose IPA space reaches the doorbell at {@link Abi#ARM_DOORBELL}, one memory slot for all guest RAM at
 * guest-physical 0, one vCPU initialised as the host's preferred target with PSCI 0.2, starting in EL1h
 * with DAIF masked, the MMU off and FP/SIMD enabled (CPACR_EL1.FPEN).
 *
 * <p>The doorbell address is not backed, so the guest's {@code str wN, [xM]} to it exits with
 * KVM_EXIT_MMIO; KVM completes the store (and advances the PC) on the next KVM_RUN. The guest turns on
 * its own identity map and installs its own vectors, which report CPU exceptions through the doorbell:
 * only what it cannot report itself (an access to other unbacked addresses, an access KVM cannot decode,
 * PSCI power-off, failed entry) becomes an {@link Exit.Fault} here.
 */
public final class KvmArm64Engine extends KvmEngine {
    /** The smallest IPA size that contains the doorbell (0x80_0000_0000 = 2^39). */
    static final int MIN_IPA_BITS = 40;
    /** Exception class of a data abort taken without a change in exception level, for Fault.detail. */
    static final int EC_DATA_ABORT = 0x25;

    private final boolean nisvToUser;

    private KvmArm64Engine(Parts parts, boolean nisvToUser) {
        super(parts);
        this.nisvToUser = nisvToUser;
    }

    /**
     * Builds the VM for {@code setup}; the guest image and boot info must already be in memory.
     *
     * @throws EngineUnavailableException when this host cannot run AArch64 KVM guests
     */
    public static Engine create(Engine.Setup setup) {
        GuestMemory memory = setup.memory();
        GuestLayout layout = setup.layout();
        if (Isa.host() != Isa.AARCH64) {
            throw new EngineUnavailableException("KVM runs AArch64 guests only on an ARM64 host and this one is "
                    + System.getProperty("os.arch") + ": use an ARM64 machine (or tools/arm64-board-vm) or the process engine");
        }
        if (memory.size() > Abi.ARM_DOORBELL) {
            throw new IllegalArgumentException(String.format(
                    "guest memory of 0x%x bytes would cover the doorbell at 0x%x", memory.size(), Abi.ARM_DOORBELL));
        }
        KvmSystem kvm = openKvm();
        long vmType;
        try {
            vmType = vmType(kvm);
        } catch (RuntimeException e) {
            kvm.close();
            throw e;
        }
        try (Parts parts = new Parts(kvm, vmType, memory)) {
            KvmSystem.Vm vm = parts.vm;
            boolean nisv = vm.checkExtension(Arm64Kvm.CAP_ARM_NISV_TO_USER) > 0;
            if (nisv) Arm64Kvm.enableCap(vm.fd(), Arm64Kvm.CAP_ARM_NISV_TO_USER);
            KvmSystem.Vcpu vcpu = parts.createVcpu();
            initVcpu(kvm, vm, vcpu);
            Arm64Kvm.setOneReg(vcpu, Arm64Kvm.PSTATE, Arm64Kvm.PSTATE_EL1H_DAIF_MASKED);
            Arm64Kvm.setOneReg(vcpu, Arm64Kvm.PC, layout.entry());
            Arm64Kvm.setOneReg(vcpu, Arm64Kvm.SP_EL1, layout.stackTop());
            Arm64Kvm.setOneReg(vcpu, Arm64Kvm.SP_EL0, layout.stackTop());
            Arm64Kvm.setOneReg(vcpu, Arm64Kvm.CPACR_EL1, Arm64Kvm.CPACR_FPEN);
            return new KvmArm64Engine(parts.handOver(), nisv);
        }
    }

    /** The smallest stage-2 translation that reaches the doorbell, as this host's KVM offers it. */
    private static long vmType(KvmSystem kvm) {
        int ipaLimit = kvm.checkExtension(Arm64Kvm.CAP_ARM_VM_IPA_SIZE);
        if (ipaLimit == 0) return 0;   // this kernel offers only the 40-bit default, which reaches the doorbell
        if (ipaLimit < MIN_IPA_BITS) {
            throw new EngineUnavailableException("this host's KVM offers guest-physical addresses of only " + ipaLimit
                    + " bits, and the hexo doorbell at 0x8000000000 needs 40: use an ARM64 host with a larger PARange");
        }
        return Arm64Kvm.vmTypeIpaSize(MIN_IPA_BITS);
    }

    /** KvmSystem.open with what an ARM64 user needs to know when /dev/kvm is missing. */
    private static KvmSystem openKvm() {
        try {
            return KvmSystem.open();
        } catch (EngineUnavailableException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(KvmSystem.DEVICE + " does not exist")) {
                throw new EngineUnavailableException(e.getMessage() + " (on ARM64 the kernel must have been started at EL2"
                        + " to offer KVM: dmesg | grep -i kvm tells), or use the process engine", e);
            }
            throw e;
        }
    }

    /** KVM_ARM_PREFERRED_TARGET (host-specific: ask, never assume), then KVM_ARM_VCPU_INIT with PSCI 0.2 when offered. */
    private static void initVcpu(KvmSystem kvm, KvmSystem.Vm vm, KvmSystem.Vcpu vcpu) {
        try (Memory init = new Memory(Arm64Kvm.VCPU_INIT_SIZE)) {
            init.clear();
            vm.fd().ioctl(Arm64Kvm.KVM_ARM_PREFERRED_TARGET, init);
            int features = init.getInt(4);
            if (kvm.checkExtension(Arm64Kvm.CAP_ARM_PSCI_0_2) > 0) features |= 1 << Arm64Kvm.VCPU_FEATURE_PSCI_0_2;
            init.setInt(4, features);
            vcpu.fd().ioctl(Arm64Kvm.KVM_ARM_VCPU_INIT, init);
        }
    }

    @Override
    public Isa isa() { return Isa.AARCH64; }

    @Override
    public Exit run(DoorbellHandler handler) {
        startOnce();
        while (true) {
            int reason;
            try {
                reason = vcpu.run();
            } catch (KvmSystem.KvmException e) {
                return runFailure(e);
            }
            switch (reason) {
                case KvmSystem.EXIT_MMIO -> {
                    long addr = run.getLong(KvmSystem.RUN_MMIO_PHYS_ADDR);
                    int len = run.getInt(KvmSystem.RUN_MMIO_LEN);
                    boolean write = run.getByte(KvmSystem.RUN_MMIO_IS_WRITE) != 0;
                    if (addr == Abi.ARM_DOORBELL && write && (len == 4 || len == 8)) {
                        long value = len == 4 ? run.getInt(KvmSystem.RUN_MMIO_DATA) & 0xFFFFFFFFL
                                : run.getLong(KvmSystem.RUN_MMIO_DATA);
                        if (!handler.onDoorbell(value)) return new Exit.Stopped();
                        continue;
                    }
                    long pc = pc();
                    String what = addr == Abi.ARM_DOORBELL
                            ? (write ? len + "-byte write to the doorbell (it takes a 32-bit str)" : len + "-byte read of the doorbell")
                            : String.format("%d-byte %s unbacked guest-physical address 0x%x", len,
                                    write ? "write to" : "read from", addr);
                    return new Exit.Fault(Abi.TRAP_OUT_OF_BOUNDS, pc, addr, EC_DATA_ABORT,
                            String.format("guest made a %s at pc 0x%x", what, pc));
                }
                case KvmSystem.EXIT_ARM_NISV -> {
                    long ipa = run.getLong(Arm64Kvm.RUN_ARM_NISV_FAULT_IPA);
                    long iss = run.getLong(Arm64Kvm.RUN_ARM_NISV_ESR_ISS);
                    long pc = pc();
                    return new Exit.Fault(Abi.TRAP_OUT_OF_BOUNDS, pc, ipa, EC_DATA_ABORT, String.format(
                            "guest accessed unbacked guest-physical address 0x%x at pc 0x%x with an instruction KVM cannot "
                                    + "decode (no syndrome, ISS 0x%x: pre/post-indexed or pair addressing; ring the doorbell "
                                    + "with str wN, [xM])", ipa, pc, iss));
                }
                case KvmSystem.EXIT_INTR -> {
                    // a signal for this thread: nothing to do, carry on
                }
                case KvmSystem.EXIT_SYSTEM_EVENT -> {
                    int type = run.getInt(KvmSystem.RUN_SYSTEM_EVENT_TYPE);
                    long pc = pc();
                    return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, pc, 0, type, String.format(
                            "guest stopped the machine with system event %s at pc 0x%x instead of the exit hypercall",
                            Arm64Kvm.systemEventName(type), pc));
                }
                case KvmSystem.EXIT_FAIL_ENTRY -> {
                    long hw = run.getLong(KvmSystem.RUN_FAIL_ENTRY_REASON);
                    long pc = pc();
                    return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, pc, 0, hw, String.format(
                            "KVM could not enter the guest (KVM_EXIT_FAIL_ENTRY, hardware reason 0x%x) at pc 0x%x", hw, pc));
                }
                case KvmSystem.EXIT_INTERNAL_ERROR -> {
                    int sub = run.getInt(KvmSystem.RUN_INTERNAL_SUBERROR);
                    long pc = pc();
                    return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, pc, 0, sub, String.format(
                            "KVM internal error (suberror %d) at pc 0x%x", sub, pc));
                }
                default -> {
                    long pc = pc();
                    return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, pc, 0, reason, String.format(
                            "unexpected %s at pc 0x%x", KvmSystem.exitName(reason), pc));
                }
            }
        }
    }

    private Exit runFailure(KvmSystem.KvmException e) {
        long pc = pcOrMinusOne();
        String why = e.errno() == 38 && !nisvToUser
                ? "the guest accessed an unbacked address with an instruction KVM cannot decode (no syndrome: "
                        + "pre/post-indexed or pair addressing; ring the doorbell with str wN, [xM])"
                : "KVM_RUN failed";
        return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, pc, 0, 0,
                String.format("%s at pc 0x%x: %s", why, pc, KvmSystem.errnoText(e.errno())));
    }

    private long pc() {
        return Arm64Kvm.getOneReg(vcpu, Arm64Kvm.PC);
    }

    private long pcOrMinusOne() {
        try {
            return pc();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** A register of the stopped vCPU (Arm64Kvm ids), for diagnostics and tests. */
    public long register(long id) {
        return Arm64Kvm.getOneReg(vcpu, id);
    }
}
