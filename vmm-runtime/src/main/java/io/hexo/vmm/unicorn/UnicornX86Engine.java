package io.hexo.vmm.unicorn;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.Engine;
import io.hexo.vmm.engine.Exit;

import static io.hexo.vmm.unicorn.Unicorn.*;

/**
 * The x86-64 fallback when /dev/kvm is missing: Unicorn's flat 64-bit mode. Unicorn starts a UC_MODE_64
 * CPU in long mode without paging, so guest-virtual = guest-physical = what uc_mem_map_ptr mapped: the
 * identity map of the layout's ranges that {@link Engine} promises, with the null page, the stack guard
 * and everything past memSize unmapped (accesses there end the run with an OUT_OF_BOUNDS fault). The
 * guest runs at CPL 0 here, with IOPL 3 in RFLAGS as on KVM.
 *
 * <p>Hypercalls: {@code outl %eax, (%dx)} with dx = {@link Abi#X86_PORT} arrives through UC_HOOK_INSN
 * (UC_X86_INS_OUT). SSE up to 4.2 is available; {@code popcnt}, which Unicorn 2.0.1's fixed CPU model
 * lacks, is emulated here (correct but slow: one trip through Java per execution).
 */
public final class UnicornX86Engine extends UnicornEngine {
    static final int DE = 0, DB = 1, BP = 3, UD = 6, GP = 13, PF = 14;

    private static final long RFLAGS_IOPL3 = 3L << 12 | 2;
    private static final long CR4_OSFXSR = 1L << 9, CR4_OSXMMEXCPT = 1L << 10;
    private static final long FLAGS_ARITH = 1 | 1 << 2 | 1 << 4 | 1 << 6 | 1 << 7 | 1 << 11; // CF PF AF ZF SF OF
    private static final long FLAG_ZF = 1 << 6;

    private long emulatedInstructions;

    private UnicornX86Engine(Setup setup) {
        super(setup, UC_ARCH_X86, UC_MODE_64);
    }

    /** Opens the emulated CPU for this guest; throws EngineUnavailableException when libunicorn2 is missing. */
    public static Engine create(Engine.Setup setup) {
        return new UnicornX86Engine(setup);
    }

    @Override
    public Isa isa() {
        return Isa.X86_64;
    }

    @Override
    public String description() {
        return "emulated x86-64 (Unicorn " + version + ") \u2014 /dev/kvm is not available";
    }

    /** How many instructions (popcnt) were emulated in Java so far. */
    public long emulatedInstructions() {
        return emulatedInstructions;
    }

    @Override
    protected int pcRegister() {
        return UcReg.X86_RIP;
    }

    @Override
    protected void installHooks() {
        OutCallback out = (u, port, size, value, user) -> {
            if (port == Abi.X86_PORT && size == 4) ring(value & 0xffffffffL);
        };
        addInsnHook(out, UC_X86_INS_OUT);
        InterruptCallback intr = (u, intno, user) -> onInterrupt(intno);
        addHook(UC_HOOK_INTR, intr, 1, 0);
    }

    /**
     * Unicorn 2.0.1 hard-wires SSE up to 4.2 whatever the CPU model; from 2.1 the features are the model's,
     * and the default (qemu64) stops at SSE3. Nehalem has SSE4.2 (and popcnt), which the guest code is
     * built for ({@code -msse4.2}).
     */
    @Override
    protected void configureCpu() {
        if (!version.startsWith("2.0.")) {
            check(uc_ctl(uc, CTL_CPU_MODEL_WRITE, UC_CPU_X86_NEHALEM), "uc_ctl(UC_CTL_CPU_MODEL)");
        }
    }

    @Override
    protected void setEntryState() {
        setReg(UcReg.X86_CR4, reg(UcReg.X86_CR4) | CR4_OSFXSR | CR4_OSXMMEXCPT);
        setReg(UcReg.X86_EFLAGS, RFLAGS_IOPL3);
        setReg(UcReg.X86_RSP, layout.stackTop());
        setReg(UcReg.X86_RIP, layout.entry());
    }

