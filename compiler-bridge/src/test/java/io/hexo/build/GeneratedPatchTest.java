package io.hexo.build;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/** Patches of generated code apply exactly where expected, on clang-16's real IR, and stop the build otherwise. */
public class GeneratedPatchTest {
    private static String ir(String c) throws Exception {
        Path dir = Files.createTempDirectory("hexo-ir");
        Path src = Files.writeString(dir.resolve("t.c"), c), out = dir.resolve("t.ll");
        Process p = new ProcessBuilder(List.of("clang-16", "--target=wasm32-wasi", "-O2", "-finstrument-functions", "-Xclang",
                "-disable-llvm-passes", "-S", "-emit-llvm", src.toString(), "-o", out.toString())).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(log, 0, p.exitValue());
        return Files.readString(out);
    }

    @Test
    public void everyHookOfClangsIrPointsAtTheBareOne() throws Exception {
        String ir = ir("static int twice(int x) { return 2 * x; }\nint f(int x) { return twice(x) + 1; }\nint main(void) { return f(2); }\n");
        // The hooks are function attributes, in attribute groups that functions share.
        int groups = GeneratedPatch.count(ir, "\"instrument-function-entry\"=");
        assertTrue("clang-16 instruments the defined functions: " + ir, groups >= 1);
        String bare = InstrumentedIr.bare(ir);
        assertFalse(bare, bare.contains("\"__cyg_profile_func_enter\"") || bare.contains("\"__cyg_profile_func_exit\""));
        assertEquals(2 * groups, GeneratedPatch.count(bare, "=\"" + InstrumentedIr.BARE_HOOK + "\""));
    }

    @Test
    public void aHookOfAnotherFormStopsTheBuild() throws Exception {
        String ir = ir("int main(void) { return 0; }\n");
        String changed = ir.replace("\"instrument-function-exit\"=\"__cyg_profile_func_exit\"", "\"instrument-function-exit\"=\"__cyg_profile_func_exit_v2\"");
        try {
            InstrumentedIr.bare(changed);
            fail("a changed generator went unnoticed");
        } catch (BuildException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("instrumenting function exits: 1 of 1 occurrences"));
        }
    }

    @Test
    public void aFileWithoutFunctionsHasNothingToPatch() throws Exception {
        String ir = ir("int table[3] = {1, 2, 3};\n");
        assertEquals(ir, InstrumentedIr.bare(ir));
    }
}
