package io.hexo.vmm.kvm;

import com.sun.jna.Memory;

/**
 * The AArch64-only part of the KVM API (arch/arm64/include/uapi/asm/kvm.h): vCPU init with the
 * preferred target, the IPA-size machine type, and register ids for KVM_GET/SET_ONE_REG.
 *
 * <p>Register ids: {@code KVM_REG_ARM64 | size | KVM_REG_ARM_CORE | (offset in struct kvm_regs / 4)}
 * for core registers, {@code KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG | op0:op1:CRn:CRm:op2}
 * for system registers.
 */
public final class Arm64Kvm {
    private Arm64Kvm() {}

    // ---- capabilities ----
    public static final int CAP_ARM_PSCI_0_2 = 102;
    public static final int CAP_IMMEDIATE_EXIT = 136;
    /** Answers the largest IPA size (bits) KVM_CREATE_VM accepts; 0 when only the 40-bit default exists. */
    public static final int CAP_ARM_VM_IPA_SIZE = 165;
    /** When enabled, data aborts without a valid syndrome exit with KVM_EXIT_ARM_NISV instead of ENOSYS. */
    public static final int CAP_ARM_NISV_TO_USER = 177;

    // ---- ioctls ----
    /** struct kvm_vcpu_init { u32 target; u32 features[7]; } */
    public static final int VCPU_INIT_SIZE = 32;
    public static final long KVM_ARM_VCPU_INIT = KvmSystem.iow(0xae, VCPU_INIT_SIZE);
    /** A VM ioctl: fills struct kvm_vcpu_init with the target this host's CPUs are best emulated as. */
    public static final long KVM_ARM_PREFERRED_TARGET = KvmSystem.ior(0xaf, VCPU_INIT_SIZE);
    /** struct kvm_one_reg { u64 id; u64 addr; } */
    public static final long KVM_GET_ONE_REG = KvmSystem.iow(0xab, 16);
    public static final long KVM_SET_ONE_REG = KvmSystem.iow(0xac, 16);
    /** struct kvm_enable_cap { u32 cap; u32 flags; u64 args[4]; u8 pad[64]; } */
    public static final long KVM_ENABLE_CAP = KvmSystem.iow(0xa3, 104);

    /** Feature bit in kvm_vcpu_init.features[0]: PSCI 0.2 firmware calls. */
    public static final int VCPU_FEATURE_PSCI_0_2 = 2;

    /** Machine type for KVM_CREATE_VM: KVM_VM_TYPE_ARM_IPA_SIZE(bits). */
    public static long vmTypeIpaSize(int bits) { return bits & 0xff; }

    // ---- kvm_run.arm_nisv ----
    public static final int RUN_ARM_NISV_ESR_ISS = 32, RUN_ARM_NISV_FAULT_IPA = 40;

    // ---- system events (kvm_run.system_event.type) ----
    public static String systemEventName(int type) {
        return switch (type) {
            case 1 -> "SHUTDOWN (PSCI SYSTEM_OFF)";
            case 2 -> "RESET (PSCI SYSTEM_RESET)";
            case 3 -> "CRASH";
            case 4 -> "WAKEUP";
            case 5 -> "SUSPEND";
            default -> "type " + type;
        };
    }

    // ---- register ids ----
    private static final long REG_ARM64 = 0x6000000000000000L;
    private static final long REG_SIZE_U64 = 0x0030000000000000L;
    private static final long REG_ARM_CORE = 0x0010L << 16;
    private static final long REG_ARM64_SYSREG = 0x0013L << 16;

    private static long core64(int byteOffset) { return REG_ARM64 | REG_SIZE_U64 | REG_ARM_CORE | (byteOffset / 4); }

    /** x0..x30 */
    public static long x(int n) {
        if (n < 0 || n > 30) throw new IllegalArgumentException("x" + n);
        return core64(8 * n);
    }

    /** SP_EL0 (user_pt_regs.sp) */
    public static final long SP_EL0 = core64(31 * 8);
    public static final long PC = core64(32 * 8);
    public static final long PSTATE = core64(33 * 8);
    public static final long SP_EL1 = core64(34 * 8);
    public static final long ELR_EL1 = core64(35 * 8);
    /** spsr[KVM_SPSR_EL1] */
    public static final long SPSR_EL1 = core64(36 * 8);

    public static long sysreg(int op0, int op1, int crn, int crm, int op2) {
        return REG_ARM64 | REG_SIZE_U64 | REG_ARM64_SYSREG
                | ((long) op0 << 14) | ((long) op1 << 11) | ((long) crn << 7) | ((long) crm << 3) | op2;
    }

    public static final long SCTLR_EL1 = sysreg(3, 0, 1, 0, 0);
    public static final long CPACR_EL1 = sysreg(3, 0, 1, 0, 2);
    public static final long ESR_EL1 = sysreg(3, 0, 5, 2, 0);
    public static final long FAR_EL1 = sysreg(3, 0, 6, 0, 0);
    public static final long VBAR_EL1 = sysreg(3, 0, 12, 0, 0);

    /** PSTATE for entry: EL1 using SP_EL1 (EL1h), D, A, I and F masked. */
    public static final long PSTATE_EL1H_DAIF_MASKED = 0x3c5;
    /** CPACR_EL1.FPEN = 0b11: FP/SIMD does not trap at EL0 or EL1. */
    public static final long CPACR_FPEN = 3L << 20;

    public static void setOneReg(KvmSystem.Vcpu vcpu, long id, long value) {
        try (Memory buf = new Memory(24)) {
            buf.setLong(0, id);
            buf.setLong(8, com.sun.jna.Pointer.nativeValue(buf) + 16);
            buf.setLong(16, value);
            vcpu.fd().ioctl(KVM_SET_ONE_REG, buf);
        }
    }

    public static long getOneReg(KvmSystem.Vcpu vcpu, long id) {
        try (Memory buf = new Memory(24)) {
            buf.setLong(0, id);
            buf.setLong(8, com.sun.jna.Pointer.nativeValue(buf) + 16);
            buf.setLong(16, 0);
            vcpu.fd().ioctl(KVM_GET_ONE_REG, buf);
            return buf.getLong(16);
        }
    }

    /** KVM_ENABLE_CAP with no arguments, on a VM or vCPU fd. */
    public static void enableCap(KvmSystem.Fd fd, int cap) {
        try (Memory buf = new Memory(104)) {
            buf.clear();
            buf.setInt(0, cap);
            fd.ioctl(KVM_ENABLE_CAP, buf);
        }
    }
}
