package io.hexo.e2e;

import io.hexo.build.BuildException;
import io.hexo.build.DualIsaBuild;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.run.Outcome;
import org.junit.BeforeClass;
import org.junit.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * Programs written the way the original HEXO's users wrote theirs (resources/samples/oldc-kr, hermit-api,
 * lp64-times, abs-path): each prints what a native LP64 Linux build of the same files prints (clang-16 -O2,
 * hexo's calls as no-ops), on x86-64, on ARM64, and migrated either way. Lines starting with "timing:" hold
 * measured values and are left out of the comparison.
 */
public class OriginalProgramsStyleTest {
    /** hexo's calls for the native build: a native program has nowhere to migrate to. */
    private static final String NATIVE_HEXO = String.join("\n",
            "#include <stdarg.h>",
            "#include <stdio.h>",
            "#include <time.h>",
            "void popcorn_check_migrate(void) {}",
            "void force_migration_flag(int flag) { (void)flag; }",
            "int migrate_if_needed(void *regset) { (void)regset; return 0; }",
            "int hexo_current_isa(void) { return 1; }",
            "unsigned long long hexo_migration_points(void) { return 0; }",
            "int current_nid(void) { return 0; }",
            "void check_migrate(void (*cb)(void *), void *data) { (void)cb; (void)data; }",
            "void migrate(int nid, void (*cb)(void *), void *data) { (void)nid; (void)cb; (void)data; }",
            "int sys_msleep(unsigned int ms) { struct timespec t = { ms / 1000, (ms % 1000) * 1000000L }; nanosleep(&t, 0); return 0; }",
            "int kprintf(const char *fmt, ...) { va_list ap; va_start(ap, fmt); int n = vprintf(fmt, ap); va_end(ap); return n; }", "");

    private static Path hostDir;

    @BeforeClass
    public static void mountedDirectory() {
        hostDir = Hexo.tempDir("host-dir");
    }

    @Test
    public void oldCBuildsWithWarningsWhereTheAuthorsGotThem() throws Exception {
        String log = buildLog(Hexo.HOME.resolve("resources/samples/oldc-kr"), Hexo.tempDir("oldc-build"));
        assertTrue(log, log.contains("oldc-kr/main.c:12:8: warning: type specifier missing, defaults to 'int'"));
        assertTrue(log, log.contains("oldc-kr/main.c:38:58: warning: call to undeclared function 'checksum'"));
        assertTrue(log, log.contains("oldc-kr/main.c:39:9: warning: call to undeclared function 'sys_msleep'"));
        assertFalse("hexo's own names stay inside hexo:\n" + log, log.contains("__hexo"));
        assertTrue(log, log.contains("hexo: built prog_x86-64 and prog_aarch64 with 11 warnings\n"));
        assertFalse(log, log.contains("error"));
    }

    @Test
    public void oldCRunsLikeNative() {
        everyWayLikeNative("oldc-kr", Hexo.options(), 3);
    }

    @Test
    public void hermitApiFormsRunLikeNative() {
        everyWayLikeNative("hermit-api", Hexo.options(), 2);
    }

    @Test
    public void forceMigrationIsItselfTheMigrationPoint() {
        Path wd = Hexo.tempDir("force");
        Hexo.Run r = Hexo.run(Hexo.sample("hermit-api"), Isa.X86_64, Hexo.options().workdir(wd));
        assertTrue(r.outcome().toString(), r.outcome() instanceof Outcome.Checkpointed);
        // Three HERMIT_MIGPOINTs, then the first FORCE moves right there: round 2 is not printed yet.
        assertEquals(4, r.pointsReached());
        assertTrue(r.stdout(), r.stdout().endsWith("round 1 acc 781287 ret 0\n"));
    }

    @Test
    public void lp64TimesPrintLikeNative() {
        everyWayLikeNative("lp64-times", Hexo.options(), 1);
    }

    @Test
    public void lp64TimesBuildSaysWhereItWidenedAConversion() throws Exception {
        String log = buildLog(Hexo.HOME.resolve("resources/samples/lp64-times"), Hexo.tempDir("lp64-build"));
        assertTrue(log, log.contains("lp64-times/prog.c:42:59: warning: format specifies type 'long' but the argument has type "
                + "'suseconds_t' (aka 'long long'): printed as a native LP64 build prints it"));
    }

    @Test
    public void anAbsolutePathRunsLikeNativeWithAMount() {
        Path file = hostDir.resolve("data.txt");
        everyWayLikeNative("abs-path", Hexo.options().args(file.toString()).mount(hostDir, hostDir.toString()), 1);
    }

    @Test
    public void anAbsolutePathWithoutAMountIsRefusedNotRedirected() throws IOException {
        Path wd = Hexo.tempDir("abs-refused");
        Path file = hostDir.resolve("refused.txt");
        Hexo.Run r = Hexo.run(Hexo.sample("abs-path"), Isa.X86_64, Hexo.options().workdir(wd).args(file.toString()));
        assertEquals(r.stdout() + r.notices(), 1, r.status());
        assertTrue(r.stdout(), r.stdout().startsWith("cannot open the file: "));
        assertTrue(r.notices().toString(), r.notices().stream().anyMatch(n -> n.contains(file.toString()) && n.contains("--mount HOST_DIR:" + hostDir)));
        assertFalse("nothing written on the host", Files.exists(file));
        try (Stream<Path> s = Files.walk(wd)) {
            // (the lock is hexo's own: the working directory is also where checkpoints would go)
            assertEquals("nothing written in the working directory either", List.of(wd), s.filter(p -> !p.endsWith(".hexo.lock")).toList());
        }
    }

    @Test
    public void aMountedFileOpenAtTheMigrationPointNeedsItsMountToResume() {
        Path wd = Hexo.tempDir("abs-resume");
        Path file = hostDir.resolve("resume.txt");
        Hexo.Options o = Hexo.options().workdir(wd).args(file.toString()).mount(hostDir, "/data");
        Hexo.Run first = Hexo.run(Hexo.sample("abs-path"), Isa.X86_64, Hexo.options().workdir(wd).args("/data/resume.txt").mount(hostDir, "/data").migrateAt(1));
        assertTrue(first.outcome().toString(), first.outcome() instanceof Outcome.Checkpointed);
        Hexo.Run without = Hexo.run(Hexo.sample("abs-path"), Isa.AARCH64, Hexo.options().workdir(wd).resume());
        assertEquals(2, without.status());
        assertTrue(without.outcome().toString(), without.outcome().toString().contains("/data/resume.txt") && without.outcome().toString().contains("--mount HOST_DIR:/data"));
        Hexo.Run with = Hexo.run(Hexo.sample("abs-path"), Isa.AARCH64, o.resume());
        assertEquals(with.notices().toString(), 0, with.status());
        assertEquals("read: written before the migration point\nread: written after it\ndone\n", with.stdout());
        assertTrue(Files.exists(file));
    }

    @Test
    public void theTemplateMakefilePassesMount() throws Exception {
        Path dir = Hexo.tempDir("make-mount");
        Files.copy(Hexo.HOME.resolve("resources/samples/abs-path/prog.c"), dir.resolve("prog.c"));
        Files.createSymbolicLink(dir.resolve("Makefile"), Hexo.HOME.resolve("resources/Makefile.template"));
        Path file = hostDir.resolve("make.txt");
        assertEquals(0, make(dir, List.of(), "all").status());
        Hexo.Cli refused = make(dir, List.of("ARGS=" + file), "test-x86");
        assertTrue(refused.stdout(), refused.status() != 0 && refused.stdout().contains("--mount HOST_DIR:" + hostDir));
        Hexo.Cli mounted = make(dir, List.of("ARGS=" + file, "MOUNT=" + hostDir), "test-x86");
        assertEquals(mounted.stdout(), 0, mounted.status());
        assertTrue(mounted.stdout(), mounted.stdout().contains("read: written after it\ndone\n"));
    }

    @Test
    public void aCallWithoutADeclarationReachesAVoidOrDoubleFunction() throws Exception {
        Path dir = Hexo.tempDir("implicit");
        Files.writeString(dir.resolve("main.c"), String.join("\n",
                "#include <stdio.h>",
                "int main(void) {",
                "    printf(\"%d\\n\", (int)(half(3) * 10));",
                "    note(7);",
                "    return 0;",
                "}", ""));
        Files.writeString(dir.resolve("half.c"), "double half(int x) { return x / 2.0; }\n");
        Files.writeString(dir.resolve("note.c"), "#include <stdio.h>\nvoid note(int n) { printf(\"note %d\\n\", n); }\n");
        String log = buildLog(dir, dir);
        assertTrue(log, log.contains("main.c:3:26: warning: half is called without a declaration, as int half(), but half.c defines it otherwise: "
                + "hexo declared it `double half();` for this file"));
        assertTrue(log, log.contains("main.c:4:5: warning: note is called without a declaration, as int note(), but note.c defines it otherwise: "
                + "hexo declared it `void note();`"));
        for (Isa isa : Isa.values()) {
            Hexo.Run r = Hexo.run(dir, isa, Hexo.options());
            assertEquals(r.outcome() + " " + r.notices(), "15\nnote 7\n", r.stdout());
        }
        assertTrue("nothing is built twice", buildLog(dir, dir).contains("are up to date"));
    }

    @Test
    public void aCallThatNoDeclarationCanMendIsAWarningAtTheCall() throws Exception {
        Path dir = Hexo.tempDir("mismatch");
        Files.writeString(dir.resolve("main.c"), String.join("\n",
                "#include <stdio.h>",
                "int main(void) {",
                "    float x = 1.5f;",
                "    printf(\"%d\\n\", (int)twice(x));",
                "    return 0;",
                "}", ""));
        Files.writeString(dir.resolve("twice.c"), "float twice(float x) { return 2 * x; }\n");
        String log = buildLog(dir, dir);
        assertTrue(log, log.contains("main.c:4:25: warning: twice is called without a declaration; twice is (f64) -> i32 in main.c but (f32) -> f32 in twice.c"));
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * The sample's output, native against hexo: on x86-64 alone, on ARM64 alone (resuming on the same ISA
     * whenever the program forces a move), and migrated at migration point `point` from each ISA to the other.
     */
    private static void everyWayLikeNative(String sample, Hexo.Options base, long point) {
        Path images = Hexo.sample(sample);
        String expected = comparable(nativeRun(Hexo.HOME.resolve("resources/samples").resolve(sample), base.args));
        List<String> failures = new ArrayList<>();
        for (List<Isa> way : List.of(List.of(Isa.X86_64), List.of(Isa.AARCH64), List.of(Isa.X86_64, Isa.AARCH64), List.of(Isa.AARCH64, Isa.X86_64))) {
            String got = comparable(runToEnd(images, way, way.size() > 1 ? point : 0, base, r -> { }));
            if (!got.equals(expected)) failures.add(way + ":\n" + got);
        }
        assertTrue(sample + ": native output\n" + expected + "\ndiffers from hexo's on " + failures, failures.isEmpty());
    }

    /** Runs on the ISAs of `way` in turn, resuming after each checkpoint, until the program exits. */
    private static String runToEnd(Path images, List<Isa> way, long migrateAt, Hexo.Options base, Consumer<Hexo.Run> each) {
        Path wd = Hexo.tempDir("wd");
        StringBuilder out = new StringBuilder();
        for (int hop = 0; hop < 10; hop++) {
            Hexo.Options o = copy(base).workdir(wd);
            if (hop == 0 && migrateAt > 0) o.migrateAt(migrateAt);
            if (hop > 0) o.resume();
            Hexo.Run r = Hexo.run(images, way.get(hop % way.size()), o);
            each.accept(r);
            out.append(r.stdout());
            if (r.outcome() instanceof Outcome.Exited e) {
                assertEquals(out + "\n" + r.notices(), 0, e.code());
                return out.toString();
            }
            assertTrue(way + " hop " + hop + " on " + r.engine() + ": " + r.outcome() + " " + r.notices() + "\n" + out,
                    r.outcome() instanceof Outcome.Checkpointed);
        }
        throw new AssertionError("still migrating after 10 hops: " + out);
    }

    private static Hexo.Options copy(Hexo.Options base) {
        Hexo.Options o = Hexo.options();
        o.args = base.args;
        o.env = base.env;
        o.mounts = base.mounts;
        o.mem = base.mem;
        return o;
    }

    private static String comparable(String output) {
        return output.lines().filter(l -> !l.startsWith("timing:")).map(l -> l + "\n").collect(Collectors.joining());
    }

    /** The sample built natively for the host with clang-16 -O2 and run as `prog`, as hexo names it. */
    private static String nativeRun(Path sourceDir, List<String> args) {
        try {
            Path dir = Hexo.tempDir("native");
            Path stub = Files.writeString(dir.resolve("native_hexo.c"), NATIVE_HEXO);
            List<String> cc = new ArrayList<>(List.of("clang-16", "-O2", "-w", "-Wno-error=implicit-function-declaration",
                    "-Wno-error=implicit-int", "-I", Hexo.HOME.resolve("resources/include").toString(), "-o", dir.resolve("native").toString()));
            try (Stream<Path> s = Files.list(sourceDir)) {
                s.filter(p -> p.toString().endsWith(".c")).sorted().forEach(p -> cc.add(p.toString()));
            }
            cc.add(stub.toString());
            cc.add("-lm");
            run(cc, dir);
            List<String> cmd = new ArrayList<>(List.of("bash", "-c", "exec -a prog \"$0\" \"$@\"", dir.resolve("native").toString()));
            cmd.addAll(args);
            return run(cmd, dir);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static String run(List<String> cmd, Path cwd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(String.join(" ", cmd) + " did not finish", p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(String.join(" ", cmd) + "\n" + out, 0, p.exitValue());
        return out;
    }

    /** `VAR=value make TARGET` in dir (stdout and stderr together). */
    private static Hexo.Cli make(Path dir, List<String> vars, String target) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("make", "--no-print-directory", target).directory(dir.toFile()).redirectErrorStream(true);
        for (String v : vars) pb.environment().put(v.substring(0, v.indexOf('=')), v.substring(v.indexOf('=') + 1));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("make " + target + " timed out", p.waitFor(5, TimeUnit.MINUTES));
        return new Hexo.Cli(p.exitValue(), out, "");
    }

    /** Everything `hexo build` printed (progress and diagnostics, in order). */
    private static String buildLog(Path src, Path out) throws IOException, InterruptedException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8);
        try {
            new DualIsaBuild(new DualIsaBuild.Options(src, out, false, List.of()), ps, ps).run();
        } catch (BuildException e) {
            throw new AssertionError(e.getMessage() + "\n" + log.toString(StandardCharsets.UTF_8));
        }
        return log.toString(StandardCharsets.UTF_8);
    }
}
