package io.hexo.build;

import io.hexo.vmm.abi.Isa;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * `hexo build`: every .c file of a directory to prog_x86-64 and prog_aarch64.
 *
 * <pre>
 *  *.c --clang-16 wasm32-wasi--> *.o --wasm-ld--> prog.wasm --wasm-opt --asyncify--> app.wasm
 *      --wasm2c--> app.c + app.h (+ generated glue.c; app_native.c = app.c with FixedLinearMemory)
 *      --clang-16 per ISA: app_native.c --IR, opt-16, AddressArithmetic--> clang -O2; with the guest kernel--> ld.lld-16
 *      --> prog_x86-64, prog_aarch64
 * </pre>
 *
 * Intermediate files live in OUT/.hexo/; each step is skipped when its inputs did not change.
 */
public final class DualIsaBuild {
    /** The wasm shadow stack (C locals, deep recursion). */
    static final long WASM_STACK_SIZE = 8L << 20;
    /**
     * C's float-to-int conversions as wasm's saturating ones. Without it clang guards each conversion with a
     * range test of its own before the trapping instruction, whose trap checks wasm2c then adds again: EP's
     * random-number generator does four conversions per number. Results differ only where C leaves them
     * undefined (a value out of the integer's range), and the same way on both ISAs.
     */
    static final String WASM_FLOAT_TO_INT = "-mnontrapping-fptoint";
    /**
     * memcpy, memmove and memset the compiler sees (calls, struct copies, loops it recognises as a copy) as wasm's
     * memory.copy and memory.fill, which wasm2c turns into one bounds check and the guest kernel's native
     * memmove/memset, instead of calls to wasi-libc's byte and word loops run as translated wasm.
     */
    static final String WASM_BULK_MEMORY = "-mbulk-memory";
    /**
     * Loops stay rolled in the wasm: the native compiler unrolls and vectorises the translated loops for each ISA
     * itself, and a loop unrolled in 32-bit wasm arithmetic is one it cannot vectorise (an interleaved pair of
     * accesses per iteration). Measured with callgrind, class S: matmul 136 -> 66 M instructions (native 57 M),
     * stream 301 -> 169 M (native 107 M).
     */
    static final String WASM_NO_UNROLL = "-fno-unroll-loops";
    /** At most 2 GiB of linear memory: what makes AddressArithmetic's rewrite sound (a valid pointer is below 2^31). */
    static final String WASM_MAX_MEMORY = "-Wl,--max-memory=" + AddressArithmetic.MAX_MEMORY;
    /**
     * The IR passes before AddressArithmetic: the load/store helpers inlined (FixedLinearMemory marks them
     * always_inline), locals in SSA form, constants folded; nothing else, so that clang -O2 afterwards makes the
     * decisions it would make for the C file. (With opt's simplifycfg here as well, EP ran 25 % more instructions.)
     */
    static final String PRE_REWRITE_PASSES = "always-inline,function(sroa,early-cse,instcombine)";

    public record Options(Path sourceDir, Path outDir, boolean instrumentFunctions, List<String> cflags) {}

    /** What a build produced. */
    public record Result(Path x86Image, Path armImage, boolean upToDate) {}

    private final Options options;
    private final PrintStream progress;
    private final BuildDiagnostics diagnosticsSink;
    private final PrintStream diagnostics;
    private final Path resources = HexoHome.resources();
    private final Path work;
    private final Path stamps;
    private Toolchain tools;
    private boolean ranAnything;

    public DualIsaBuild(Options options, PrintStream progress, PrintStream diagnostics) {
        this.options = options;
        this.progress = progress;
        this.diagnosticsSink = new BuildDiagnostics(diagnostics);
        this.diagnostics = new PrintStream(diagnosticsSink, true, StandardCharsets.UTF_8);
        this.work = options.outDir().resolve(".hexo");
        this.stamps = work.resolve("stamps");
    }

