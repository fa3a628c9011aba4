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
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A build step runs when its output is missing or its command, its inputs' content, or the content of
 * a dependency its .d file lists changed — and only then. Real commands (/bin/sh, clang-16 -MD) in a
 * temporary directory; each run appends to a log, which is how the test sees whether it ran.
 */
public class StepTest {
    private Path dir, stamps, log;
    private final ByteArrayOutputStream progressBytes = new ByteArrayOutputStream(), diagBytes = new ByteArrayOutputStream();
    private final PrintStream progress = new PrintStream(progressBytes, true, StandardCharsets.UTF_8);
    private final PrintStream diagnostics = new PrintStream(diagBytes, true, StandardCharsets.UTF_8);

    @Before
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("hexo-step-test");
        stamps = dir.resolve("stamps");
        log = dir.resolve("runs.log");
    }

    @After
    public void tearDown() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private int runs() throws Exception {
        return Files.exists(log) ? Files.readAllLines(log).size() : 0;
    }

    /** cat INPUTS > OUT, and one line in the log. */
    private Step concat(String label, Path out, Path... inputs) {
        StringBuilder script = new StringBuilder("cat");
        for (Path in : inputs) script.append(" '").append(in).append('\'');
        script.append(" > '").append(out).append("' && echo ran >> '").append(log).append('\'');
        return new Step(label, List.of("/bin/sh", "-c", script.toString()), List.of(inputs), out, null, stamps);
    }

    @Test
    public void rerunsOnlyWhenInputsOrCommandChange() throws Exception {
        Path in = Files.writeString(dir.resolve("in.txt"), "one\n");
        Path out = dir.resolve("out.txt");
        Step s = concat("[cat] out.txt", out, in);
        assertEquals(out, s.output());

        assertTrue(s.run(progress, diagnostics));
        assertEquals("one\n", Files.readString(out));
        assertEquals(1, runs());
        assertEquals("[cat] out.txt\n", progressBytes.toString(StandardCharsets.UTF_8));

        assertFalse("unchanged: nothing to do", concat("[cat] out.txt", out, in).run(progress, diagnostics));
        assertEquals(1, runs());
        assertEquals("an up-to-date step prints nothing", "[cat] out.txt\n", progressBytes.toString(StandardCharsets.UTF_8));

        // Timestamps do not matter, content does.
        Files.setLastModifiedTime(in, FileTime.fromMillis(System.currentTimeMillis() + 3_600_000));
        assertFalse(concat("[cat] out.txt", out, in).run(progress, diagnostics));
        Files.writeString(in, "one\n");
        assertFalse(concat("[cat] out.txt", out, in).run(progress, diagnostics));
        assertEquals(1, runs());

        Files.writeString(in, "two\n");
        assertTrue(concat("[cat] out.txt", out, in).run(progress, diagnostics));
        assertEquals("two\n", Files.readString(out));
        assertEquals(2, runs());

        // Another command line (one more input) is another key; going back to the first one is a change too.
        Path in2 = Files.writeString(dir.resolve("in2.txt"), "more\n");
        assertTrue(concat("[cat] out.txt", out, in, in2).run(progress, diagnostics));
        assertEquals("two\nmore\n", Files.readString(out));
        assertFalse(concat("[cat] out.txt", out, in, in2).run(progress, diagnostics));
        assertTrue(concat("[cat] out.txt", out, in).run(progress, diagnostics));
        assertEquals(4, runs());

        // The label is not part of the key.
        assertFalse(concat("[other label] out.txt", out, in).run(progress, diagnostics));

        // A missing output is rebuilt.
        Files.delete(out);
        assertTrue(concat("[cat] out.txt", out, in).run(progress, diagnostics));
        assertEquals(5, runs());

        // A deleted input is a change (and then the command fails: cat exits 1).
        Files.delete(in2);
        try {
            concat("[cat] out.txt", out, in, in2).run(progress, diagnostics);
            fail();
        } catch (BuildException e) {
            assertEquals("out.txt failed (sh exited with 1)", e.getMessage());
        }
    }

    @Test
    public void outputsWithTheSameNameInDifferentDirectoriesHaveTheirOwnStamps() throws Exception {
        Path in = Files.writeString(dir.resolve("in.txt"), "x\n");
        Path a = Files.createDirectories(dir.resolve("x86_64")).resolve("glue.c.o");
        Path b = Files.createDirectories(dir.resolve("aarch64")).resolve("glue.c.o");
        assertTrue(concat("a", a, in).run(progress, diagnostics));
        assertTrue(concat("b", b, in).run(progress, diagnostics));
        assertFalse(concat("a", a, in).run(progress, diagnostics));
        assertFalse(concat("b", b, in).run(progress, diagnostics));
        assertEquals(2, runs());
    }

    @Test
    public void aFailingCommandIsOneSentenceWithItsOutputShownAndIsRetried() throws Exception {
        Path out = dir.resolve("prog.o");
        Step s = new Step("[wasm32-cc] prog.c", List.of("/bin/sh", "-c",
                "echo 'prog.c:3:1: error: expected ;' && echo ran >> '" + log + "' && : > '" + out + "' && exit 3"),
                List.of(), out, null, stamps);
        try {
            s.run(progress, diagnostics);
            fail();
        } catch (BuildException e) {
            assertEquals("prog.c failed (sh exited with 3)", e.getMessage());
        }
        assertEquals("prog.c:3:1: error: expected ;\n", diagBytes.toString(StandardCharsets.UTF_8));
        assertTrue("the command left an output behind", Files.exists(out));
        // It is not stamped: the next build tries again rather than trusting that output.
        try {
            s.run(progress, diagnostics);
            fail();
        } catch (BuildException expected) {
            assertEquals(2, runs());
        }
    }

    @Test
    public void aMissingToolIsABuildFailureNotACrash() throws Exception {
        Step s = new Step("[x] y", List.of(dir.resolve("no-such-tool").toString()), List.of(), dir.resolve("y"), null, stamps);
        try {
            s.run(progress, diagnostics);
            fail();
        } catch (java.io.IOException | BuildException expected) {
            // ProcessBuilder reports it; DualIsaBuild has checked the toolchain before any step
        }
    }

    @Test
    public void dependenciesParsesClangDepFiles() throws Exception {
        Path d = Files.writeString(dir.resolve("a.d"), "/o/a.o: /s/a.c /s/a.h \\\n  /usr/include/stdio.h \\\n  /s/b.h\n");
        assertEquals(List.of(Path.of("/s/a.c"), Path.of("/s/a.h"), Path.of("/usr/include/stdio.h"), Path.of("/s/b.h")), Step.dependencies(d));
        assertEquals(List.of(), Step.dependencies(Files.writeString(dir.resolve("empty.d"), "")));
        assertEquals(List.of(), Step.dependencies(Files.writeString(dir.resolve("nodeps.d"), "a.o:\n")));
        // clang writes a space inside a path as "\ ".
        Path spaced = Files.writeString(dir.resolve("spaced.d"), "a.o: a.c my\\ dir/h.h \\\n other.h\n");
        assertEquals(List.of(Path.of("a.c"), Path.of("my dir/h.h"), Path.of("other.h")), Step.dependencies(spaced));
        // ... "$" as "$$" and "#" as "\\#".
        Path odd = Files.writeString(dir.resolve("odd.d"), "a.o: cost$$.h \\#1.h\n");
        assertEquals(List.of(Path.of("cost$.h"), Path.of("#1.h")), Step.dependencies(odd));
    }

    /** clang -MD writes the .d file; a header it lists triggers a rebuild, also one in a directory with a space. */
    @Test
    public void aHeaderListedInTheDepFileTriggersARerun() throws Exception {
        Toolchain tools = Toolchain.locate();
        Path headers = Files.createDirectories(dir.resolve("my headers"));
        Path h = Files.writeString(headers.resolve("config.h"), "#define VALUE 1\n");
        Path h2 = Files.writeString(dir.resolve("plain.h"), "#define OTHER 2\n");
        Path src = Files.writeString(dir.resolve("prog.c"), "#include \"config.h\"\n#include \"plain.h\"\nint value = VALUE + OTHER;\n");
        Path obj = dir.resolve("prog.o"), dep = dir.resolve("prog.d");
        List<String> cmd = List.of(tools.path("clang-16"), "--target=wasm32-wasi", "-O2", "-I", headers.toString(), "-I", dir.toString(),
                "-MD", "-MF", dep.toString(), "-c", src.toString(), "-o", obj.toString());
        assertTrue(new Step("[cc] prog.c", cmd, List.of(src), obj, dep, stamps).run(progress, diagnostics));
        assertTrue(Files.readString(dep), Files.readString(dep).contains("config.h") && Files.readString(dep).contains("plain.h"));
        assertTrue(Step.dependencies(dep).contains(h));
        assertFalse(new Step("[cc] prog.c", cmd, List.of(src), obj, dep, stamps).run(progress, diagnostics));

        byte[] before = Files.readAllBytes(obj);
        Files.writeString(h2, "#define OTHER 3\n");
        assertTrue("plain.h changed", new Step("[cc] prog.c", cmd, List.of(src), obj, dep, stamps).run(progress, diagnostics));
        assertFalse(new Step("[cc] prog.c", cmd, List.of(src), obj, dep, stamps).run(progress, diagnostics));

        Files.writeString(h, "#define VALUE 41\n");
        assertTrue("config.h (in \"my headers\") changed", new Step("[cc] prog.c", cmd, List.of(src), obj, dep, stamps).run(progress, diagnostics));
        assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(obj)));
        assertFalse(new Step("[cc] prog.c", cmd, List.of(src), obj, dep, stamps).run(progress, diagnostics));
    }
}
