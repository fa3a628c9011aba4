package io.hexo.vmm.process;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.EngineChoice;
import io.hexo.vmm.engine.EngineUnavailableException;
import io.hexo.vmm.guest.GuestConsole;
import io.hexo.vmm.loader.TestImages;
import io.hexo.vmm.run.Outcome;
import io.hexo.vmm.vm.Vm;
import org.junit.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * The process engine with real images: x86-64 natively, AArch64 under qemu-user, on this x86-64 host
 * (and the other way round on an AArch64 one). Boots, traps, a guest process killed from outside,
 * what the guest process inherits, and a migration between the two ISAs.
 */
public class ProcessEngineTest {
    private static final String TRAPS = String.join("\n",
            "#include <stdio.h>",
            "#include <stdlib.h>",
            "#include <string.h>",
            "__attribute__((noinline)) int divide(int a, int b) { return a / b; }",
            "__attribute__((noinline)) int recurse(int n) { volatile int pad[4] = {n}; return recurse(n + 1) + pad[0]; }",
            "__attribute__((noinline)) void poke_far(void) { *(volatile int *)0xF0000000u = 1; }",
            "int main(int argc, char **argv) {",
            "    const char *what = argv[1];",
            "    printf(\"before %s\\n\", what); fflush(stdout);",
            "    if (!strcmp(what, \"div\")) return divide(1, argc - 2);",
            "    if (!strcmp(what, \"stack\")) return recurse(0);",
            "    if (!strcmp(what, \"far\")) poke_far();",
            "    if (!strcmp(what, \"spin\")) for (volatile int i = 0;; i++) {}",
            "    return 0;",
            "}", "");

    record Run(Outcome outcome, String stdout, List<String> notices) {}

    private static Run run(Path images, Isa isa, Path workdir, long migrateAt, boolean resume, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        List<String> notices = Collections.synchronizedList(new ArrayList<>());
        GuestConsole console = new GuestConsole(new ByteArrayInputStream(new byte[0]), out, err, notices::add, null);
        Vm vm = new Vm(new Vm.Config(images, isa, 256L << 20, List.of(args), List.of("HEXO_TEST=yes"), workdir, false,
                EngineChoice.PROCESS, workdir, migrateAt, resume, console));
        Outcome outcome = vm.run();
        return new Run(outcome, out.toString(StandardCharsets.UTF_8), notices);
    }

    private static Path tempDir() throws IOException {
        Path base = TestImages.home().resolve("vmm-runtime/target/process-engine-test");
        Files.createDirectories(base);
        return Files.createTempDirectory(base, "wd");
    }

    private static String expected(String sample) throws IOException {
        try (Stream<String> lines = Files.lines(TestImages.home().resolve("resources/samples").resolve(sample).resolve("expected.txt"))) {
            return lines.filter(l -> !l.startsWith("#")).map(l -> l + "\n").collect(Collectors.joining());
        }
    }

    @Test
    public void bootsTheSameImagesOnBothIsasAndSaysWhichEngine() throws Exception {
        Path images = TestImages.stressArgs();
        for (Isa isa : Isa.values()) {
            Run r = run(images, isa, tempDir(), 0, false, "a", "b c");
            assertEquals(isa + ": " + r.outcome() + r.notices(), new Outcome.Exited(3), r.outcome());
            assertEquals(isa + " " + r.notices(), expected("stress-args"), r.stdout());
            String how = isa == Isa.host() ? "process (native)" : "process (qemu-" + (isa == Isa.X86_64 ? "x86_64" : "aarch64") + "-static)";
            assertEquals("hexo: engine: " + how + " for the " + isa.displayName() + " guest", r.notices().get(0));
        }
    }

    @Test
    public void faultsAreReportedWithTheirFunctionOnBothIsas() throws Exception {
        Path images = TestImages.program("traps", TRAPS);
        for (Isa isa : Isa.values()) {
            Outcome.Trapped div = trapped(run(images, isa, tempDir(), 0, false, "div"), isa, "div");
            assertEquals(div.message(), Abi.TRAP_DIV_BY_ZERO, div.kind());
            assertEquals(div.message(), "divide", div.function());

            // A runaway recursion has no stack left for a signal handler: the loader's alternate stack reports it.
            Outcome.Trapped stack = trapped(run(images, isa, tempDir(), 0, false, "stack"), isa, "stack");
            assertEquals(stack.message(), Abi.TRAP_STACK_EXHAUSTED, stack.kind());
            assertEquals(stack.message(), "recurse", stack.function());

            // Past the end of guest memory nothing is mapped in the guest process either: a SIGSEGV the loader reports.
            Outcome.Trapped far = trapped(run(images, isa, tempDir(), 0, false, "far"), isa, "far");
            assertEquals(far.message(), Abi.TRAP_OUT_OF_BOUNDS, far.kind());
            assertEquals(far.message(), "poke_far", far.function());
            assertTrue(far.message(), far.address() >= 256L << 20);
        }
    }