    public Result run() throws BuildException, IOException, InterruptedException {
        List<Path> sources = sources(); // first: a missing source directory is refused before anything is created
        Files.createDirectories(work);
        // Two builds into one OUT (the IDE's builder and a launch, two shells) would overwrite each other's
        // intermediate files half-way (wasm2c then fails on a half-written input): the second one waits.
        try (io.hexo.vmm.os.FileLock lock = io.hexo.vmm.os.FileLock.file(work.resolve("build.lock"))) {
            return runLocked(sources);
        }
    }

    private Result runLocked(List<Path> sources) throws BuildException, IOException, InterruptedException {
        tools = Toolchain.locate();
        Files.createDirectories(work.resolve("wasm"));

        List<Compiled> compiles = new ArrayList<>();
        for (Path src : sources) {
            String name = src.getFileName().toString();
            compiles.add(compile(prepare(src, name), name, false));
        }
        Path runtime = compileToWasm(new ProgramSource(resources.resolve("runtime/hexo_runtime.c"), List.of(), List.of()), "hexo_runtime.c", false).object();
        Path linked = linkWasm(compiles, runtime);

        Path app = work.resolve("app.wasm");
        List<String> asyncify = new ArrayList<>(List.of(tools.path("wasm-opt"), "-g", "-O2", "--asyncify", "--pass-arg=asyncify-imports@hexo.migrate"));
        if (!IndirectCalls.mayReachMigration(wasmObjdump(linked, "-x"), wasmObjdump(linked, "-d"))) asyncify.add("--pass-arg=asyncify-ignore-indirect");
        asyncify.addAll(List.of(linked.toString(), "-o", app.toString()));
        step(new Step("[asyncify] app.wasm", asyncify, List.of(linked), app, null, stamps));

        Path appC = work.resolve("app.c");
        step(new Step("[wasm2c] app.c", List.of(tools.path("wasm2c"), app.toString(), "-o", appC.toString()), List.of(app), appC, null, stamps));

        Path glue = work.resolve("glue.c");
        writeIfChanged(glue, GlueGenerator.generate(work.resolve("app.h"), appC, resources.resolve("guest/common/imports.h"), facts(linked, app)));
        Path appNative = work.resolve("app_native.c");
        writeIfChanged(appNative, LibraryInlining.rewrite(
                SaturatingConversions.rewrite(InlineHelpers.rewrite(FixedLinearMemory.rewrite(Files.readString(appC)))), programFunctions(compiles)));

        Result r = nativeImages(appNative, glue, maxMemory(app) <= AddressArithmetic.MAX_MEMORY);
        diagnostics.flush();
        if (!ranAnything) {
            progress.println("hexo: " + Isa.X86_64.imageName() + " and " + Isa.AARCH64.imageName() + " are up to date");
        } else {
            int w = diagnosticsSink.warnings();
            progress.println("hexo: built " + Isa.X86_64.imageName() + " and " + Isa.AARCH64.imageName() + " with "
                    + (w == 0 ? "no warnings" : w == 1 ? "1 warning" : w + " warnings"));
        }
        return new Result(r.x86Image(), r.armImage(), !ranAnything);
    }

    private List<Path> sources() throws IOException, BuildException {
        if (!Files.isDirectory(options.sourceDir())) throw new BuildException(options.sourceDir() + " is not a directory: give the directory that holds the program's .c files");
        List<Path> sources;
        try (Stream<Path> s = Files.list(options.sourceDir())) {
            sources = s.filter(p -> p.getFileName().toString().endsWith(".c") && Files.isRegularFile(p)).sorted().toList();
        }
        if (sources.isEmpty()) throw new BuildException(options.sourceDir() + " contains no .c file: nothing to build");
        return sources;
    }

    /**
     * A program file as the wasm compiler gets it: the file itself, or a copy in OUT/.hexo/src with its LP64
     * format conversions widened (FormatFixes); the flags that go with it; the warnings hexo adds when it is
     * compiled.
     */
    private record ProgramSource(Path file, List<String> flags, List<String> warnings) {}

