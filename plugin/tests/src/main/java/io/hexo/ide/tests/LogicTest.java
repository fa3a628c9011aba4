package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jface.text.Document;
import org.junit.Test;

import io.hexo.ide.core.build.Diagnostic;
import io.hexo.vmm.checkpoint.CheckpointReport;
import io.hexo.ide.core.source.MigrationPoint;
import io.hexo.ide.core.prefs.Board;
import io.hexo.ide.core.prefs.HexoPreferences;
import io.hexo.ide.core.prefs.Toolchain;
import io.hexo.ide.core.session.RunSpec;

/** Headless: the plug-in's logic inside the OSGi framework (bundles resolved, gson imported), no display. */
public class LogicTest {

    @Test
    public void insertsCallWithIndentationAndIncludeOnce() throws Exception {
        Document d = new Document("#include <stdio.h>\n#include <stdlib.h>\n\nint main(void) {\n\tint i = 0;\n\treturn i;\n}\n");
        int caret = d.get().indexOf("int i = 0;") + 3;
        int after = MigrationPoint.apply(d, caret);
        assertEquals("#include <stdio.h>\n#include <stdlib.h>\n#include <hermit/migration.h>\n\nint main(void) {\n"
                + "\tint i = 0;\n\tpopcorn_check_migrate();\n\treturn i;\n}\n", d.get());
        assertEquals(d.get().indexOf("popcorn_check_migrate();") + MigrationPoint.CALL.length(), after);
        MigrationPoint.apply(d, after);
        assertEquals(1, count(d.get(), "#include <hermit/migration.h>"));
        assertEquals(2, count(d.get(), "popcorn_check_migrate();"));
    }

    @Test
    public void fileWithoutIncludesGetsItOnTop() throws Exception {
        Document d = new Document("int main(void) {\n    \n}\n");
        MigrationPoint.apply(d, d.get().indexOf("    ") + 4);
        assertEquals("#include <hermit/migration.h>\nint main(void) {\n    popcorn_check_migrate();\n}\n", d.get());
    }

    @Test
    public void migrationPointsGoInsideFunctionBodiesOnly() throws Exception {
        String src = "#include <stdio.h>\n/* { */\nstruct s { int a; };\nint t[] = { 1,\n  2 };\n"
                + "static int f(int x) {\n  if (x) {\n      x++;\n  }\n  return x; // }\n}\nint g;\n";
        Document d = new Document(src);
        for (String outside : List.of("#include", "/* {", "int a;", "2 };", "int g;")) {
            assertNotNull("refused at " + outside, MigrationPoint.reasonAgainst(d, src.indexOf(outside) + 1));
            try {
                MigrationPoint.apply(d, src.indexOf(outside) + 1);
                throw new AssertionError("inserted at " + outside + ":\n" + d.get());
            } catch (IllegalArgumentException expected) {
                assertEquals(src, d.get());
            }
        }
        // on the if's line the call goes inside the if, indented as the if's statements
        MigrationPoint.apply(d, src.indexOf("if (x)"));
        assertTrue(d.get(), d.get().contains("  if (x) {\n      popcorn_check_migrate();\n      x++;\n"));
        // after the closing brace of the if: the function body's indentation
        Document d2 = new Document(src);
        MigrationPoint.apply(d2, src.indexOf("  }\n  return") + 2);
        assertTrue(d2.get(), d2.get().contains("  }\n  popcorn_check_migrate();\n  return x;"));
        // an empty body: one level deeper than its brace
        Document d3 = new Document("#include <hermit/migration.h>\nvoid h(void)\n{\n}\n");
        assertNull(MigrationPoint.reasonAgainst(d3, d3.get().indexOf("{") + 1));
        MigrationPoint.apply(d3, d3.get().indexOf("{") + 1);
        assertEquals("#include <hermit/migration.h>\nvoid h(void)\n{\n    popcorn_check_migrate();\n}\n", d3.get());
    }

    @Test
    public void parsesCompilerDiagnostics() {
        Diagnostic d = Diagnostic.parse("src/test.c:12:5: error: use of undeclared identifier 'x'");
        assertNotNull(d);
        assertEquals("src/test.c", d.path());
        assertEquals(12, d.line());
        assertEquals(5, d.column());
        assertEquals(Diagnostic.Severity.ERROR, d.severity());
        assertEquals(Diagnostic.Severity.WARNING, Diagnostic.parse("/a/b.c:3:1: warning: unused").severity());
        assertEquals(Diagnostic.Severity.ERROR, Diagnostic.parse("b.c:3: fatal error: 'x.h' file not found").severity());
        assertNull(Diagnostic.parse("[x86_64-cc] is.c"));
    }