    private void onInterrupt(int intno) {
        if (diagnosing) {
            reportFault(null);
            return;
        }
        try {
            reportFault(describe(intno));
        } catch (RuntimeException e) {
            reportFault(new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, 0, 0, intno, "CPU exception " + intno + " (" + e + ")"));
        }
    }

    private Exit.Fault describe(int intno) {
        long rip = pc();
        switch (intno) {
            case DE: {
                X86Insn insn = decodeAt(rip);
                if (insn != null && insn.isDivide()) {
                    Long divisor = operand(insn);
                    if (divisor != null && divisor != 0) {
                        return new Exit.Fault(Abi.TRAP_INT_OVERFLOW, rip, 0, intno,
                                (insn.isSignedDivide() ? "idiv" : "div") + " overflow at rip " + hex(rip));
                    }
                }
                return new Exit.Fault(Abi.TRAP_DIV_BY_ZERO, rip, 0, intno, "integer division by zero at rip " + hex(rip));
            }
            case PF: {
                long cr2 = reg(UcReg.X86_CR2);
                return new Exit.Fault(Abi.TRAP_OUT_OF_BOUNDS, rip, cr2, intno, "page fault at rip " + hex(rip) + ": " + where(cr2));
            }
            case GP:
                return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, rip, 0, intno, "general protection fault at rip " + hex(rip));
            case BP: // int3 is reported with RIP past it
                return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, rip - 1, 0, intno, "breakpoint (int3) at rip " + hex(rip - 1));
            case UD:
                return undefined(rip);
            default: {
                // `int n` is reported with RIP past its two bytes (CD n).
                byte[] b = guestBytes(rip - 2, 2);
                if (b != null && (b[0] & 0xff) == 0xcd && (b[1] & 0xff) == intno) {
                    return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, rip - 2, 0, intno,
                            "software interrupt int $" + hex(intno) + " at rip " + hex(rip - 2));
                }
                return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, rip, 0, intno, "CPU exception " + intno + " at rip " + hex(rip));
            }
        }
    }

    private Exit.Fault undefined(long rip) {
        return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, rip, 0, UD, "invalid opcode" + bytesText(rip) + " at rip " + hex(rip));
    }

    @Override
    protected long unmappedDetail(int memType) {
        return PF;
    }

    @Override
    protected Exit onEmulationEnd(int err) {
        long rip = pc();
        if (err == UC_ERR_INSN_INVALID) {
            X86Insn insn = decodeAt(rip);
            if (insn != null && insn.isPopcnt()) return emulatePopcnt(insn, rip);
            return undefined(rip);
        }
        if (err == UC_ERR_OK) {
            byte[] b = guestBytes(rip - 1, 1);
            if (b != null && (b[0] & 0xff) == 0xf4) {
                return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, rip - 1, 0, GP, "hlt at rip " + hex(rip - 1));
            }
            return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, rip, 0, 0, "the emulated CPU stopped at rip " + hex(rip));
        }
        return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, rip, 0, 0, "emulation failed at rip " + hex(rip) + ": " + uc_strerror(err));
    }

    /** popcnt r, r/m: writes the count, sets ZF when the source is 0 and clears the other flags. */
    private Exit emulatePopcnt(X86Insn insn, long rip) {
        Long src = operand(insn);
        if (src == null) {
            return new Exit.Fault(Abi.TRAP_OUT_OF_BOUNDS, rip, insn.address, PF, "popcnt operand " + where(insn.address) + " at rip " + hex(rip));
        }
        long count = Long.bitCount(src);
        int dst = UcReg.x86Gpr(insn.reg);
        if (insn.operandSize == 2) count = (reg(dst) & ~0xffffL) | count;
        setReg(dst, count);
        long flags = reg(UcReg.X86_EFLAGS) & ~FLAGS_ARITH;
        if (src == 0) flags |= FLAG_ZF;
        setReg(UcReg.X86_EFLAGS, flags);
        setReg(UcReg.X86_RIP, rip + insn.length);
        emulatedInstructions++;
        return null;
    }

    private X86Insn decodeAt(long rip) {
        byte[] code = null;
        for (int len = 15; len > 0 && code == null; len--) code = guestBytes(rip, len);
        if (code == null) return null;
        return X86Insn.decode(code, rip, n -> reg(UcReg.x86Gpr(n)));
    }

    /** The ModRM operand's value (zero-extended), or null when it lies outside guest memory. */
    private Long operand(X86Insn insn) {
        if (insn.rmIsReg) return X86Insn.registerValue(n -> reg(UcReg.x86Gpr(n)), insn.rm, insn.operandSize, insn.hasRex);
        byte[] b = guestBytes(insn.address, insn.operandSize);
        if (b == null) return null;
        long v = 0;
        for (int i = insn.operandSize - 1; i >= 0; i--) v = (v << 8) | (b[i] & 0xff);
        return v;
    }

    private String bytesText(long rip) {
        byte[] b = guestBytes(rip, 2);
        if (b == null) return "";
        return String.format(" %02x %02x", b[0] & 0xff, b[1] & 0xff);
    }
}