    private ProgramSource prepare(Path src, String name) throws BuildException, IOException, InterruptedException {
        String text = Files.readString(src, StandardCharsets.ISO_8859_1);
        List<String> flags = new ArrayList<>(ProgramFlags.forProgram(resources));
        flags.addAll(HermitDeclarations.defineFor(src));
        flags.addAll(options.cflags());
        List<String> warnings = new ArrayList<>(SizeofLong.warnings(text, src.toString()));
        warnings.addAll(IsaMacros.warnings(text, src.toString()));

        // What clang says about the file's LP64 assumptions: format conversions (with fix-its) and 64-bit
        // values stored in a long.
        Path probeOut = work.resolve("wasm").resolve(name + ".lp64");
        List<String> probe = new ArrayList<>(List.of(tools.path("clang-16"), "--target=wasm32-wasi", "-fsyntax-only",
                "-fdiagnostics-parseable-fixits", "-Wformat", "-Wshorten-64-to-32", "-I", resources.resolve("include").toString(), "-D__hexo__=1"));
        probe.addAll(flags);
        probe.addAll(List.of("-MD", "-MF", work.resolve("wasm").resolve(name + ".lp64.d").toString(), src.toString()));
        try {
            step(new Step("[lp64-check] " + name, probe, List.of(src), probeOut, work.resolve("wasm").resolve(name + ".lp64.d"), stamps).capture());
        } catch (BuildException e) {
            return new ProgramSource(src, flags, warnings); // the compile proper reports the file's errors
        }
        String said = Files.readString(probeOut, StandardCharsets.ISO_8859_1);
        warnings.addAll(LongTruncations.warnings(said, src.toString()));
        FormatFixes.Result fixed = FormatFixes.apply(text, FormatFixes.parse(said, src.toString()));
        if (fixed.fixes().isEmpty()) return new ProgramSource(src, flags, warnings);
        Path copy = work.resolve("src").resolve(name);
        Files.createDirectories(copy.getParent());
        // #line keeps the user's file name and line numbers in every message and in __FILE__; -iquote finds the
        // headers beside the original.
        writeIfChanged(copy, "#line 1 \"" + src.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n" + fixed.text(),
                StandardCharsets.ISO_8859_1);
        flags.addAll(0, List.of("-iquote", src.toAbsolutePath().getParent().toString()));
        for (FormatFixes.Fix f : fixed.fixes()) warnings.add(FormatFixes.message(src.toString(), f));
        return new ProgramSource(copy, flags, warnings);
    }

    /**
     * wasm-ld, then — when a call without a declaration does not match its function's wasm signature — the
     * calling files again with the right declarations (ImplicitDeclarations) and a second link. Both objects
     * and both links are cached steps of their own, so an unchanged rebuild does neither again.
     */
    private Path linkWasm(List<Compiled> compiles, Path runtime) throws BuildException, IOException, InterruptedException {
        List<Path> objects = new ArrayList<>();
        compiles.forEach(c -> objects.add(c.object()));
        objects.add(runtime);
        Step first = linkStep(objects, work.resolve("prog.wasm"));
        boolean ran = step(first);

        Map<String, Set<String>> undeclared = new LinkedHashMap<>();
        StringBuilder compilerOutput = new StringBuilder();
        for (Compiled c : compiles) {
            String said = Files.exists(c.log()) ? Files.readString(c.log(), StandardCharsets.ISO_8859_1) : "";
            compilerOutput.append(said);
            undeclared.put(c.object().toString(), SignatureMismatches.undeclaredCalls(said).keySet());
        }
        List<ImplicitDeclarations.Declaration> declarations = ImplicitDeclarations.plan(SignatureMismatches.parseLinker(log(first)), undeclared);
        Step last = first;
        if (!declarations.isEmpty()) {
            List<Path> declared = new ArrayList<>();
            for (Compiled c : compiles) {
                List<ImplicitDeclarations.Declaration> mine = declarations.stream().filter(d -> d.callerObject().equals(c.object().toString())).toList();
                if (mine.isEmpty()) {
                    declared.add(c.object());
                    continue;
                }
                Path header = work.resolve("src").resolve(c.name() + ".declarations.h");
                Files.createDirectories(header.getParent());
                writeIfChanged(header, ImplicitDeclarations.header(mine));
                List<String> flags = new ArrayList<>(c.source().flags());
                flags.addAll(List.of("-include", header.toString()));
                declared.add(compile(new ProgramSource(c.source().file(), flags, List.of()), c.name() + ".declared", true).object());
            }
            declared.add(runtime);
            last = linkStep(declared, work.resolve("prog.declared.wasm"));
            ran |= step(last);
        }
        if (ran) reportLink(log(last), declarations, compilerOutput.toString());
        return last.output();
    }