    private static Outcome.Trapped trapped(Run r, Isa isa, String what) {
        assertTrue(what + " on " + isa + ": " + r.outcome() + r.notices(), r.outcome() instanceof Outcome.Trapped);
        assertEquals("before " + what + "\n", r.stdout());
        return (Outcome.Trapped) r.outcome();
    }

    @Test
    public void aGuestProcessKilledFromOutsideIsOneSentenceAndInheritsOnlyMemoryAndDoorbell() throws Exception {
        Path images = TestImages.program("traps", TRAPS);
        for (Isa isa : Isa.values()) {
            Path wd = tempDir();
            CompletableFuture<Run> running = CompletableFuture.supplyAsync(() -> run(images, isa, wd, 0, false, "spin"));
            long pid = guestProcess();
            try {
                // stdin and stdout are /dev/null, stderr a pipe to the VMM, then the two doorbell pipes; the memfd
                // was closed by the loader once mapped.
                Set<String> fds = new TreeSet<>();
                try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                    s.forEach(p -> fds.add(p.getFileName() + "->" + target(p)));
                }
                assertEquals(isa + ": " + fds, List.of("0->/dev/null", "1->/dev/null", "2->pipe", "4->pipe", "5->pipe"),
                        fds.stream().map(f -> f.replaceAll(":\\[\\d+\\]", "")).toList());
                // A seccomp filter on both paths (the guest's own natively, the jail's around qemu-user), and
                // an empty working directory of its own.
                String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
                assertTrue(isa + ": " + status, status.contains("Seccomp:\t2"));
                Path cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"));
                assertTrue(isa + ": " + cwd, cwd.getFileName().toString().startsWith("hexo-guest-") && !cwd.equals(wd));
                try (Stream<Path> s = Files.list(cwd)) {
                    assertEquals(isa + ": " + cwd, 0, s.count());
                }
            } finally {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            Run r = running.get(60, TimeUnit.SECONDS);
            assertTrue(isa + ": " + r.outcome(), r.outcome() instanceof Outcome.Trapped);
            assertEquals(((Outcome.Trapped) r.outcome()).message(),
                    "the guest process was killed by SIGKILL (9) (by the out-of-memory killer or by hand: see dmesg; a smaller --mem may help)",
                    ((Outcome.Trapped) r.outcome()).message());
        }
    }

    /**
     * The guest process: the loader itself, or qemu-user running it. Not the compiler building the loader
     * on a fresh tree, whose command line names it too (that mix-up failed this test on clean checkouts).
     */
    private static boolean isGuest(ProcessHandle p) {
        String command = p.info().command().orElse(""), line = p.info().commandLine().orElse("");
        return line.contains("hexo-loader") && (Path.of(command).getFileName().toString().startsWith("hexo-loader") || command.contains("qemu-"));
    }

