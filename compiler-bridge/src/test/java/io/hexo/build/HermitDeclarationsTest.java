package io.hexo.build;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/** sys_msleep and kprintf are mapped onto the runtime variant that matches each file's declaration — and that links. */
public class HermitDeclarationsTest {
    private static final List<String> VOID = List.of("-Dsys_msleep=__hexo_sys_msleep_void");
    private static final List<String> INT = List.of("-Dsys_msleep=__hexo_sys_msleep_int");
    private static Path tmp;

    @BeforeClass
    public static void dir() throws Exception {
        tmp = Files.createTempDirectory("hexo-msleep-test");
    }

    @AfterClass
    public static void clean() throws Exception {
        try (var s = Files.walk(tmp)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static List<String> defineFor(String name, String text) throws Exception {
        return HermitDeclarations.defineFor(Files.writeString(tmp.resolve(name), text, StandardCharsets.ISO_8859_1));
    }

    @Test
    public void mapsEachDeclaration() throws Exception {
        assertEquals(List.of(), defineFor("none.c", "int main(void) { return 0; }\n"));
        assertEquals(VOID, defineFor("void.c", "extern void sys_msleep(int);\nint main(void) { sys_msleep(10); return 0; }\n"));
        assertEquals(VOID, defineFor("spaces.c", "extern   void\tsys_msleep  (int ms);\n"));
        assertEquals(VOID, defineFor("newline.c", "extern void\nsys_msleep(int ms);\n"));
        assertEquals(INT, defineFor("int.c", "extern int sys_msleep(unsigned int);\nint main(void) { return sys_msleep(10); }\n"));
        assertEquals(INT, defineFor("undeclared.c", "int main(void) { sys_msleep(10); return 0; }\n"));
        assertEquals(INT, defineFor("other-void.c", "void my_sys_msleep(int);\nint main(void) { return sys_msleep(1); }\n"));
        // Not UTF-8 (Latin-1 comments in old sources): read anyway.
        assertEquals(VOID, defineFor("latin1.c", "/* d\u00e9lai en millisecondes */ extern void sys_msleep(int);\n"));
    }

    @Test
    public void kprintfToo() throws Exception {
        assertEquals(List.of("-Dkprintf=__hexo_kprintf_void"), defineFor("k1.c", "extern void kprintf(char *format, ...);\n"));
        assertEquals(List.of("-Dkprintf=__hexo_kprintf_int"), defineFor("k2.c", "int main(void) { kprintf(\"x\"); }\n"));
        assertEquals(List.of("-Dsys_msleep=__hexo_sys_msleep_int", "-Dkprintf=__hexo_kprintf_void"),
                defineFor("k3.c", "extern int sys_msleep(unsigned);\nextern void kprintf(char *, ...);\n"));
    }

    @Test
    public void missingSourceIsAnIOException() {
        try {
            HermitDeclarations.defineFor(tmp.resolve("no-such.c"));
            throw new AssertionError("no exception");
        } catch (java.io.IOException expected) {
            // the build reports it
        }
    }

    /** Each mapping compiles and links against hexo's runtime for wasm32, as the build does it. */
    @Test
    public void bothVariantsLinkWithTheRuntime() throws Exception {
        Toolchain tools = Toolchain.locate();
        Path resources = HexoHome.resources();
        Path runtimeObj = tmp.resolve("hexo_runtime.o");
        run(List.of(tools.path("clang-16"), "--target=wasm32-wasi", "-O2", "-I", resources.resolve("include").toString(),
                "-D__hexo__=1", "-c", resources.resolve("runtime/hexo_runtime.c").toString(), "-o", runtimeObj.toString()));
        for (String decl : List.of("extern void sys_msleep(int);\nint main(void) { sys_msleep(1); return 0; }\n",
                "extern int sys_msleep(unsigned int);\nint main(void) { return sys_msleep(1); }\n",
                "extern void kprintf(char *, ...);\nint main(void) { kprintf(\"%d\", 1); return 0; }\n",
                "extern int kprintf(const char *, ...);\nint main(void) { return kprintf(\"%d\", 1); }\n")) {
            Path src = Files.writeString(tmp.resolve("prog.c"), decl);
            List<String> cc = new ArrayList<>(List.of(tools.path("clang-16"), "--target=wasm32-wasi", "-O2", "-I",
                    resources.resolve("include").toString(), "-D__hexo__=1"));
            cc.addAll(HermitDeclarations.defineFor(src));
            cc.addAll(List.of("-c", src.toString(), "-o", tmp.resolve("prog.o").toString()));
            run(cc);
            // A signature mismatch is only a warning to wasm-ld, and a trap at run time: here it fails.
            run(List.of(tools.path("clang-16"), "--target=wasm32-wasi", "-Wl,--fatal-warnings", "-o", tmp.resolve("prog.wasm").toString(),
                    tmp.resolve("prog.o").toString(), runtimeObj.toString()));
            assertTrue(Files.size(tmp.resolve("prog.wasm")) > 0);
        }
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(String.join(" ", cmd) + "\n" + out, 0, p.exitValue());
    }
}
