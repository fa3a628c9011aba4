package io.hexo.build;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * glue.c from a real wasm2c header and source: `hexo build` (DualIsaBuild, with the flags and passes it
 * really uses) applied to a small C program, its glue checked against what wasm-objdump says about the
 * same module. The build itself proves that its glue.c compiles for both ISAs.
 */
public class GlueGeneratorTest {
    private static final String PROGRAM = """
            #include <stdio.h>
            #include <sys/stat.h>
            #include <hermit/migration.h>
            static int counter;
            int main(int argc, char **argv) {
                for (int i = 0; i < argc; i++) { counter += i; popcorn_check_migrate(); }
                if (mkdir("made-by-the-guest", 0755) != 0) printf("mkdir refused\\n");
                printf("counter %d\\n", counter);
                return 0;
            }
            """;

    private static Toolchain tools;
    private static Path resources, tmp, work;
    private static GlueGenerator.ModuleFacts facts;
    private static String glue, objdump;

    @BeforeClass
    public static void pipeline() throws Exception {
        tools = Toolchain.locate();
        resources = HexoHome.resources();
        tmp = Files.createTempDirectory("hexo-glue-test");
        Path src = Files.createDirectories(tmp.resolve("prog"));
        Files.writeString(src.resolve("tiny.c"), PROGRAM);
        Path out = tmp.resolve("out");
        build(src, out);
        assertTrue(Files.isRegularFile(out.resolve("prog_x86-64")) && Files.isRegularFile(out.resolve("prog_aarch64")));
        work = out.resolve(".hexo");
        objdump = run(List.of(tools.path("wasm-objdump"), "-x", work.resolve("app.wasm").toString()));
        facts = new GlueGenerator.ModuleFacts("0123456789abcdef".repeat(4), 1024, 2048, 4096, 4096 + DualIsaBuild.WASM_STACK_SIZE);
        glue = GlueGenerator.generate(work.resolve("app.h"), work.resolve("app.c"), resources.resolve("guest/common/imports.h"), facts);
        Files.writeString(work.resolve("glue.c"), glue);
    }