    private Step linkStep(List<Path> objects, Path out) {
        List<String> link = new ArrayList<>(List.of(tools.path("clang-16"), "--target=wasm32-wasi", "-o", out.toString(),
                "-Wl,-z,stack-size=" + WASM_STACK_SIZE, WASM_MAX_MEMORY, "-Wl,--export=__hexo_control", "-Wl,--export=__hexo_asyncify"));
        objects.forEach(o -> link.add(o.toString()));
        return new Step("[wasm-ld] " + out.getFileName(), link, objects, out, null, stamps).quiet();
    }

    private static String log(Step s) throws IOException {
        return Files.exists(s.log()) ? Files.readString(s.log()) : "";
    }

    /** wasm-ld's messages, with each call through a wrong implicit declaration told where the program made it. */
    private void reportLink(String linkerOutput, List<ImplicitDeclarations.Declaration> declarations, String compilerOutput) {
        String rest = linkerOutput.replaceAll("(?m)^\\S*wasm-ld\\S*: warning: function signature mismatch: .*\\n(>>> .*\\n)*\\n?", "");
        if (!rest.isBlank()) diagnostics.print(rest);
        Map<String, List<String>> sites = SignatureMismatches.undeclaredCalls(compilerOutput);
        Set<String> told = new java.util.HashSet<>();
        for (ImplicitDeclarations.Declaration d : declarations) {
            if (!told.add(d.function())) continue;
            for (String site : sites.getOrDefault(d.function(), List.of())) {
                diagnosticsSink.warning(BuildDiagnostics.withUserNames(site + ": warning: " + d.function() + " is called without a declaration, as int "
                        + d.function() + "(), but " + sourceOfObject(d.definedIn()) + " defines it otherwise: hexo declared it `" + d.declaration()
                        + "` for this file (wasm checks every call's signature) [hexo-implicit]"));
            }
        }
        for (String w : SignatureMismatches.warnings(SignatureMismatches.parseLinker(linkerOutput), sites, this::sourceOfObject)) {
            diagnosticsSink.warning(w);
        }
    }

    private String sourceOfObject(String object) {
        String name = Path.of(object).getFileName().toString();
        return name.endsWith(".o") ? name.substring(0, name.length() - 2) : name;
    }

    /** A compiled file: its name, what it was compiled from, its object, and what the compiler said about it when it last ran. */
    private record Compiled(String name, ProgramSource source, Path object, Path log) {}

    /** quiet: a second compile of a file, whose messages the user has seen already. */
    private Compiled compile(ProgramSource src, String name, boolean quiet) throws BuildException, IOException, InterruptedException {
        return options.instrumentFunctions() ? compileInstrumented(src, name, quiet) : compileToWasm(src, name, quiet);
    }

