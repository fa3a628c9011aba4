package io.hexo.vmm.unicorn;

import com.sun.jna.Memory;
import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.Engine;
import io.hexo.vmm.engine.Exit;

import static io.hexo.vmm.unicorn.Unicorn.*;

/**
 * The emulated ARM64 board: one Cortex-A72 (Unicorn's default AArch64 model) started at EL1h with the
 * MMU off, guest RAM at its physical addresses and a doorbell page at {@link Abi#ARM_DOORBELL}.
 *
 * <p>A 32-bit store to the doorbell reaches {@link io.hexo.vmm.engine.DoorbellHandler#onDoorbell} through
 * uc_mmio_map. SCR_EL3.RW and .HCE are set so that the guest can turn its identity-mapped MMU on (and
 * `hvc` is an exception rather than UDEF). Guest exception vectors are never entered under Unicorn: every
 * exception ends the run with an {@link Exit.Fault}.
 */
public final class UnicornArm64Engine extends UnicornEngine {
    // EXCP_* numbers of QEMU's ARM target, as passed to UC_HOOK_INTR
    static final int EXCP_UDEF = 1, EXCP_SWI = 2, EXCP_PREFETCH_ABORT = 3, EXCP_DATA_ABORT = 4, EXCP_BKPT = 7,
            EXCP_HVC = 11, EXCP_SMC = 13;

    private static final long SCR_EL3_HCE = 1L << 8, SCR_EL3_RW = 1L << 10;
    private static final long HCR_EL2_RW = 1L << 31;
    /** PSTATE for EL1h with D, A, I, F masked. */
    private static final long PSTATE_EL1H_MASKED = 0x3c5;

    private UnicornArm64Engine(Setup setup) {
        super(setup, UC_ARCH_ARM64, UC_MODE_ARM);
    }

    /** Opens the board for this guest; throws EngineUnavailableException when libunicorn2 is missing. */
    public static Engine create(Engine.Setup setup) {
        return new UnicornArm64Engine(setup);
    }

    @Override
    public Isa isa() {
        return Isa.AARCH64;
    }

    @Override
    public String description() {
        return "emulated ARM64 board (Unicorn " + version + ")";
    }

    @Override
    protected int pcRegister() {
        return UcReg.ARM64_PC;
    }

    @Override
    protected void installHooks() {
        MmioReadCallback read = (u, offset, size, user) -> 0L;
        MmioWriteCallback write = (u, offset, size, value, user) -> {
            // A 64-bit store arrives as two 4-byte callbacks: the doorbell is the low word.
            if (offset == 0) ring(value);
        };
        keep(read);
        keep(write);
        check(uc_mmio_map(uc, Abi.ARM_DOORBELL, 0x1000, read, null, write, null), "uc_mmio_map(doorbell)");
        InterruptCallback intr = (u, intno, user) -> onInterrupt(intno);
        addHook(UC_HOOK_INTR, intr, 1, 0);
    }

    @Override
    protected void setEntryState() {
        orSysReg(1, 1, 3, 6, 0, SCR_EL3_RW | SCR_EL3_HCE); // SCR_EL3
        orSysReg(1, 1, 3, 4, 0, HCR_EL2_RW);                // HCR_EL2: EL1 is AArch64
        setReg(UcReg.ARM64_PSTATE, PSTATE_EL1H_MASKED);
        setReg(UcReg.ARM64_CPACR_EL1, 3L << 20);            // FPEN: FP/SIMD at EL0 and EL1
        setReg(UcReg.ARM64_SP, layout.stackTop());
        setReg(UcReg.ARM64_PC, layout.entry());
    }

    /** Reads a system register through UC_ARM64_REG_CP_REG, ORs bits in and writes it back. */
    private void orSysReg(int crn, int crm, int op0, int op1, int op2, long bits) {
        Memory cp = new Memory(32);
        cp.clear();
        cp.setInt(0, crn);
        cp.setInt(4, crm);
        cp.setInt(8, op0);
        cp.setInt(12, op1);
        cp.setInt(16, op2);
        check(uc_reg_read(uc, UcReg.ARM64_CP_REG, cp), "uc_reg_read(CP_REG)");
        cp.setLong(24, cp.getLong(24) | bits);
        check(uc_reg_write(uc, UcReg.ARM64_CP_REG, cp), "uc_reg_write(CP_REG)");
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
        long pc = pc();
        switch (intno) {
            case EXCP_DATA_ABORT: {
                // FAR_EL1/ESR_EL1 are written by the exception entry Unicorn skips: decode the access instead.
                Long addr = A64Access.address(word(pc), pc, this::xreg);
                long a = addr == null ? 0 : addr;
                return new Exit.Fault(Abi.TRAP_OUT_OF_BOUNDS, pc, a, intno,
                        "data abort at pc " + hex(pc) + (addr == null ? "" : ": access to " + hex(a)));
            }
            case EXCP_PREFETCH_ABORT:
                return new Exit.Fault(Abi.TRAP_OUT_OF_BOUNDS, pc, pc, intno, "instruction abort at pc " + hex(pc));
            case EXCP_UDEF:
                return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, pc, 0, intno,
                        "undefined instruction " + insnText(pc) + " at pc " + hex(pc));
            case EXCP_BKPT:
                return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, pc, 0, intno, "breakpoint (brk) at pc " + hex(pc));
            case EXCP_SWI:
            case EXCP_HVC:
            case EXCP_SMC: {
                long at = pc - 4; // reported with the PC past the instruction
                String name = intno == EXCP_SWI ? "svc" : intno == EXCP_HVC ? "hvc" : "smc";
                return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, at, 0, intno,
                        "unexpected " + name + " at pc " + hex(at) + " (hypercalls use the doorbell at " + hex(Abi.ARM_DOORBELL) + ")");
            }
            default:
                return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, pc, 0, intno, "CPU exception " + intno + " at pc " + hex(pc));
        }
    }

    private String insnText(long pc) {
        Integer w = word(pc);
        return w == null ? "" : String.format("0x%08x", w);
    }

    private Integer word(long pc) {
        byte[] b = guestBytes(pc, 4);
        if (b == null) return null;
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    /** Xn for n in 0..30, SP for 31 (the decoder maps XZR itself). */
    private long xreg(int n) {
        return reg(UcReg.arm64X(n));
    }

    @Override
    protected long unmappedDetail(int memType) {
        return memType == UC_MEM_FETCH_UNMAPPED ? EXCP_PREFETCH_ABORT : EXCP_DATA_ABORT;
    }

    @Override
    protected Exit onEmulationEnd(int err) {
        long pc = pc();
        if (err == UC_ERR_OK) {
            return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, pc, 0, 0, "the emulated CPU stopped at pc " + hex(pc));
        }
        return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, pc, 0, 0,
                "emulation failed at pc " + hex(pc) + ": " + uc_strerror(err));
    }
}