    @AfterClass
    public static void clean() throws Exception {
        if (tmp != null) try (Stream<Path> s = Files.walk(tmp)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** `hexo build SRC -o OUT`, as the CLI runs it; its intermediates are in OUT/.hexo. */
    private static void build(Path src, Path out) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8);
        try {
            new DualIsaBuild(new DualIsaBuild.Options(src, out, false, List.of()), ps, ps).run();
        } catch (BuildException e) {
            throw new AssertionError(e.getMessage() + "\n" + log.toString(StandardCharsets.UTF_8), e);
        }
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(String.join(" ", cmd) + " did not finish", p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(String.join(" ", cmd) + "\n" + out, 0, p.exitValue());
        return out;
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    @Test
    public void globalsAreThoseOfTheModuleInOrder() {
        Matcher m = Pattern.compile("^Global\\[(\\d+)]:", Pattern.MULTILINE).matcher(objdump);
        assertTrue(objdump, m.find());
        int n = Integer.parseInt(m.group(1));
        assertTrue("__stack_pointer, __hexo_control, __hexo_asyncify and Asyncify's own: " + n, n >= 5);
        assertTrue(glue, glue.contains("const u32 hexo_app_nglobals = " + n + ";"));
        // The kernel's buffer for them is sized by the program (a fixed 256 once refused larger programs).
        assertTrue(glue, glue.contains("u64 hexo_app_globals_buffer[" + n + "];"));
        assertEquals(n, count(glue, "^    out\\[\\d+] = "));
        assertEquals(n, count(glue, "^    instance\\.w2c_\\w+ = \\((u32|u64)\\)in\\[\\d+];|^    memcpy\\(&instance\\."));
        // In declaration order, the stack pointer first, as the checkpoint stores them.
        assertTrue(glue, glue.contains("    out[0] = instance.w2c___stack_pointer;"));
        // .hexo_info says the same count.
        assertTrue(glue, glue.contains("HEXO_ABI_VERSION, HEXO_IMAGE_ISA, " + n + ", \"" + facts.moduleId() + "\""));
    }

    @Test
    public void hexoInfoHoldsTheFactsAndTheInitialMemory() {
        Matcher m = Pattern.compile("memory\\[0] pages: initial=(\\d+)").matcher(objdump);
        assertTrue(objdump, m.find());
        long initial = Long.parseLong(m.group(1)) * 65536;
        assertTrue(glue, glue.contains("HEXO_IMAGE_BASE, HEXO_LINMEM_ALIGN, " + initial + "ull,"));
        assertTrue(glue, glue.contains(facts.dataStart() + "ull, " + facts.bssStart() + "ull, " + facts.stackLow() + "ull, " + facts.stackHigh() + "ull };"));
        assertTrue(glue.contains("section(\".hexo_info\"), used"));
    }

    @Test
    public void wasiCallsTheKernelDoesNotServeGetEnosysStubs() throws Exception {
        Set<String> imported = new TreeSet<>();
        Matcher m = Pattern.compile("<- wasi_snapshot_preview1\\.(\\w+)").matcher(objdump);
        while (m.find()) imported.add(m.group(1));
        String kernel = Files.readString(resources.resolve("guest/common/imports.h"));
        Set<String> expectedStubs = new TreeSet<>();
        for (String name : imported) if (!kernel.contains("Z_wasi_snapshot_preview1Z_" + name + "(")) expectedStubs.add(name);
        assertTrue("mkdir() needs path_create_directory, which the kernel does not serve: " + imported, expectedStubs.contains("path_create_directory"));
        assertTrue(imported.contains("fd_write"));

        Set<String> stubs = new TreeSet<>();
        Matcher s = Pattern.compile("^(u32|u64|void) Z_wasi_snapshot_preview1Z_(\\w+)\\(struct Z_wasi_snapshot_preview1_instance_t \\*w[^)]*\\) \\{\\n((?:    .*\\n)*?)}",
                Pattern.MULTILINE).matcher(glue);
        while (s.find()) {
            stubs.add(s.group(2));
            String body = s.group(3);
            assertTrue(body, s.group(1).equals("void") ? body.contains("hexo_trap(HEXO_TRAP_UNREACHABLE") : body.contains("return HEXO_ENOSYS;"));
        }
        assertEquals(expectedStubs, stubs);
        // The stub's parameters are those of the import (path_create_directory: fd, path, path_len).
        assertTrue(glue, glue.contains("u32 Z_wasi_snapshot_preview1Z_path_create_directory(struct Z_wasi_snapshot_preview1_instance_t *w, u32 a0, u32 a1, u32 a2) {"));
    }

    @Test
    public void anImportOfAnUndefinedFunctionIsAClearBuildException() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("undefined"));
        // (printf: a program that never touches the wasm stack has no __stack_pointer, which `hexo build` refuses
        // for another reason — reported separately.)
        Files.writeString(src.resolve("main.c"), """
                #include <stdio.h>
                __attribute__((import_module("env"), import_name("not_defined_anywhere"))) int not_defined_anywhere(int);
                int main(void) { printf("%d\\n", not_defined_anywhere(3)); return 0; }
                """);
        // `hexo build` stops at the glue, before compiling anything native.
        ByteArrayOutputStream progress = new ByteArrayOutputStream(), diagnostics = new ByteArrayOutputStream();
        Path out = tmp.resolve("undefined-out");
        try {
            new DualIsaBuild(new DualIsaBuild.Options(src, out, false, List.of()), new PrintStream(progress, true, StandardCharsets.UTF_8),
                    new PrintStream(diagnostics, true, StandardCharsets.UTF_8)).run();
            fail("built a program calling an undefined function");
        } catch (BuildException e) {
            assertEquals("the program calls not_defined_anywhere, which is defined nowhere: define it, or remove the call", e.getMessage());
        }
        // The generator itself says so for the wasm2c output the build left behind.
        Path w = out.resolve(".hexo");
        assertTrue(Files.readString(w.resolve("app.h")).contains("not_defined_anywhere"));
        try {
            GlueGenerator.generate(w.resolve("app.h"), w.resolve("app.c"), resources.resolve("guest/common/imports.h"), facts);
            fail("glue generated for a program calling an undefined function");
        } catch (BuildException e) {
            assertEquals("the program calls not_defined_anywhere, which is defined nowhere: define it, or remove the call", e.getMessage());
        }
        assertFalse(progress.toString(StandardCharsets.UTF_8), progress.toString(StandardCharsets.UTF_8).contains("-cc] app.c"));
        assertFalse(Files.exists(out.resolve("prog_x86-64")));

        // A plain extern that nothing defines: wasm-ld refuses it, and the build says which step failed.
        Path plain = Files.createDirectories(tmp.resolve("plain-undefined"));
        Files.writeString(plain.resolve("main.c"), "extern int nowhere_at_all(int);\nint main(void) { return nowhere_at_all(3); }\n");
        diagnostics.reset();
        try {
            new DualIsaBuild(new DualIsaBuild.Options(plain, tmp.resolve("plain-out"), false, List.of()),
                    new PrintStream(progress, true, StandardCharsets.UTF_8), new PrintStream(diagnostics, true, StandardCharsets.UTF_8)).run();
            fail();
        } catch (BuildException e) {
            assertEquals("prog.wasm failed (clang-16 exited with 1)", e.getMessage());
            assertTrue(diagnostics.toString(StandardCharsets.UTF_8), diagnostics.toString(StandardCharsets.UTF_8).contains("nowhere_at_all"));
        }
    }

    @Test
    public void anUnexpectedHeaderIsABuildException() throws Exception {
        Path h = Files.writeString(tmp.resolve("odd.h"), "/* not from wasm2c */\nint x;\n");
        try {
            GlueGenerator.generate(h, work.resolve("app.c"), resources.resolve("guest/common/imports.h"), facts);
            fail();
        } catch (BuildException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("wasm2c produced an unexpected header (" + h + ")"));
        }
    }
}