    /**
     * --instrument-functions: a migration point at every function entry and exit. clang's
     * -finstrument-functions passes __builtin_return_address(0), which wasm32-wasi cannot provide, so
     * the program is compiled to LLVM IR with the instrumentation requested but not yet done, both hooks
     * are pointed at the argument-less __cyg_profile_func_enter_bare, and the IR is then compiled.
     */
    private Compiled compileInstrumented(ProgramSource src, String name, boolean quiet) throws BuildException, IOException, InterruptedException {
        Path ir = work.resolve("wasm").resolve(name + ".ll"), bare = work.resolve("wasm").resolve(name + ".bare.ll");
        Path obj = work.resolve("wasm").resolve(name + ".o"), dep = work.resolve("wasm").resolve(name + ".d");
        List<String> cmd = new ArrayList<>(List.of(tools.path("clang-16"), "--target=wasm32-wasi", "-O2", "-g0", WASM_FLOAT_TO_INT, WASM_BULK_MEMORY, WASM_NO_UNROLL,
                "-I", resources.resolve("include").toString(), "-D__hexo__=1", "-finstrument-functions", "-Xclang", "-disable-llvm-passes"));
        cmd.addAll(src.flags());
        cmd.addAll(List.of("-MD", "-MF", dep.toString(), "-S", "-emit-llvm", src.file().toString(), "-o", ir.toString()));
        Step compile = new Step("[wasm32-cc] " + name, cmd, List.of(src.file()), ir, dep, stamps);
        if (quiet) compile.quiet();
        if (step(compile)) src.warnings().forEach(diagnosticsSink::warning);
        writeIfChanged(bare, InstrumentedIr.bare(Files.readString(ir)));
        step(new Step("[instrument] " + name, List.of(tools.path("clang-16"), "--target=wasm32-wasi", "-O2", WASM_FLOAT_TO_INT, WASM_BULK_MEMORY, WASM_NO_UNROLL, "-finstrument-functions",
                "-c", bare.toString(), "-o", obj.toString()), List.of(bare), obj, null, stamps));
        return new Compiled(name, src, obj, compile.log());
    }

    private Compiled compileToWasm(ProgramSource src, String name, boolean quiet) throws BuildException, IOException, InterruptedException {
        Path obj = work.resolve("wasm").resolve(name + ".o");
        Path dep = work.resolve("wasm").resolve(name + ".d");
        List<String> cmd = new ArrayList<>(List.of(tools.path("clang-16"), "--target=wasm32-wasi", "-O2", "-g0", WASM_FLOAT_TO_INT, WASM_BULK_MEMORY, WASM_NO_UNROLL,
                "-I", resources.resolve("include").toString(), "-D__hexo__=1"));
        cmd.addAll(src.flags());
        cmd.addAll(List.of("-MD", "-MF", dep.toString(), "-c", src.file().toString(), "-o", obj.toString()));
        Step compile = new Step("[wasm32-cc] " + name, cmd, List.of(src.file()), obj, dep, stamps);
        if (quiet) compile.quiet();
        if (step(compile)) src.warnings().forEach(diagnosticsSink::warning);
        return new Compiled(name, src, obj, compile.log());
    }

