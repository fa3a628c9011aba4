package io.hexo.vmm.unicorn;

/**
 * A minimal x86-64 instruction decoder: legacy prefixes, REX, one- and two-byte opcodes with a ModRM
 * operand (SIB, displacement, RIP-relative). Enough for the few instructions the Unicorn engine has to
 * look at itself: {@code popcnt} (which Unicorn 2.0.1 does not implement on its fixed CPU model) and
 * {@code div}/{@code idiv} (to tell a division by zero from a quotient overflow).
 */
final class X86Insn {
    /** Reads 64-bit general register n (0 = rax ... 15 = r15). */
    interface Regs {
        long gpr(int n);
    }

    final int length;
    /** The opcode: 0x00..0xff, or 0x0f00 | second byte for two-byte opcodes. */
    final int opcode;
    final boolean opsize16, rep, repne, hasRex, rexW;
    final int reg;        // ModRM.reg with REX.R
    final boolean rmIsReg;
    final int rm;         // register number when rmIsReg
    final long address;   // effective address otherwise
    /** Bytes the ModRM operand has: 1, 2, 4 or 8 (from opcode, REX.W and the 0x66 prefix). */
    final int operandSize;

    private X86Insn(int length, int opcode, boolean opsize16, boolean rep, boolean repne, boolean hasRex, boolean rexW,
            int reg, boolean rmIsReg, int rm, long address, int operandSize) {
        this.length = length;
        this.opcode = opcode;
        this.opsize16 = opsize16;
        this.rep = rep;
        this.repne = repne;
        this.hasRex = hasRex;
        this.rexW = rexW;
        this.reg = reg;
        this.rmIsReg = rmIsReg;
        this.rm = rm;
        this.address = address;
        this.operandSize = operandSize;
    }

    /**
     * Decodes the instruction at rip from code (at least 15 bytes when available). Only opcodes with a
     * ModRM byte are supported: returns null for anything else or for truncated input.
     */
    static X86Insn decode(byte[] code, long rip, Regs regs) {
        try {
            int p = 0;
            boolean opsize16 = false, rep = false, repne = false, addr32 = false;
            while (true) {
                int b = code[p] & 0xff;
                if (b == 0x66) opsize16 = true;
                else if (b == 0xf3) rep = true;
                else if (b == 0xf2) repne = true;
                else if (b == 0x67) addr32 = true;
                else if (b == 0xf0 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65) { /* ignored */ }
                else break;
                p++;
            }
            int rex = 0;
            if (((code[p] & 0xff) & 0xf0) == 0x40) rex = code[p++] & 0xff;
            boolean rexW = (rex & 8) != 0;
            int op = code[p++] & 0xff;
            if (op == 0x0f) {
                int op2 = code[p++] & 0xff;
                if (op2 == 0x38 || op2 == 0x3a) return null; // three-byte opcodes: not needed
                op = 0x0f00 | op2;
            }
            int modrm = code[p++] & 0xff;
            int mod = modrm >>> 6;
            int reg = ((modrm >>> 3) & 7) | ((rex & 4) << 1);
            int rmLow = modrm & 7;
            boolean byteOp = op == 0xf6 || op == 0x00 || op == 0x02 || op == 0x84 || op == 0x88 || op == 0x8a;
            int size = byteOp ? 1 : rexW ? 8 : opsize16 ? 2 : 4;
            if (mod == 3) {
                return new X86Insn(p, op, opsize16, rep, repne, rex != 0, rexW, reg, true, rmLow | ((rex & 1) << 3), 0, size);
            }
            long ea;
            if (rmLow == 4) { // SIB
                int sib = code[p++] & 0xff;
                int scale = sib >>> 6;
                int index = ((sib >>> 3) & 7) | ((rex & 2) << 2);
                int base = (sib & 7) | ((rex & 1) << 3);
                ea = index == 4 ? 0 : regs.gpr(index) << scale;
                if ((base & 7) == 5 && mod == 0) {
                    ea += readInt(code, p);
                    p += 4;
                } else {
                    ea += regs.gpr(base);
                }
            } else if (rmLow == 5 && mod == 0) { // RIP-relative: relative to the end of the instruction
                long disp = readInt(code, p);
                p += 4;
                int immBytes = immediateBytes(op, reg, size);
                ea = rip + p + immBytes + disp;
            } else {
                ea = regs.gpr(rmLow | ((rex & 1) << 3));
            }
            if (mod == 1) ea += code[p++];
            else if (mod == 2) {
                ea += readInt(code, p);
                p += 4;
            }
            if (addr32) ea &= 0xffffffffL;
            return new X86Insn(p + immediateBytes(op, reg, size), op, opsize16, rep, repne, rex != 0, rexW, reg,
                    false, -1, ea, size);
        } catch (ArrayIndexOutOfBoundsException e) {
            return null;
        }
    }

    /** Immediate bytes after the ModRM operand, for the opcodes this decoder is used on. */
    private static int immediateBytes(int op, int reg, int size) {
        if (op == 0xf6 && reg < 2) return 1;                   // test r/m8, imm8
        if (op == 0xf7 && (reg & 7) < 2) return Math.min(size, 4); // test r/m, imm
        return 0;
    }

    private static long readInt(byte[] c, int p) {
        return (c[p] & 0xff) | (c[p + 1] & 0xff) << 8 | (c[p + 2] & 0xff) << 16 | (long) c[p + 3] << 24;
    }

    boolean isPopcnt() {
        return opcode == 0x0fb8 && rep && !repne;
    }

    /** div (reg 6) or idiv (reg 7) with opcode F6/F7. */
    boolean isDivide() {
        return (opcode == 0xf6 || opcode == 0xf7) && ((reg & 7) == 6 || (reg & 7) == 7);
    }

    boolean isSignedDivide() {
        return isDivide() && (reg & 7) == 7;
    }

    /** Value of a register operand of the given size (handles AH..BH without REX). */
    static long registerValue(Regs regs, int n, int size, boolean hasRex) {
        if (size == 1 && !hasRex && n >= 4 && n <= 7) return (regs.gpr(n - 4) >>> 8) & 0xff;
        long v = regs.gpr(n);
        switch (size) {
            case 1: return v & 0xff;
            case 2: return v & 0xffff;
            case 4: return v & 0xffffffffL;
            default: return v;
        }
    }
}
