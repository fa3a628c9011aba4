package io.hexo.vmm.kvm;

import com.sun.jna.Memory;
import io.hexo.vmm.kvm.KvmSystem.KvmException;

/**
 * The x86-64 register ioctls of one vCPU (struct kvm_regs, kvm_sregs, kvm_cpuid2 as raw buffers at the
 * offsets of arch/x86/include/uapi/asm/kvm.h) and the long-mode CPL-3 entry state hexo guests start in.
 */
public final class KvmX86Vcpu {
    // struct kvm_regs: rax rbx rcx rdx rsi rdi rsp rbp r8-r15 rip rflags
    public static final int REGS_SIZE = 18 * 8, REG_RAX = 0, REG_RCX = 16, REG_RSP = 48, REG_RIP = 128, REG_RFLAGS = 136;
    // struct kvm_sregs: 8 kvm_segment (24 bytes), gdt, idt (kvm_dtable, 16 bytes), cr0 cr2 cr3 cr4 cr8 efer apic_base,
    // interrupt_bitmap[4]
    public static final int SREGS_SIZE = 312;
    public static final int SEG_CS = 0, SEG_DS = 24, SEG_ES = 48, SEG_FS = 72, SEG_GS = 96, SEG_SS = 120, SEG_TR = 144,
            SEG_LDT = 168, DT_GDT = 192, DT_IDT = 208, CR0 = 224, CR2 = 232, CR3 = 240, CR4 = 248, CR8 = 256,
            EFER = 264, APIC_BASE = 272;

    public static final long KVM_GET_SUPPORTED_CPUID = KvmSystem.iowr(0x05, 8);
    public static final long KVM_SET_CPUID2 = KvmSystem.iow(0x90, 8);
    public static final long KVM_GET_REGS = KvmSystem.ior(0x81, REGS_SIZE);
    public static final long KVM_SET_REGS = KvmSystem.iow(0x82, REGS_SIZE);
    public static final long KVM_GET_SREGS = KvmSystem.ior(0x83, SREGS_SIZE);
    public static final long KVM_SET_SREGS = KvmSystem.iow(0x84, SREGS_SIZE);

    public static final long CR0_PE = 1, CR0_MP = 2, CR0_ET = 0x10, CR0_NE = 0x20, CR0_WP = 0x10000, CR0_PG = 0x80000000L;
    public static final long CR4_PAE = 0x20, CR4_OSFXSR = 0x200, CR4_OSXMMEXCPT = 0x400;
    public static final long EFER_LME = 0x100, EFER_LMA = 0x400;
    /**
     * Bit 1 is always set; IF clear; IOPL 3. Two grants of the doorbell port, because no single one works
     * everywhere: kvm_pvm hosts ignore IOPL for ring-3 port I/O and consult only the TSS I/O bitmap
     * (X86SystemTables), while QEMU's TCG — the CPU of the nested KVM rigs — checks that bitmap only for
     * an *available* TSS, and VMX requires the *busy* type in long mode. So IOPL 3 grants it where IOPL is
     * honoured, the bitmap where it is not.
     */
    public static final long RFLAGS_INITIAL = 0x3002;

    private static final int CPUID_ENTRY_SIZE = 40, E2BIG = 7;

    private final KvmSystem.Vcpu vcpu;
    private final Memory regs = new Memory(REGS_SIZE);

    public KvmX86Vcpu(KvmSystem.Vcpu vcpu) {
        this.vcpu = vcpu;
    }

    public KvmSystem.Vcpu vcpu() { return vcpu; }

    /** KVM_SET_CPUID2 with everything KVM_GET_SUPPORTED_CPUID reports. */
    public void setSupportedCpuid(KvmSystem kvm) {
        for (int nent = 64; ; nent *= 2) {
            Memory cpuid = new Memory(8 + (long) nent * CPUID_ENTRY_SIZE);
            cpuid.clear();
            cpuid.setInt(0, nent);
            try {
                kvm.fd().ioctl(KVM_GET_SUPPORTED_CPUID, cpuid);
            } catch (KvmException e) {
                if (e.errno() == E2BIG && nent < 4096) continue;
                throw e;
            }
            vcpu.fd().ioctl(KVM_SET_CPUID2, cpuid);
            return;
        }
    }

    /**
     * 64-bit mode at CPL 3 with paging on: the state of {@code io.hexo.vmm.engine.Engine}'s contract.
     *
     * @param cr3 the PML4 written by {@link X86SystemTables#write}
     */
    public void enterLongModeUser(long cr3, long rip, long rsp) {
        Memory s = new Memory(SREGS_SIZE);
        vcpu.fd().ioctl(KVM_GET_SREGS, s); // keeps KVM's LDT, APIC base and interrupt bitmap
        segment(s, SEG_CS, X86SystemTables.USER_CS, 0, 0xFFFFFFFFL, 11, 3, 0, 1, 1, 1);
        for (int seg : new int[] {SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS}) {
            segment(s, seg, X86SystemTables.USER_DS, 0, 0xFFFFFFFFL, 3, 3, 1, 1, 0, 1);
        }
        segment(s, SEG_TR, X86SystemTables.TSS_SEL, X86SystemTables.TSS, X86SystemTables.TSS_LIMIT, 11, 0, 0, 0, 0, 0);
        s.setLong(DT_GDT, X86SystemTables.GDT);
        s.setShort(DT_GDT + 8, (short) X86SystemTables.GDT_LIMIT);
        s.setLong(DT_IDT, X86SystemTables.IDT);
        s.setShort(DT_IDT + 8, (short) X86SystemTables.IDT_LIMIT);
        s.setLong(CR0, CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG);
        s.setLong(CR3, cr3);
        s.setLong(CR4, CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT);
        s.setLong(EFER, EFER_LME | EFER_LMA);
        vcpu.fd().ioctl(KVM_SET_SREGS, s);

        regs.clear();
        regs.setLong(REG_RIP, rip);
        regs.setLong(REG_RSP, rsp);
        regs.setLong(REG_RFLAGS, RFLAGS_INITIAL);
        vcpu.fd().ioctl(KVM_SET_REGS, regs);
    }

    private static void segment(Memory s, int at, int selector, long base, long limit, int type, int dpl, int db,
                                int system, int longMode, int granularity) {
        s.setLong(at, base);
        s.setInt(at + 8, (int) limit);
        s.setShort(at + 12, (short) selector);
        byte[] flags = {(byte) type, 1, (byte) dpl, (byte) db, (byte) system, (byte) longMode, (byte) granularity, 0, 0, 0};
        s.write(at + 14, flags, 0, flags.length); // type present dpl db s l g avl unusable padding
    }

    /** KVM_GET_REGS, returning the buffer (read at REG_*). Valid until the next call. */
    public Memory getRegs() {
        vcpu.fd().ioctl(KVM_GET_REGS, regs);
        return regs;
    }

    public long rip() { return getRegs().getLong(REG_RIP); }

    /** KVM_GET_SREGS into a fresh buffer (read at SEG_*, CR*). */
    public Memory getSregs() {
        Memory s = new Memory(SREGS_SIZE);
        vcpu.fd().ioctl(KVM_GET_SREGS, s);
        return s;
    }
}