    private Result nativeImages(Path appC, Path glue, boolean rewriteAddresses) throws BuildException, IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Path> x86 = pool.submit(() -> nativeImage(Isa.X86_64, appC, glue, rewriteAddresses));
            Future<Path> arm = pool.submit(() -> nativeImage(Isa.AARCH64, appC, glue, rewriteAddresses));
            return new Result(x86.get(), arm.get(), false);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof BuildException b) throw b;
            if (c instanceof IOException io) throw io;
            throw new IllegalStateException(c);
        } finally {
            pool.shutdownNow();
        }
    }

    private Path nativeImage(Isa isa, Path appC, Path glue, boolean rewriteAddresses) throws Exception {
        String arch = isa == Isa.X86_64 ? "x86_64" : "aarch64";
        Path dir = work.resolve(arch);
        Files.createDirectories(dir);
        Path guest = resources.resolve("guest");
        List<String> base = new ArrayList<>(List.of(tools.path("clang-16"),
                isa == Isa.X86_64 ? "--target=x86_64-unknown-none-elf" : "--target=aarch64-unknown-none-elf"));
        // SSE4.2 for roundsd (floor/ceil/trunc in one instruction); no popcnt, which Unicorn 2.0.1 lacks.
        if (isa == Isa.X86_64) base.addAll(List.of("-msse4.2", "-mno-popcnt"));
        List<String> cflags = new ArrayList<>(base);
        cflags.addAll(List.of("-O2", "-ffreestanding", "-nostdinc", "-fno-pic", "-fno-pie", "-fno-stack-protector",
                "-fno-asynchronous-unwind-tables", "-fno-math-errno", "-ffunction-sections", "-w",
                "-isystem", clangResourceInclude(), "-isystem", guest.resolve("include/libc").toString(),
                "-I", guest.resolve("include").toString(), "-I", resources.resolve("include").toString(),
                "-I", guest.resolve("common").toString(), "-I", work.toString(), "-idirafter", "/usr/include",
                "-DHEXO_IMAGE_ISA=" + (isa == Isa.X86_64 ? 1 : 2)));

        List<Path> objects = new ArrayList<>();
        objects.add(compileNative(base, List.of("-I", guest.resolve("include").toString()), guest.resolve(arch + "/entry.S"), dir, arch));
        List<Path> kernel = new ArrayList<>();
        try (Stream<Path> s = Files.list(guest.resolve("common"))) {
            s.filter(p -> p.toString().endsWith(".c")).sorted().forEach(kernel::add);
        }
        try (Stream<Path> s = Files.list(guest.resolve(arch))) {
            s.filter(p -> p.toString().endsWith(".c")).sorted().forEach(kernel::add);
        }
        for (Path src : kernel) {
            List<String> flags = new ArrayList<>(cflags.subList(base.size(), cflags.size()));
            // mmu.c runs before the MMU is on: no unaligned accesses, no FP registers.
            if (src.getFileName().toString().equals("mmu.c")) flags.addAll(List.of("-mstrict-align", "-mgeneral-regs-only"));
            objects.add(compileNative(base, flags, src, dir, arch));
        }
        objects.add(compileNative(base, cflags.subList(base.size(), cflags.size()), glue, dir, arch));
        // The wasm was inlined already (clang -O2, wasm-opt -O2); inlining only wasm2c's `inline` helpers
        // (InlineHelpers makes the float ones inline too) keeps one native function per wasm function, so a
        // trap names the C function it happened in.
        List<String> appFlags = new ArrayList<>(cflags.subList(base.size(), cflags.size()));
        appFlags.add("-finline-hint-functions");
        // No frame pointer in the program's functions, call frame information instead (.eh_frame, which link.ld
        // keeps): the translated program is short functions calling each other, and setting up and tearing down
        // a frame was three of every call's instructions (callgrind, dhry class S: 1.204 -> 1.088 G). gdb
        // (`hexo run --gdb`) unwinds through the program's frames with the CFI; the kernel keeps its frame pointers.
        appFlags.addAll(List.of("-fomit-frame-pointer", "-fasynchronous-unwind-tables"));
        objects.add(rewriteAddresses ? compileProgram(base, appFlags, appC, dir, arch) : compileNative(base, appFlags, appC, dir, arch));

        Path image = options.outDir().resolve(isa.imageName());
        List<String> ld = new ArrayList<>(List.of(tools.path("ld.lld-16"), "-T", guest.resolve(arch + "/link.ld").toString(),
                "-static", "-nostdlib", "--gc-sections", "-o", image.toString()));
        objects.forEach(o -> ld.add(o.toString()));
        List<Path> inputs = new ArrayList<>(objects);
        inputs.add(guest.resolve(arch + "/link.ld"));
        step(new Step("[ld] " + isa.imageName(), ld, inputs, image, null, stamps));
        return image;
    }

    /**
     * The translated program through LLVM IR: clang's IR before its optimisations, the passes that put it in
     * SSA form with the load/store helpers inlined, AddressArithmetic, then clang -O2 as for any C file.
     */
    private Path compileProgram(List<String> base, List<String> flags, Path appC, Path dir, String arch)
            throws BuildException, IOException, InterruptedException {
        Path ir = dir.resolve("app_native.ll"), ssa = dir.resolve("app_native.ssa.ll"), rewritten = dir.resolve("app_native.rw.ll");
        Path dep = dir.resolve("app_native.ll.d");
        List<String> cmd = new ArrayList<>(base);
        cmd.addAll(flags);
        cmd.addAll(List.of("-Xclang", "-disable-llvm-passes", "-S", "-emit-llvm", "-MD", "-MF", dep.toString(), appC.toString(), "-o", ir.toString()));
        step(new Step("[" + arch + "-ir] app.c (the program, from wasm2c)", cmd, List.of(appC), ir, dep, stamps));
        step(new Step("[" + arch + "-opt] app.c", List.of(tools.path("opt-16"), "-S", "-passes=" + PRE_REWRITE_PASSES, ir.toString(), "-o", ssa.toString()),
                List.of(ir), ssa, null, stamps).quiet());
        writeIfChanged(rewritten, AddressArithmetic.rewrite(Files.readString(ssa)).ir());
        Path obj = dir.resolve("app_native.c.o");
        cmd = new ArrayList<>(base);
        cmd.addAll(flags);
        cmd.addAll(List.of("-c", rewritten.toString(), "-o", obj.toString()));
        step(new Step("[" + arch + "-cc] app.c (addresses rewritten)", cmd, List.of(rewritten), obj, null, stamps));
        return obj;
    }

    private static final Pattern MEMORY = Pattern.compile("^ - memory\\[0\\] pages: initial=\\d+(?: max=(\\d+))?", Pattern.MULTILINE);

    /** The largest linear memory the module declares (4 GiB, wasm32's all, when it declares none). */
    private long maxMemory(Path wasm) throws IOException, InterruptedException, BuildException {
        Matcher m = MEMORY.matcher(wasmObjdump(wasm, "-x", "-j", "Memory"));
        if (!m.find()) throw new BuildException("wasm-objdump -x printed " + wasm.getFileName() + "'s memory in a form hexo does not know"
                + " (is wabt other than Debian 12's 1.0.32?): reinstall it with tools/install.sh");
        return m.group(1) == null ? 1L << 32 : Long.parseLong(m.group(1)) * 65536;
    }

    private String wasmObjdump(Path wasm, String... options) throws IOException, InterruptedException, BuildException {
        List<String> cmd = new ArrayList<>(List.of(tools.path("wasm-objdump")));
        cmd.addAll(List.of(options));
        cmd.add(wasm.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new BuildException("wasm-objdump could not read " + wasm);
        return dump;
    }

    private Path compileNative(List<String> base, List<String> flags, Path src, Path dir, String arch)
            throws BuildException, IOException, InterruptedException {
        String name = src.getFileName().toString();
        Path obj = dir.resolve(name + ".o"), dep = dir.resolve(name + ".d");
        List<String> cmd = new ArrayList<>(base);
        cmd.addAll(flags);
        cmd.addAll(List.of("-MD", "-MF", dep.toString(), "-c", src.toString(), "-o", obj.toString()));
        step(new Step("[" + arch + "-cc] " + (name.equals("app_native.c") ? "app.c (the program, from wasm2c)" : name), cmd, List.of(src), obj, dep, stamps));
        return obj;
    }

    private String resourceInclude;

    /** clang's own headers (stddef.h, stdint.h, ...): asked once per build, both ISAs share them. */
    private synchronized String clangResourceInclude() throws IOException, InterruptedException {
        if (resourceInclude != null) return resourceInclude;
        Process p = new ProcessBuilder(tools.path("clang-16"), "-print-resource-dir").redirectErrorStream(true).start();
        String dir = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return resourceInclude = dir + "/include";
    }

    private boolean step(Step s) throws BuildException, IOException, InterruptedException {
        if (s.run(progress, diagnostics)) {
            synchronized (this) {
                ranAnything = true;
            }
            return true;
        }
        return false;
    }

    /**
     * The functions the program's own files define (LibraryInlining leaves them out-of-line), from each object's
     * symbol table. Kept beside the object until it changes: a wasm object holds its zero-initialised arrays
     * (NPB IS class B's is.c.o is 277 MB), so even reading only the linking section costs half a second.
     */
    private Set<String> programFunctions(List<Compiled> compiles) throws IOException, InterruptedException, BuildException {
        Set<String> names = new java.util.TreeSet<>();
        for (Compiled c : compiles) {
            Path known = c.object().resolveSibling(c.object().getFileName() + ".functions");
            if (Files.exists(known) && Files.getLastModifiedTime(known).compareTo(Files.getLastModifiedTime(c.object())) > 0) {
                names.addAll(Files.readAllLines(known));
                continue;
            }
            Process p = new ProcessBuilder(tools.path("wasm-objdump"), "-x", "-j", "linking", c.object().toString()).redirectErrorStream(true).start();
            String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new BuildException("wasm-objdump could not read " + c.object());
            Set<String> defined = new java.util.TreeSet<>(LibraryInlining.definedFunctions(dump));
            Files.write(known, defined);
            names.addAll(defined);
        }
        return names;
    }

    private static final Pattern SEGMENT = Pattern.compile("^ - segment\\[\\d+\\] <[^>]*> memory=0 size=(\\d+) - init i32=(\\d+)", Pattern.MULTILINE);
    private static final Pattern STACK_POINTER = Pattern.compile("^ - global\\[0\\] i32 mutable=1 <__stack_pointer> - init i32=(\\d+)", Pattern.MULTILINE);

    /**
     * Memory regions from the linked wasm (wasm-opt may drop an unused __stack_pointer, never move data),
     * identity from the instrumented one, which is what both images are translated from.
     */
    private GlueGenerator.ModuleFacts facts(Path linked, Path app) throws IOException, InterruptedException, BuildException {
        Process p = new ProcessBuilder(tools.path("wasm-objdump"), "-x", linked.toString()).redirectErrorStream(true).start();
        String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new BuildException("wasm-objdump could not read " + linked);
        long dataStart = Long.MAX_VALUE, bssStart = 0;
        Matcher m = SEGMENT.matcher(dump);
        while (m.find()) {
            long size = Long.parseLong(m.group(1)), at = Long.parseLong(m.group(2));
            dataStart = Math.min(dataStart, at);
            bssStart = Math.max(bssStart, at + size);
        }
        if (dataStart == Long.MAX_VALUE) {
            // No data at all is possible (wasm-ld then starts the stack at 1024); a Data section whose
            // segments the pattern missed means wasm-objdump's report changed shape.
            if (dump.contains("\nData[")) throw new BuildException("wasm-objdump -x printed data segments in a form hexo does not know"
                    + " (is wabt other than Debian 12's 1.0.32?): reinstall it with tools/install.sh");
            dataStart = bssStart = 1024;
        }
        Matcher sp = STACK_POINTER.matcher(dump);
        if (!sp.find()) throw new BuildException("the linked program has no __stack_pointer: was it linked by wasm-ld 16?");
        long stackHigh = Long.parseLong(sp.group(1));
        return new GlueGenerator.ModuleFacts(sha256(app), dataStart, bssStart, stackHigh - WASM_STACK_SIZE, stackHigh);
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeIfChanged(Path file, String content) throws IOException {
        writeIfChanged(file, content, StandardCharsets.UTF_8);
    }

    private static void writeIfChanged(Path file, String content, java.nio.charset.Charset charset) throws IOException {
        if (Files.exists(file) && Files.readString(file, charset).equals(content)) return;
        Files.writeString(file, content, charset);
    }
}
