package io.hexo.e2e;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.run.Outcome;
import org.junit.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** `hexo build` and `hexo check` as a user meets them. */
public class BuildTest {
    @Test
    public void compilerErrorsPassThroughWithFileAndLine() throws Exception {
        Path dir = Hexo.tempDir("broken");
        Files.writeString(dir.resolve("good.c"), "int helper(void) { return 1; }\n");
        Files.writeString(dir.resolve("bad.c"), "#include <stdio.h>\n\nint main(void) {\n    printf(\"x\")\n    return 0;\n}\n");
        Hexo.Cli c = Hexo.cli(dir, "build", ".");
        assertEquals(c.stderr(), 1, c.status());
        assertTrue(c.stderr(), c.stderr().contains("./bad.c:4:16: error: expected ';'"));
        assertFalse(c.stderr(), c.stderr().contains("Exception"));
    }

    @Test
    public void anUnchangedRebuildDoesNoWork() throws Exception {
        Path dir = Hexo.tempDir("incr");
        Files.writeString(dir.resolve("main.c"), "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n");
        Hexo.Cli first = Hexo.cli(dir, "build", ".");
        assertEquals(first.stderr(), 0, first.status());
        assertTrue(first.stdout(), first.stdout().contains("[wasm32-cc] main.c") && first.stdout().contains("[ld] prog_aarch64"));
        long mtime = Files.getLastModifiedTime(dir.resolve("prog_x86-64")).toMillis();
        Hexo.Cli second = Hexo.cli(dir, "build", ".");
        assertEquals(0, second.status());
        assertEquals("hexo: prog_x86-64 and prog_aarch64 are up to date\n", second.stdout());
        assertEquals(mtime, Files.getLastModifiedTime(dir.resolve("prog_x86-64")).toMillis());
        // A change to the source rebuilds, and the program says so.
        Files.writeString(dir.resolve("main.c"), "#include <stdio.h>\nint main(void) { puts(\"changed\"); return 0; }\n");
        Hexo.Cli third = Hexo.cli(dir, "build", ".");
        assertTrue(third.stdout(), third.stdout().contains("[wasm32-cc] main.c"));
        assertEquals("changed\n", Hexo.run(dir, Isa.AARCH64, Hexo.options()).stdout());
    }

    @Test
    public void theSmallestProgramBuildsAndReturnsItsCode() throws Exception {
        // No libc, no stack, no migration point: wasm-opt drops even __stack_pointer.
        Path dir = Hexo.tempDir("tiny");
        Files.writeString(dir.resolve("main.c"), "int main(void) { return 3; }\n");
        Hexo.build(dir, dir, false);
        for (Isa isa : Isa.values()) assertEquals(3, Hexo.run(dir, isa, Hexo.options()).status());
    }

    @Test
    public void checkCatchesImagesOfDifferentPrograms() throws Exception {
        Path a = Hexo.sample("stress-args"), b = Hexo.sample("stress-ctor");
        assertEquals(0, Hexo.cli(a, "check", ".").status());
        Path mixed = Hexo.tempDir("mixed");
        Files.copy(a.resolve("prog_x86-64"), mixed.resolve("prog_x86-64"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(b.resolve("prog_aarch64"), mixed.resolve("prog_aarch64"), StandardCopyOption.REPLACE_EXISTING);
        Hexo.Cli c = Hexo.cli(mixed, "check", ".");
        assertEquals(1, c.status());
        assertTrue(c.stderr(), c.stderr().contains("the images come from different programs"));
    }

    @Test
    public void programsOfTheOriginalBuildUnchanged() throws Exception {
        Path dir = Hexo.tempDir("original");
        // Both sys_msleep declarations the original's programs use, its macros, and hexo.h.
        Files.writeString(dir.resolve("a.c"), String.join("\n",
                "#include <stdio.h>",
                "#include <hermit/migration.h>",
                "extern void sys_msleep(int ms);",
                "void b_part(void);",
                "int main(void) {",
                "    HERMIT_MIGPOINT();",
                "    migrate_if_needed(NULL);",
                "    sys_msleep(1);",
                "    b_part();",
                "    printf(\"isa %d points %llu\\n\", hexo_current_isa(), hexo_migration_points());",
                "    return 0;",
                "}", ""));
        Files.writeString(dir.resolve("b.c"), String.join("\n",
                "#include <stdio.h>",
                "#include <hermit/migration.h>",
                "extern int sys_msleep(unsigned int ms);",
                "void b_part(void) { popcorn_check_migrate(); printf(\"slept %d\\n\", sys_msleep(2)); }", ""));
        Hexo.build(dir, dir, false);
        assertEquals("slept 0\nisa 1 points 3\n", Hexo.run(dir, Isa.X86_64, Hexo.options()).stdout());
        assertEquals("slept 0\nisa 2 points 3\n", Hexo.run(dir, Isa.AARCH64, Hexo.options()).stdout());
    }

    @Test
    public void instrumentFunctionsMigratesAtFunctionBoundaries() throws Exception {
        Path dir = Hexo.tempDir("instr");
        Files.writeString(dir.resolve("main.c"), String.join("\n",
                "#include <stdio.h>",
                "static int square(int x) { return x * x; }",
                "static int sum(int n) { int s = 0; for (int i = 0; i < n; i++) s += square(i); return s; }",
                "int main(void) { for (int k = 1; k <= 5; k++) printf(\"sum %d = %d\\n\", k, sum(k)); return 0; }", ""));
        Hexo.build(dir, dir, true);
        Hexo.Run whole = Hexo.run(dir, Isa.X86_64, Hexo.options());
        assertTrue("every entry and exit is a migration point", whole.pointsReached() > 30);
        Path ck = Hexo.tempDir("instr-ck");
        Hexo.Run first = Hexo.run(dir, Isa.X86_64, Hexo.options().checkpointDir(ck).migrateAt(17));
        assertTrue(first.outcome().toString(), first.outcome() instanceof Outcome.Checkpointed);
        Hexo.Run rest = Hexo.run(dir, Isa.AARCH64, Hexo.options().checkpointDir(ck).resume());
        assertEquals(whole.stdout(), first.stdout() + rest.stdout());
    }
}
