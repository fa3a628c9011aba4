package io.hexo.vmm.unicorn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import java.util.function.IntToLongFunction;
import org.junit.Test;

/** The A64 load/store address decoder that stands in for FAR_EL1, on instructions from the assembler. */
public class UnicornA64AccessTest {
    private static final long SP = 0x7000000;
    /** Xn = (n + 1) * 0x100000, except x5 = 0xffffffff (a negative w5) and x3 = 5; 31 is SP. */
    private static final IntToLongFunction REGS = n -> n == 31 ? SP : n == 5 ? 0xffffffffL : n == 3 ? 5 : (n + 1) * 0x100000L;

    private static long x(int n) {
        return REGS.applyAsLong(n);
    }

    @Test
    public void decodesTheLoadAndStoreForms() {
        String[] insns = {
            "ldr x1, [x2]",
            "ldr x1, [x2, #16]",
            "ldrb w1, [x2, #4095]",
            "ldrh w1, [x2, #2]",
            "ldrsw x1, [x2, #4]",
            "ldr q0, [x2, #32]",
            "str d0, [x2, #8]",
            "ldur x1, [x2, #-3]",
            "ldr x1, [x2, #-8]!",
            "ldr x1, [x2], #8",
            "str w1, [x2, x3, lsl #2]",
            "ldr x1, [x2, w5, sxtw #3]",
            "ldr x1, [x2, w5, uxtw]",
            "ldrb w1, [x2, x3]",
            "ldr x1, [x2, xzr]",
            "ldp x1, x4, [x2, #-16]",
            "ldp x1, x4, [x2], #16",
            "stp x29, x30, [sp, #-32]!",
            "stp q0, q1, [sp, #32]",
            "ldp w1, w4, [x2, #8]",
            "ldxr x1, [x2]",
            "ldar w1, [x2]",
            "stlr x1, [sp]",
            "ld1 {v0.16b}, [x2]",
            "ld1 {v0.s}[1], [x2], #4",
            "ldadd x1, x4, [x2]",
            "ldr x1, [sp, #24]",
            "ldr x1, lit",
        };
        long lit = Abi.IMAGE_BASE + 4L * insns.length;
        long[] expected = {
            x(2), x(2) + 16, x(2) + 4095, x(2) + 2, x(2) + 4, x(2) + 32, x(2) + 8, x(2) - 3, x(2) - 8, x(2),
            x(2) + 20, x(2) - 8, x(2) + 0xffffffffL, x(2) + 5, x(2), x(2) - 16, x(2), SP - 32, SP + 32, x(2) + 8,
            x(2), x(2), SP, x(2), x(2), x(2), SP + 24, lit,
        };
        StringBuilder src = new StringBuilder(".arch armv8.1-a\n.text\n");
        for (String i : insns) src.append(i).append('\n');
        src.append("lit: .quad 0\n");
        byte[] code = GuestAsm.assemble(Isa.AARCH64, src.toString()).code();
        for (int k = 0; k < insns.length; k++) {
            int word = (code[4 * k] & 0xff) | (code[4 * k + 1] & 0xff) << 8 | (code[4 * k + 2] & 0xff) << 16
                    | (code[4 * k + 3] & 0xff) << 24;
            Long got = A64Access.address(word, Abi.IMAGE_BASE + 4L * k, REGS);
            assertEquals(insns[k], (Long) expected[k], got);
        }
    }

    @Test
    public void otherInstructionsAreNotAccesses() {
        byte[] code = GuestAsm.assemble(Isa.AARCH64, ".text\nadd x1, x2, x3\nb .\nfadd d0, d1, d2\nmsr sctlr_el1, x0\n").code();
        for (int k = 0; k < code.length / 4; k++) {
            int word = (code[4 * k] & 0xff) | (code[4 * k + 1] & 0xff) << 8 | (code[4 * k + 2] & 0xff) << 16
                    | (code[4 * k + 3] & 0xff) << 24;
            assertNull("insn " + k, A64Access.address(word, 0, REGS));
        }
        assertNull(A64Access.address(null, 0, REGS));
    }
}
