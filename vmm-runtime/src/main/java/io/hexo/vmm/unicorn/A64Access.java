package io.hexo.vmm.unicorn;

import java.util.function.IntToLongFunction;

/**
 * Computes the address an A64 load or store accesses, from its encoding and the registers before it
 * runs. Unicorn skips the guest's exception entry, so FAR_EL1 is never written on a data abort; this
 * recovers the fault address instead. Covers the load/store encoding classes compilers emit: literal,
 * register (unsigned immediate, unscaled, pre/post-index, register offset), pairs, exclusives and
 * acquire/release, atomics, SIMD structures. Returns the address of the first byte of the access.
 */
final class A64Access {
    private A64Access() {}

    /**
     * @param insn the instruction word, or null when it cannot be read
     * @param pc   its address (for literal loads)
     * @param x    register file: x.applyAsLong(n) is Xn for n in 0..30 and SP for 31
     * @return the accessed address, or null when insn is not a load or store this decoder knows
     */
    static Long address(Integer insn, long pc, IntToLongFunction x) {
        if (insn == null) return null;
        int i = insn;
        if (((i >>> 25) & 1) != 0 || ((i >>> 27) & 1) != 1) return null; // not in the loads-and-stores group
        int rn = (i >>> 5) & 31;
        // Advanced SIMD load/store multiple or single structures (with or without post-index).
        if ((i & 0xbe000000) == 0x0c000000) return x.applyAsLong(rn);
        // Load/store exclusive, acquire/release (ordered).
        if ((i & 0x3f000000) == 0x08000000) return x.applyAsLong(rn);
        // Load register (literal).
        if ((i & 0x3b000000) == 0x18000000) {
            long imm19 = ((long) (i << 8) >> 13); // bits 23:5, sign-extended
            return pc + imm19 * 4;
        }
        // LDAPR/STLUR family: unscaled immediate, RCpc.
        if ((i & 0x3f200c00) == 0x19000000) return x.applyAsLong(rn) + simm9(i);
        // Load/store pair: no-allocate, post-index, offset, pre-index.
        if ((i & 0x3a000000) == 0x28000000) {
            int opc = (i >>> 30) & 3;
            boolean simd = ((i >>> 26) & 1) != 0;
            int scale = simd ? 2 + opc : (opc == 2 ? 3 : 2);
            long imm7 = ((long) (i << 10) >> 25); // bits 21:15
            boolean post = ((i >>> 23) & 3) == 1;
            long base = x.applyAsLong(rn);
            return post ? base : base + (imm7 << scale);
        }
        // Load/store register, unsigned immediate.
        if ((i & 0x3b000000) == 0x39000000) {
            long imm12 = (i >>> 10) & 0xfff;
            return x.applyAsLong(rn) + (imm12 << scale(i));
        }
        // Load/store register, the other forms.
        if ((i & 0x3b000000) == 0x38000000) {
            long base = x.applyAsLong(rn);
            int op4 = (i >>> 10) & 3;
            if (((i >>> 21) & 1) == 0) {
                return op4 == 1 ? base : base + simm9(i); // post-index uses the old base
            }
            if (op4 == 2) { // register offset
                int rm = (i >>> 16) & 31;
                long m = rm == 31 ? 0 : x.applyAsLong(rm);
                int option = (i >>> 13) & 7;
                switch (option) {
                    case 2: m &= 0xffffffffL; break;  // UXTW
                    case 6: m = (int) m; break;        // SXTW
                    default: break;                    // LSL/UXTX, SXTX
                }
                boolean s = ((i >>> 12) & 1) != 0;
                return base + (s ? m << scale(i) : m);
            }
            return base; // atomic memory operations, LDRAA/LDRAB
        }
        return null;
    }

    private static long simm9(int i) {
        return (long) (i << 11) >> 23; // bits 20:12
    }

    /** log2 of the access size for single-register loads and stores. */
    private static int scale(int i) {
        int size = (i >>> 30) & 3;
        boolean simd = ((i >>> 26) & 1) != 0;
        int opc = (i >>> 22) & 3;
        if (simd && (opc & 2) != 0 && size == 0) return 4; // 128-bit Q register
        return size;
    }
}