    @Test
    public void parsesInspectJson() {
        CheckpointReport c = CheckpointReport.fromJson("{\"directory\":\"/w/ck\",\"isa\":\"x86-64\",\"abiVersion\":1,"
                + "\"moduleId\":\"hex\",\"valid\":true,\"problem\":null,\"files\":[{\"name\":\"heap.bin\",\"region\":\"heap\","
                + "\"size\":1234,\"pagesStored\":3,\"pagesAllocated\":100},{\"name\":\"stack.bin.1\",\"region\":\"stack\","
                + "\"size\":4096,\"pagesStored\":1,\"pagesAllocated\":16}],\"openFiles\":[{\"fd\":4,\"path\":\"out.txt\",\"offset\":100}]}");
        assertEquals("x86-64", c.isa());
        assertTrue(c.valid());
        assertEquals(2, c.files().size());
        assertEquals(1234 + 4096, c.totalSize());
        assertEquals(4, c.totalPagesStored());
        assertEquals(116, c.totalPagesAllocated());
        assertEquals("out.txt", c.openFiles().get(0).path());
        // the fixture names the files the checkpoint format writes
        for (CheckpointReport.FileRow f : c.files()) {
            assertTrue(f.name(), io.hexo.vmm.checkpoint.Checkpoint.ALL_FILES.contains(f.name()));
        }
    }

    @Test
    public void runCommandLines() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("OMP", "1");
        RunSpec s = new RunSpec("p/build", Path.of("/w/p/build"), Path.of("/w/p"), RunSpec.ISA_X86, "kvm",
                Board.EMULATED_ID, "-n 3", env, "1G", true, Path.of("/w/p/checkpoint"), 5, false, false);
        List<String> first = s.command("x86", false, Path.of("/tmp/e.jsonl"));
        assertEquals(List.of("run", "--isa", "x86", "--mem", "1G", "--args", "-n 3", "--env", "OMP=1", "--workdir", "/w/p",
                "--verbose", "--checkpoint-dir", "/w/p/checkpoint", "--migrate-after", "5", "--engine", "kvm",
                "--events=json", "--events-to=/tmp/e.jsonl", "/w/p/build"),
                first.subList(1, first.size()));
        List<String> resumed = s.command("arm", true, Path.of("/tmp/e.jsonl"));
        assertTrue(resumed.contains("--resume"));
        assertFalse(resumed.contains("--migrate-after"));
        assertFalse("the board's engine is hexo's choice (auto), not the IDE's", resumed.contains("--engine"));
        List<String> onBoard = s.command("arm", "pi", true, Path.of("/tmp/e.jsonl"));
        assertEquals(List.of("run", "--board", "pi", "--isa", "arm"), onBoard.subList(1, 6));
        assertTrue(onBoard.contains("--resume"));
        assertFalse("the board keeps its own working and checkpoint directories: " + onBoard,
                onBoard.contains("--workdir") || onBoard.contains("--checkpoint-dir"));
        assertTrue("its events stream back here: " + onBoard, onBoard.contains("--events-to=/tmp/e.jsonl"));
        assertEquals(List.of("transfer", "--to-board", "pi", "--from", "/w/p/checkpoint", "--from-workdir", "/w/p"),
                s.transfer(null, "pi").subList(1, 8));
        assertEquals(List.of("transfer", "--from-board", "pi", "--to", "/w/p/checkpoint", "--to-workdir", "/w/p"),
                s.transfer("pi", null).subList(1, 8));
        assertNull("both on this host: no transfer", s.transfer(null, null));
    }

    @Test
    public void functionDefinitionsFromSources() {
        String c = "int f(int);\nstruct s { int f; };\n/* int f(int x) { } */\nstatic int g(void) { return f(1); }\n"
                + "int f(a, b)\n    int a; char *b;\n{\n    return a;\n}\n";
        int at = io.hexo.ide.core.source.CFunctions.definition(c, "f");
        assertEquals("K&R f, not its prototype, the struct member, the comment or the call", c.indexOf("int f(a, b)") + 4, at);
        assertEquals(c.indexOf("g(void)"), io.hexo.ide.core.source.CFunctions.definition(c, "g"));
        assertEquals(-1, io.hexo.ide.core.source.CFunctions.definition(c, "h"));
    }

    @Test
    public void toolchainAndBoards() {
        Toolchain.Report report = Toolchain.check();
        assertNull("hexo check --toolchain --json answered", report.problem());
        List<Toolchain.Tool> tools = report.tools();
        assertTrue("compiler-bridge's list: " + tools, tools.stream().map(Toolchain.Tool::name).toList()
                .containsAll(List.of("clang-16", "wasm-ld-16", "wasm-opt", "wasm2c")));
        for (Toolchain.Tool t : tools) {
            assertTrue(t.describe(), t.found() ? t.describe().contains("found") : t.describe().contains("apt-get install"));
        }
        assertEquals(Board.EMULATED, HexoPreferences.boards().get(0));
        assertNull(HexoPreferences.checkMem("2G"));
        assertNotNull(HexoPreferences.checkMem("lots"));
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
