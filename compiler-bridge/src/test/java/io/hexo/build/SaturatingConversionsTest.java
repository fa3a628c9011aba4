package io.hexo.build;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class SaturatingConversionsTest {
    /** The shapes Debian 12's wasm2c (wabt 1.0.32) prints for the saturating conversions, then a use. */
    private static final String APP_C = """
            #define TRUNC_SAT_S(ut, st, ft, min, smin, minop, max, smax, x) \\
              ((UNLIKELY((x) != (x))) ? 0 : (ut)(st)(x))
            #define I32_TRUNC_SAT_S_F32(x)                                            \\
              TRUNC_SAT_S(u32, s32, f32, (f32)INT32_MIN, INT32_MIN, >=, 2147483648.f, INT32_MAX, x)
            #define I64_TRUNC_SAT_S_F32(x)                                              \\
              TRUNC_SAT_S(u64, s64, f32, (f32)INT64_MIN, INT64_MIN, >=, (f32)INT64_MAX, INT64_MAX, x)
            #define I32_TRUNC_SAT_S_F64(x)                                        \\
              TRUNC_SAT_S(u32, s32, f64, -2147483649., INT32_MIN, >, 2147483648., INT32_MAX, x)
            #define I64_TRUNC_SAT_S_F64(x)                                              \\
              TRUNC_SAT_S(u64, s64, f64, (f64)INT64_MIN, INT64_MIN, >=, (f64)INT64_MAX, INT64_MAX, x)
            #define I32_TRUNC_SAT_U_F64(x) TRUNC_SAT_U(u32, f64, 4294967296., UINT32_MAX, x)
            #define DEFINE_REINTERPRET(name, t1, t2) \\
              static inline t2 name(t1 x) {}
            static u32 w2c_f(f64 d) { return I32_TRUNC_SAT_S_F64(d); }
            """;

    @Test
    public void signedConversionsUseTheHeaderAfterWasm2csDefinitions() throws BuildException {
        String out = SaturatingConversions.rewrite(APP_C);
        int include = out.indexOf("#include \"hexo_trunc_sat.h\"");
        assertTrue(out, include > out.indexOf("#define I64_TRUNC_SAT_S_F64(x)") && include < out.indexOf("#define DEFINE_REINTERPRET"));
        assertTrue(out, out.contains("#undef I32_TRUNC_SAT_S_F64\n#define I32_TRUNC_SAT_S_F64(x) ((u32)hexo_i32_trunc_sat_f64_s(x))"));
        assertTrue(out, out.contains("#define I64_TRUNC_SAT_S_F32(x) ((u64)hexo_i64_trunc_sat_f32_s(x))"));
        // The unsigned ones and the program are left alone.
        assertEquals(1, GeneratedPatch.count(out, "I32_TRUNC_SAT_U_F64"));
        assertTrue(out, out.endsWith("static u32 w2c_f(f64 d) { return I32_TRUNC_SAT_S_F64(d); }\n"));
    }

    @Test
    public void otherWasm2cOutputIsRefusedWithASentence() {
        try {
            SaturatingConversions.rewrite(APP_C.replace("#define I64_TRUNC_SAT_S_F32(x)", "#define I64_TRUNC_SAT_S_F32(v)"));
            fail("accepted a wasm2c output without the I64_TRUNC_SAT_S_F32 macro");
        } catch (BuildException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("wasm2c's output does not have the conversion macros hexo expects"));
        }
    }
}
