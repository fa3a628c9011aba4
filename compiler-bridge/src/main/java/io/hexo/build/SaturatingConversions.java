package io.hexo.build;

import java.util.List;

/**
 * Points wasm2c's saturating float-to-signed-int conversions at the ISA's own instruction
 * (resources/guest/include/hexo_trunc_sat.h).
 *
 * <p>The program is compiled to wasm with {@code -mnontrapping-fptoint} (DualIsaBuild), so each C cast
 * from a floating-point value to a signed integer is an {@code i32/i64.trunc_sat_*_s}. wasm2c 1.0.32 writes
 * those as a macro that compares for NaN, the lower and the upper bound before it converts: on x86-64 seven
 * instructions where the same C compiled natively has one {@code cvttsd2si}. Measured with callgrind on
 * EP class S (bench/kernels.sh): its random-number generator makes three such conversions per number in
 * its innermost loop.
 *
 * <p>The header's functions give wasm's result for every input (NaN 0, out of range the bound), so images
 * and checkpoints are unchanged in meaning and both ISAs still compute the same bits. The unsigned
 * conversions have no single x86-64 instruction and keep wasm2c's macros.
 */
final class SaturatingConversions {
    static final String HEADER = "hexo_trunc_sat.h";
    /** wasm2c's macro name and the header's function, for each signed conversion. */
    private static final List<String[]> SIGNED = List.of(
            new String[] {"I32_TRUNC_SAT_S_F32", "hexo_i32_trunc_sat_f32_s"},
            new String[] {"I64_TRUNC_SAT_S_F32", "hexo_i64_trunc_sat_f32_s"},
            new String[] {"I32_TRUNC_SAT_S_F64", "hexo_i32_trunc_sat_f64_s"},
            new String[] {"I64_TRUNC_SAT_S_F64", "hexo_i64_trunc_sat_f64_s"});
    /** The first definition after wasm2c's conversion macros: the new ones go just before it. */
    private static final String AFTER_CONVERSIONS = "#define DEFINE_REINTERPRET(name, t1, t2)";

    private SaturatingConversions() {}

    static String rewrite(String appC) throws BuildException {
        boolean shaped = GeneratedPatch.count(appC, AFTER_CONVERSIONS) == 1
                && GeneratedPatch.count(appC, "#define TRUNC_SAT_S(ut, st, ft, min, smin, minop, max, smax, x)") == 1;
        StringBuilder defs = new StringBuilder("/* hexo: saturating conversions by the ISA's instruction, see SaturatingConversions.java */\n")
                .append("#include \"").append(HEADER).append("\"\n");
        for (String[] c : SIGNED) {
            shaped &= GeneratedPatch.count(appC, "#define " + c[0] + "(x)") == 1 && appC.indexOf("#define " + c[0] + "(x)") < appC.indexOf(AFTER_CONVERSIONS);
            defs.append("#undef ").append(c[0]).append("\n#define ").append(c[0]).append("(x) ((u")
                    .append(c[0].substring(1, 3)).append(")").append(c[1]).append("(x))\n");
        }
        if (!shaped) {
            throw new BuildException("wasm2c's output does not have the conversion macros hexo expects (is wabt other than "
                    + "Debian 12's 1.0.32?): install the wabt package with tools/install.sh");
        }
        return appC.replace(AFTER_CONVERSIONS, defs + AFTER_CONVERSIONS);
    }
}
