package io.hexo.build;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class InlineHelpersTest {
    private static final String[] FLOAT_HELPERS = {"quiet_nanf", "quiet_nan", "wasm_quiet", "wasm_quietf", "wasm_floor",
            "wasm_floorf", "wasm_ceil", "wasm_ceilf", "wasm_trunc", "wasm_truncf", "wasm_nearbyintf", "wasm_nearbyint",
            "wasm_fabsf", "wasm_fabs", "wasm_sqrt", "wasm_sqrtf"};

    /** The shapes Debian 12's wasm2c (wabt 1.0.32) prints: both load helpers, a bit cast, the float helpers, a program function. */
    private static String appC() {
        StringBuilder c = new StringBuilder("""
                #define DEFINE_LOAD(name, t1, t2, t3) \\
                    wasm_rt_memcpy(&result, &mem->data[mem->size - addr - sizeof(t1)], sizeof(t1)); \\
                    wasm_asm("" ::"r"(result));                                        \\
                #define DEFINE_LOAD(name, t1, t2, t3)                      \\
                    wasm_rt_memcpy(&result, &mem->data[addr], sizeof(t1)); \\
                    wasm_asm("" ::"r"(result));                            \\
                #define DEFINE_REINTERPRET(name, t1, t2) \\
                  static inline t2 name(t1 x) {          \\
                    memcpy(&result, &x, sizeof(result)); \\
                """);
        for (String h : FLOAT_HELPERS) {
            c.append("static ").append(h.endsWith("f") ? "float " : "double ")
                    .append(h).append("(").append(h.endsWith("f") ? "float" : "double").append(" x) {\n  memcpy(&tmp, &x, 8);\n}\n");
        }
        c.append("static u32 w2c_memcpy(Z_app_instance_t*, u32, u32, u32);\nstatic u32 w2c_f(void) { return w2c_memcpy(i, 1, 2, 3); }\n");
        return c.toString();
    }

    @Test
    public void floatHelpersBecomeInlineAndCopiesBuiltin() throws BuildException {
        String out = InlineHelpers.rewrite(appC());
        for (String h : FLOAT_HELPERS) assertTrue(h + " in\n" + out, out.contains("static inline " + (h.endsWith("f") ? "float " : "double ") + h + "("));
        assertFalse(out, out.contains(" memcpy("));
        assertEquals(1 + FLOAT_HELPERS.length, out.split("__builtin_memcpy\\(", -1).length - 1);
        // The program's own memcpy (a wasm function) and the load helpers' copies are left alone.
        assertTrue(out, out.contains("return w2c_memcpy(i, 1, 2, 3);"));
        assertTrue(out, out.contains("wasm_rt_memcpy(&result, &mem->data[addr], sizeof(t1));"));
    }

    @Test
    public void theLoadBarrierIsGone() throws BuildException {
        assertFalse(InlineHelpers.rewrite(appC()).contains("wasm_asm"));
    }

    @Test
    public void otherWasm2cOutputIsRefusedWithASentence() {
        try {
            InlineHelpers.rewrite(appC().replace("static double wasm_sqrt(", "static double wasm_sqrt2("));
            fail("accepted a wasm2c output without wasm_sqrt");
        } catch (BuildException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("wasm2c's output does not have the helpers hexo expects"));
        }
    }
}