    private static String target(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "?";
        }
    }

    /** The pid of this JVM's guest process (the loader, or qemu running it), once it is up. */
    private static long guestProcess() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            var child = ProcessHandle.current().children().filter(ProcessEngineTest::isGuest).findFirst();
            if (child.isPresent()) {
                Thread.sleep(300); // let the loader map memory and close what it closes
                return child.get().pid();
            }
            Thread.sleep(20);
        }
        fail("no guest process appeared");
        return -1;
    }

    @Test
    public void aCheckpointTakenOnOneIsaResumesOnTheOther() throws Exception {
        Path images = TestImages.stressArgs();
        for (Isa first : Isa.values()) {
            Path wd = tempDir();
            Run a = run(images, first, wd, 2, false, "a", "b c");
            assertTrue(first + ": " + a.outcome() + a.notices(), a.outcome() instanceof Outcome.Checkpointed);
            Run b = run(images, first.other(), wd, 0, true, "a", "b c");
            assertEquals(first.other() + ": " + b.outcome() + b.notices(), new Outcome.Exited(3), b.outcome());
            assertEquals(expected("stress-args"), a.stdout() + b.stdout());
        }
    }

    /**
     * Defence in depth: a native guest process may make no system call but its doorbell's. A guest whose
     * code (here three hand-assembled instructions in place of an image) makes one is stopped with a
     * trap at that call. qemu-user refuses seccomp filters from its guests (prctl: EINVAL, seccomp(2):
     * ENOSYS in QEMU 7.2), so this holds on the native path only.
     */
    @Test
    public void aNativeGuestProcessCanMakeNoSystemCallButItsDoorbells() {
        org.junit.Assume.assumeTrue("x86-64 host", Isa.host() == Isa.X86_64);
        for (int nr : new int[] {39 /* getpid */, 41 /* socket */, 59 /* execve */, 257 /* openat */}) {
            try (io.hexo.vmm.memory.GuestMemory memory = io.hexo.vmm.memory.GuestMemory.allocate(64L << 20)) {
                long entry = Abi.IMAGE_BASE;
                // mov $nr, %eax; syscall; ud2
                memory.write(entry, new byte[] {(byte) 0xb8, (byte) nr, (byte) (nr >> 8), 0, 0, 0x0f, 0x05, 0x0f, 0x0b});
                var layout = new io.hexo.vmm.engine.GuestLayout(memory.size(), entry, 0x800000, 0x400000, 0x600000, 0x800000, 0x800000, 0);
                long[] trap = new long[5];
                try (ProcessEngine engine = ProcessEngine.create(Isa.X86_64, new io.hexo.vmm.engine.Engine.Setup(memory, layout))) {
                    var exit = engine.run(value -> {
                        for (int i = 0; i < 5; i++) trap[i] = memory.getLong(Abi.HYPERCALL_ADDR + 8L * i);
                        return false;
                    });
                    assertTrue("syscall " + nr + ": " + exit, exit instanceof io.hexo.vmm.engine.Exit.Stopped);
                }
                assertEquals("syscall " + nr + " nr", Abi.HC_TRAP, trap[0]);
                assertEquals("syscall " + nr + " kind", Abi.TRAP_CPU_EXCEPTION, trap[1]);
                assertEquals("syscall " + nr + " pc after the syscall instruction", entry + 7, trap[2]);
                assertEquals("syscall " + nr + " detail", 13, trap[4]);
            }
        }
    }

    /** --gdb: gdb attaches before the first instruction, stops at a function of the program and sees its callers. */
    @Test
    public void gdbStopsAtAFunctionOfTheProgramOnBothIsas() throws Exception {
        Path images = TestImages.program("traps", TRAPS);
        for (Isa isa : Isa.values()) {
            boolean nativeIsa = isa == Isa.host();
            String gdb = nativeIsa ? "gdb" : "gdb-multiarch";
            assertTrue(gdb + " and gdbserver are missing: tools/install.sh installs them", onPath(gdb) && (!nativeIsa || onPath("gdbserver")));
            int port = 20000 + (int) (ProcessHandle.current().pid() % 20000) + isa.ordinal();
            Path wd = tempDir();
            CompletableFuture<Run> running = CompletableFuture.supplyAsync(() -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                List<String> notices = Collections.synchronizedList(new ArrayList<>());
                GuestConsole console = new GuestConsole(new ByteArrayInputStream(new byte[0]), out, new ByteArrayOutputStream(), notices::add, null);
                Vm vm = new Vm(new Vm.Config(images, isa, 256L << 20, List.of("div"), List.of(), wd, false, EngineChoice.AUTO, wd, 0, false, console));
                vm.debugWithGdb(port);
                return new Run(vm.run(), out.toString(StandardCharsets.UTF_8), notices);
            });
            Thread.sleep(2000); // the guest process listens by then (the loader is built and cached already)
            Process p = new ProcessBuilder(gdb, "-q", "-batch", images.resolve(isa.imageName()).toString(),
                    "-ex", "target remote :" + port, "-ex", "break w2c_divide", "-ex", "continue",
                    "-ex", "bt", "-ex", "continue").redirectErrorStream(true).start();
            String session = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertTrue(isa + ": " + session, session.contains("Breakpoint 1, ") && session.contains("in w2c_divide ()"));
            assertTrue(isa + ": " + session, session.contains("in w2c_main ()"));
            // Every frame of the backtrace named (the first stop, in the loader, has no symbols): the program has no
            // frame pointers, gdb unwinds it by the image's call frame information.
            for (String line : session.split("\n")) if (line.startsWith("#")) assertFalse(isa + ": " + session, line.contains(" in ?? ("));
            assertTrue(isa + ": " + session, session.contains("in hexo_run_program ()"));
            Run r = running.get(60, TimeUnit.SECONDS);
            assertEquals(isa + ": " + r.notices(), Abi.TRAP_DIV_BY_ZERO, ((Outcome.Trapped) r.outcome()).kind());
        }
    }

    private static boolean onPath(String name) {
        for (String dir : System.getenv("PATH").split(":")) if (Files.isExecutable(Path.of(dir, name))) return true;
        return false;
    }

    @Test
    public void aMissingEmulatorIsOneSentenceThatSaysWhatToInstall() {
        Isa foreign = Isa.host() == Isa.X86_64 ? Isa.AARCH64 : Isa.X86_64;
        try {
            UserModeEmulator.forIsa(foreign, "/nonexistent");
            fail("found an emulator on an empty PATH");
        } catch (EngineUnavailableException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("is not installed") && e.getMessage().contains("apt-get install qemu-user-static"));
        }
        assertEquals(null, UserModeEmulator.forIsa(Isa.host(), "/nonexistent"));
        assertNotNull(UserModeEmulator.forIsa(foreign, System.getenv("PATH")));
    }
}
