package io.hexo.e2e;

import io.hexo.build.BuildException;
import io.hexo.build.DualIsaBuild;
import io.hexo.build.HexoHome;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.EngineChoice;
import io.hexo.vmm.guest.GuestConsole;
import io.hexo.vmm.guest.GuestFiles;
import io.hexo.vmm.run.Outcome;
import io.hexo.vmm.vm.Vm;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the end-to-end tests do with hexo: build real C with the real toolchain and run it on the real
 * engines, in-process (the same Vm the CLI uses) or through the `hexo` launcher when the CLI itself
 * is under test.
 */
final class Hexo {
    static final Path HOME = HexoHome.get();
    static final Path WORK = Path.of("target", "e2e").toAbsolutePath();
    private static final Map<String, Path> BUILT = Collections.synchronizedMap(new HashMap<>());

    private Hexo() {}

    /** A sample from resources/samples, built once per test run (and incrementally across runs). */
    static Path sample(String name, String... cflags) {
        String key = name + (cflags.length == 0 ? "" : "-" + String.join("_", cflags).replaceAll("[^A-Za-z0-9_]", ""));
        return BUILT.computeIfAbsent(key, k -> build(HOME.resolve("resources/samples").resolve(name), WORK.resolve("build").resolve(k), false, cflags));
    }

    /** A program written by a test: files name -> source. */
    static Path program(String name, Map<String, String> files, boolean instrumentFunctions) {
        Path src = WORK.resolve("programs").resolve(name);
        try {
            Files.createDirectories(src);
            for (var e : files.entrySet()) Files.writeString(src.resolve(e.getKey()), e.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return build(src, src, instrumentFunctions);
    }

    static Path build(Path src, Path out, boolean instrumentFunctions, String... cflags) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8);
        try {
            new DualIsaBuild(new DualIsaBuild.Options(src, out, instrumentFunctions, List.of(cflags)), ps, ps).run();
            return out;
        } catch (BuildException e) {
            throw new AssertionError("build of " + src + " failed: " + e.getMessage() + "\n" + log.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** A run's outcome and everything it printed. */
    record Run(Outcome outcome, String stdout, String stderr, List<String> notices, long pointsReached, String engine) {
        int status() { return outcome.status(); }
    }

    /** Options of one run, the CLI's defaults unless changed. */
    static final class Options {
        long mem = 1L << 30;
        List<String> args = List.of();
        List<String> env = List.of();
        Path workdir;
        Path checkpointDir;
        long migrateAtPoint;
        boolean resume;
        boolean verbose;
        /** The engine of in-process runs: auto unless -Dhexo.e2e.engine=kvm|process runs the whole suite on one. */
        EngineChoice engine = EngineChoice.parse(System.getProperty("hexo.e2e.engine", "auto"));
        List<GuestFiles.Mount> mounts = List.of();

        Options workdir(Path p) { workdir = p; return this; }
        Options mount(Path host, String guest) { mounts = new ArrayList<>(mounts); mounts.add(new GuestFiles.Mount(host, guest)); return this; }
        Options checkpointDir(Path p) { checkpointDir = p; return this; }
        Options migrateAt(long n) { migrateAtPoint = n; return this; }
        Options resume() { resume = true; return this; }
        Options args(String... a) { args = List.of(a); return this; }
        Options env(String... e) { env = List.of(e); return this; }
        Options mem(long m) { mem = m; return this; }
        Options engine(EngineChoice e) { engine = e; return this; }
    }

    static Options options() { return new Options(); }

    static Run run(Path images, Isa isa, Options o) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        List<String> notices = Collections.synchronizedList(new ArrayList<>());
        Path workdir = o.workdir != null ? o.workdir : tempDir("wd");
        Path ckpt = o.checkpointDir != null ? o.checkpointDir : workdir;
        GuestConsole console = new GuestConsole(new ByteArrayInputStream(new byte[0]), out, err, notices::add, o.verbose ? notices::add : null);
        Vm vm = new Vm(new Vm.Config(images, isa, o.mem, o.args, o.env, workdir, o.verbose, o.engine, ckpt,
                o.migrateAtPoint, o.resume, console, o.mounts));
        Outcome outcome = vm.run();
        return new Run(outcome, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), notices, vm.pointsReached(),
                vm.engineDescription());
    }

    /** expected.txt of a sample, without its '#' note lines. */
    static String expected(String sample) {
        try (Stream<String> lines = Files.lines(HOME.resolve("resources/samples").resolve(sample).resolve("expected.txt"))) {
            return lines.filter(l -> !l.startsWith("#")).map(l -> l + "\n").collect(Collectors.joining());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh copy of a checkpoint directory's files, to damage or resume without touching the original. */
    static Path copyOfDir(Path dir, String prefix) {
        Path c = tempDir(prefix);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) Files.copy(p, c.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return c;
    }

    static Path tempDir(String prefix) {
        try {
            Files.createDirectories(WORK.resolve("tmp"));
            return Files.createTempDirectory(WORK.resolve("tmp"), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The `hexo` launcher as a user runs it. */
    record Cli(int status, String stdout, String stderr) {}

    static Cli cli(Path cwd, String... args) {
        return cli(Map.of(), cwd, args);
    }

    /** The launcher with extra environment variables (e.g. where its configuration lives). */
    static Cli cli(Map<String, String> env, Path cwd, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(HOME.resolve("hexo").toString());
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(WORK, "cli", ".out"), err = Files.createTempFile(WORK, "cli", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("hexo " + String.join(" ", args) + " did not finish in 10 minutes");
            }
            return new Cli(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
