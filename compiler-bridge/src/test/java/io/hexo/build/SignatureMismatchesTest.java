package io.hexo.build;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.Test;

/** wasm-ld's signature mismatch, told at the call the program made without a declaration. */
public class SignatureMismatchesTest {
    private static final String LINKER = String.join("\n",
            "wasm-ld-16: warning: function signature mismatch: bar",
            ">>> defined as (i32) -> i32 in /o/.hexo/wasm/a.c.o",
            ">>> defined as (i32) -> void in /o/.hexo/wasm/b.c.o",
            "",
            "wasm-ld-16: warning: function signature mismatch: __hexo_kprintf_int",
            ">>> defined as (i32) -> i32 in /o/.hexo/wasm/c.c.o",
            ">>> defined as (i32, i32) -> i32 in /o/.hexo/wasm/hexo_runtime.c.o", "");

    @Test
    public void eachUndeclaredCallSiteGetsAWarning() {
        List<SignatureMismatches.Mismatch> m = SignatureMismatches.parseLinker(LINKER);
        assertEquals(2, m.size());
        assertEquals(new SignatureMismatches.Mismatch("bar", "(i32) -> i32", "/o/.hexo/wasm/a.c.o", "(i32) -> void", "/o/.hexo/wasm/b.c.o"), m.get(0));
        Map<String, List<String>> calls = SignatureMismatches.undeclaredCalls(
                "./a.c:7:5: warning: call to undeclared function 'bar'; ISO C99 and later do not support implicit function declarations [-Wimplicit-function-declaration]\n"
                        + "./a.c:9:5: warning: call to undeclared function 'bar'; ISO C99 and later do not support implicit function declarations [-Wimplicit-function-declaration]\n");
        List<String> w = SignatureMismatches.warnings(m, calls, o -> o.substring(o.lastIndexOf('/') + 1).replace(".o", ""));
        assertEquals(3, w.size());
        assertEquals("./a.c:7:5: warning: bar is called without a declaration; bar is (i32) -> i32 in a.c but (i32) -> void in b.c (wasm signatures): "
                + "a call through the wrong one stops the program; declare bar (#include its header) where it is called", w.get(0));
        assertEquals("./a.c:9:5", w.get(1).substring(0, 9));
        // No call site known, and never hexo's internal name.
        assertEquals("hexo: warning: kprintf is (i32) -> i32 in c.c but (i32, i32) -> i32 in hexo_runtime.c (wasm signatures): "
                + "a call through the wrong one stops the program; declare kprintf (#include its header) where it is called", w.get(2));
    }
}
