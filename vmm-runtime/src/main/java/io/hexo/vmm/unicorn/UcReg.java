package io.hexo.vmm.unicorn;

/** Register ids of Unicorn 2 (uc_arm64_reg, uc_x86_reg), for uc_reg_read / uc_reg_write. */
public final class UcReg {
    private UcReg() {}

    // ---- AArch64. Careful: X29 and X30 are 1 and 2, not X0 + 29. ----
    public static final int ARM64_X29 = 1, ARM64_X30 = 2, ARM64_NZCV = 3, ARM64_SP = 4;
    public static final int ARM64_X0 = 199; // X0..X28 = 199..227
    public static final int ARM64_Q0 = 104; // Q0..Q31
    public static final int ARM64_PC = 260, ARM64_CPACR_EL1 = 261, ARM64_PSTATE = 265;
    public static final int ARM64_ESR_EL1 = 277, ARM64_FAR_EL1 = 281;
    /** A system register by encoding: value is a struct uc_arm64_cp_reg (crn, crm, op0, op1, op2: u32; val: u64 at 24). */
    public static final int ARM64_CP_REG = 290;
    public static final int ARM64_FPCR = 291, ARM64_FPSR = 292;

    /** Register id of general register Xn, n in 0..30; 31 is SP here (callers handle XZR themselves). */
    public static int arm64X(int n) {
        if (n < 0 || n > 31) throw new IllegalArgumentException("x" + n);
        if (n <= 28) return ARM64_X0 + n;
        if (n == 29) return ARM64_X29;
        if (n == 30) return ARM64_X30;
        return ARM64_SP;
    }

    // ---- x86 ----
    public static final int X86_EFLAGS = 25;
    public static final int X86_RAX = 35, X86_RBP = 36, X86_RBX = 37, X86_RCX = 38, X86_RDI = 39, X86_RDX = 40,
            X86_RIP = 41, X86_RSI = 43, X86_RSP = 44;
    public static final int X86_CR0 = 50, X86_CR2 = 52, X86_CR3 = 53, X86_CR4 = 54;
    public static final int X86_R8 = 106; // R8..R15 = 106..113
    public static final int X86_MXCSR = 249;

    /** Register id of the 64-bit general register with x86 encoding n (0 = rax ... 15 = r15). */
    public static int x86Gpr(int n) {
        switch (n) {
            case 0: return X86_RAX;
            case 1: return X86_RCX;
            case 2: return X86_RDX;
            case 3: return X86_RBX;
            case 4: return X86_RSP;
            case 5: return X86_RBP;
            case 6: return X86_RSI;
            case 7: return X86_RDI;
            default:
                if (n >= 8 && n <= 15) return X86_R8 + (n - 8);
                throw new IllegalArgumentException("gpr " + n);
        }
    }
}
