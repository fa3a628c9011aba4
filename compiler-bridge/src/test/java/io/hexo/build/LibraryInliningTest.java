package io.hexo.build;

import org.junit.Test;

import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

public class LibraryInliningTest {
    /** What wasm-objdump 1.0.32 -x prints in the symbol table of a program's object (dhry.c.o, shortened). */
    private static final String OBJDUMP = """
            Custom:
             - name: "linking"
              - symbol table [count=5]
               - 0: F <__original_main> func=5 [ binding=global vis=hidden ]
               - 3: F <env.strcmp> func=0 [ undefined binding=global vis=default ]
               - 10: F <compare> func=8 [ binding=local vis=default ]
               - 11: D <glob_int> segment=1 offset=0 size=4 [ binding=local vis=default ]
               - 31: F <main> func=13 [ binding=global vis=hidden ]
            """;

    private static final String APP_C = """
            static u32 w2c_compare(Z_app_instance_t*, u32);
            static u32 w2c_strcmp(Z_app_instance_t*, u32, u32);
            static void w2c___original_main(Z_app_instance_t*);
            static u32 w2c_compare(Z_app_instance_t* instance, u32 w2c_p0) {
              return w2c_strcmp(instance, w2c_p0, 1);
            }
            static u32 w2c_strcmp(Z_app_instance_t* instance, u32 w2c_p0, u32 w2c_p1) {
              return w2c_vfprintf(instance, w2c_p0);
            }
            static u32 w2c_vfprintf(Z_app_instance_t* instance, u32 w2c_p0) {
            }
            """;

    @Test
    public void theProgramsDefinedFunctionsAreFound() {
        assertEquals(Set.of("__original_main", "compare", "main"), LibraryInlining.definedFunctions(OBJDUMP));
    }

    @Test
    public void libraryFunctionsBecomeInlineTheProgramsStayAsTheyAre() throws BuildException {
        String out = LibraryInlining.rewrite(APP_C, LibraryInlining.definedFunctions(OBJDUMP));
        assertEquals(2, GeneratedPatch.count(out, "static inline u32 w2c_strcmp("));
        assertEquals(2, GeneratedPatch.count(out, "static u32 w2c_compare("));
        assertTrue(out, out.contains("static void w2c___original_main("));
        assertEquals(2, GeneratedPatch.count(out, "static inline"));
        // Library functions that only the library calls stay out-of-line.
        assertTrue(out, out.contains("static u32 w2c_vfprintf("));
    }

    @Test
    public void aProgramWhoseFunctionsWereAllInlinedByWasmOptIsFine() throws BuildException {
        assertEquals(APP_C, LibraryInlining.rewrite(APP_C, Set.of("__main_argc_argv")));
    }

    @Test
    public void noFunctionsFoundIsRefusedWithASentence() {
        for (String[] c : new String[][] {{APP_C, ""}, {"/* no functions */\n", "main"}}) {
            try {
                LibraryInlining.rewrite(c[0], c[1].isEmpty() ? Set.of() : Set.of(c[1]));
                fail("accepted " + c[0] + " with program functions '" + c[1] + "'");
            } catch (BuildException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("wasm2c's output does not name the program's functions the way hexo expects"));
            }
        }
    }
}
