package io.hexo.build;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

/** Every preprocessor test of an ISA macro is a warning at its place; the macro anywhere else is not. */
public class IsaMacrosTest {
    @Test
    public void warnsAtEachTest() {
        List<String> w = IsaMacros.warnings(String.join("\n",
                "#ifdef __aarch64__",
                "  migrate(0, 0, 0);",
                "#elif defined(__x86_64__) || defined(__powerpc64__)",
                "#endif",
                "/* #ifdef __aarch64__ in a comment */",
                "const char *s = \"__aarch64__\";",
                "  #  if __arm__", ""), "r.c");
        assertEquals(3, w.size());
        assertTrue(w.get(0), w.get(0).startsWith("r.c:1:8: warning: __aarch64__ is never defined here: hexo compiles the program once"));
        assertTrue(w.get(1), w.get(1).startsWith("r.c:3:15: warning: __x86_64__ is never defined here"));
        assertTrue(w.get(2), w.get(2).startsWith("r.c:7:9: warning: __arm__ is never defined here"));
    }
}
