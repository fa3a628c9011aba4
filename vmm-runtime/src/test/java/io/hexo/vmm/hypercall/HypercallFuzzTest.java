package io.hexo.vmm.hypercall;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.checkpoint.CheckpointReader;
import io.hexo.vmm.engine.GuestLayout;
import io.hexo.vmm.guest.GuestConsole;
import io.hexo.vmm.guest.GuestFiles;
import io.hexo.vmm.guest.MigrationControl;
import io.hexo.vmm.loader.ElfImage;
import io.hexo.vmm.loader.ImageInfo;
import io.hexo.vmm.loader.TestImages;
import io.hexo.vmm.memory.GuestMemory;
import io.hexo.vmm.run.Outcome;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Whatever a guest writes into its hypercall block, the VMM survives it: 100 000+ doorbells with random
 * numbers and arguments — valid addresses and lengths, addresses past the end, negative and huge
 * values, real and hostile paths — against the real handler families on a real 64 MiB GuestMemory,
 * set up the way vm/Vm does it for a real image. No exception escapes, every call that returns gets a
 * result (0 or more, or minus a WASI errno), and no file appears outside the guest's working directory.
 *
 * <p>Exit, trap and checkpoint stop the guest (onDoorbell returns false): the fuzzer notes the outcome
 * and goes on with a fresh table, as a new run would. Guest sleeps are real; a watchdog requests a
 * migration when one call has lasted 2 ms, which is what cuts a sleep short (SIGUSR1 in real runs).
 */
public class HypercallFuzzTest {
    private static final long MEM = 64L << 20;
    private static final int ITERATIONS = Integer.getInteger("hexo.fuzz.iterations", 120_000);
    private static final long SEED = Long.getLong("hexo.fuzz.seed", 0x4e584548L);
    private static final long PATHS = 0x40000, PATH_SLOT = 8192, SNAPSHOT = 0x3000, GLOBALS = 0x3100;
    private static final int[] VALID = {Abi.HC_EXIT, Abi.HC_TRAP, Abi.HC_LOG, Abi.HC_SET_CONTROL, Abi.HC_WRITE, Abi.HC_READ,
            Abi.HC_OPEN, Abi.HC_CLOSE, Abi.HC_LSEEK, Abi.HC_UNLINK, Abi.HC_FSTAT, Abi.HC_STAT, Abi.HC_CLOCK, Abi.HC_SLEEP,
            Abi.HC_RANDOM, Abi.HC_CHECKPOINT, Abi.HC_RESTORE, Abi.HC_MEMORY_GROWN};
    private static final Set<Long> ERRNOS = Set.of((long) Abi.EACCES, (long) Abi.EBADF, (long) Abi.EEXIST, (long) Abi.EFAULT,
            (long) Abi.EINVAL, (long) Abi.EIO, (long) Abi.EISDIR, (long) Abi.EMFILE, (long) Abi.ENAMETOOLONG, (long) Abi.ENOENT,
            (long) Abi.ENOSYS, (long) Abi.ENOTDIR, (long) Abi.EPERM, (long) Abi.ESPIPE, (long) Abi.ENOTCAPABLE);

    private static Path root, work, ckpt, outside;
    private static String token;
    private static GuestMemory memory;
    private static ElfImage image;
    private static ImageInfo info;
    private static GuestLayout layout;
    private static List<String> paths;

    @BeforeClass
    public static void setUp() throws Exception {
        image = ElfImage.read(TestImages.stressArgsImage(Isa.X86_64.imageName()));
        info = image.info();
        root = Files.createTempDirectory("hexo-fuzz").toRealPath();
        token = "hexo-fuzz-escape-" + Long.toHexString(System.nanoTime());
        work = Files.createDirectories(root.resolve("a/b/work"));
        ckpt = root.resolve("ckpt");
        outside = Files.createDirectories(root.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "secret");
        Files.createSymbolicLink(work.resolve("link-out"), outside);
        Files.createSymbolicLink(work.resolve("link-secret"), outside.resolve("secret"));
        Files.createSymbolicLink(work.resolve("dangling"), outside.resolve(token + "-via-dangling-link"));

        memory = GuestMemory.allocate(MEM);
        // As Vm.run does: the image in memory, the layout from its symbols.
        image.load(memory);
        long guard = image.symbol("__hexo_stack_guard");
        long linmemBase = GuestLayout.linmemBaseAfter(image.end());
        assertTrue("64 MiB is enough for stress-args", linmemBase + info.initialLinmem() + (8L << 20) <= MEM);
        layout = new GuestLayout(memory.size(), image.entry(), image.symbol("__hexo_stack_top"), guard, guard + 0x200000,
                image.end(), linmemBase, image.symbol("hexo_x86_trap_vectors"));

        String longName = "n".repeat(300);
        paths = new ArrayList<>(List.of("f0", "f1", "f2", "f3", "sub", "sub/f4", "sub/deeper/f5", ".", "", "f0/x",
                "../" + token, "../../" + token, "../../../" + token, "a/../../" + token, "sub/../../" + token,
                "/tmp/" + token, outside.resolve(token).toString(), root.resolve(token).toString(), "/etc/passwd",
                "link-out/" + token, "link-out/secret", "link-secret", "dangling", "dangling/x", "./../" + token,
                "f\0" + token, longName, "sub/" + longName, "ü/ñ", "f0/../f1", "x".repeat(4096), "y".repeat(4097)));
        Files.createDirectories(work.resolve("sub"));
    }

    @AfterClass
    public static void tearDown() throws IOException {
        if (memory != null) memory.close();
        if (root != null) deleteTree(root);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** One guest run's worth of VMM state, built like Vm.run builds it. */
    private static final class Run implements AutoCloseable {
        final MigrationControl control = new MigrationControl(memory, 0);
        final GuestFiles files;
        final HypercallTable table;

        Run(GuestConsole console, Checkpoint resumeFrom) throws IOException {
            files = new GuestFiles(work, console.notices());
            LifecycleCalls lifecycle = new LifecycleCalls(memory, image, layout, control, console.kernelLog());
            table = new HypercallTable(memory, lifecycle, new FileCalls(memory, files, console), new ClockCalls(memory, control),
                    new MigrationCalls(new MigrationCalls.Context(memory, layout, info, files, control, ckpt, Isa.X86_64.displayName(),
                            () -> "fuzz", console.notices(), resumeFrom)));
        }

        @Override
        public void close() {
            files.close();
        }
    }

    private static List<String> listingOutsideWork() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.startsWith(work) && !p.startsWith(ckpt))
                    .map(p -> root.relativize(p) + (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? ":" + p.toFile().length() : ""))
                    .sorted().toList();
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static long dirSize(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    // ---- argument generators --------------------------------------------------------------------

    private static long address(Random r) {
        switch (r.nextInt(10)) {
            case 0: return r.nextLong();                              // anything
            case 1: return -1 - r.nextInt(1 << 20);                   // negative
            case 2: return MEM - r.nextInt(128);                      // near the end
            case 3: return MEM + r.nextInt(1 << 20);                  // just past the end
            case 4: return r.nextInt(0x10000);                        // low memory, the hypercall block included
            case 5: return layout.linmemBase() + r.nextInt(1 << 20);  // linear memory
            case 6: return r.nextBoolean() ? 0 : Long.MIN_VALUE;
            default: return (r.nextLong() >>> 1) % MEM;               // valid
        }
    }

    private static long length(Random r) {
        switch (r.nextInt(12)) {
            case 0: return r.nextLong();
            case 1: return -r.nextInt(1000) - 1;
            case 2: return Long.MAX_VALUE - r.nextInt(10);
            case 3: return r.nextInt(32 << 20);                       // up to twice the largest single transfer
            case 4: return 0;
            case 5: return 0x1_0000_0000L + r.nextInt(100);           // aliases a small int when truncated
            case 6: return r.nextInt(1 << 16);
            default: return r.nextInt(300);
        }
    }

    private static long fd(Random r) {
        switch (r.nextInt(8)) {
            case 0: return r.nextLong();
            case 1: return -r.nextInt(5) - 1;
            case 2: return 0x1_0000_0000L + r.nextInt(8);             // a valid fd in the low 32 bits
            case 3: return Integer.MAX_VALUE + (long) r.nextInt(3);
            case 4: return r.nextInt(14);
            default: return GuestFiles.FIRST_FD + r.nextInt(5);
        }
    }

    private static long small(Random r, int bound) {
        return r.nextInt(6) == 0 ? r.nextLong() : r.nextInt(6) == 0 ? 0x1_0000_0000L + r.nextInt(bound) : r.nextInt(bound);
    }

    /** A path argument pair: a real or hostile path placed in memory, or random address and length. */
    private static void path(Random r, long[] a, int i) {
        if (r.nextInt(5) == 0) {
            a[i] = address(r);
            a[i + 1] = length(r);
            return;
        }
        String p = r.nextInt(8) == 0 ? junk(r) : paths.get(r.nextInt(paths.size()));
        byte[] b = p.getBytes(StandardCharsets.UTF_8);
        long at = PATHS + (long) r.nextInt(16) * PATH_SLOT;
        memory.write(at, b);
        a[i] = at;
        a[i + 1] = b.length;
    }

    private static String junk(Random r) {
        StringBuilder s = new StringBuilder();
        int n = r.nextInt(40);
        String alphabet = "ab./\\\0-~é*?";
        for (int i = 0; i < n; i++) s.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return s.toString();
    }

    private static long openFlags(Random r) {
        if (r.nextInt(6) == 0) return r.nextLong();
        long f = 0;
        for (int bit : new int[] {Abi.O_CREAT, Abi.O_DIRECTORY, Abi.O_EXCL, Abi.O_TRUNC, Abi.OPEN_READ, Abi.OPEN_WRITE}) {
            if (r.nextInt(bit == Abi.O_DIRECTORY || bit == Abi.O_EXCL ? 8 : 2) == 0) f |= bit;
        }
        return f;
    }

    /** A snapshot descriptor: usually what the guest kernel would write, sometimes subtly wrong. */
    private static void snapshot(Random r, long[] a) {
        if (r.nextInt(4) == 0) {
            a[0] = address(r);
            return;
        }
        long size = 65536L * (1 + r.nextInt(24));
        long base = layout.linmemBase(), n = info.globals();
        // A valid descriptor one time in eight: a checkpoint is written (and forced to disk) each time.
        switch (r.nextInt(8)) {
            case 0: base += 4096; break;
            case 1: size += 1; break;
            case 2: size = layout.linmemLimit() + 65536; break;
            case 3: n += 1; break;
            case 4: size = -65536; break;
            case 5: n = r.nextLong(); break;
            case 6: base = r.nextLong(); break;
            default: break;
        }
        memory.putLong(SNAPSHOT + Abi.SNAP_LINMEM_BASE, base);
        memory.putLong(SNAPSHOT + Abi.SNAP_LINMEM_SIZE, size);
        memory.putLong(SNAPSHOT + Abi.SNAP_GLOBALS, r.nextInt(10) == 0 ? address(r) : GLOBALS);
        memory.putLong(SNAPSHOT + Abi.SNAP_NGLOBALS, n);
        memory.putLong(SNAPSHOT + Abi.SNAP_ASYNCIFY_DATA, r.nextLong());
        memory.putLong(SNAPSHOT + Abi.SNAP_CONTROL, r.nextLong());
        a[0] = SNAPSHOT;
    }

    private static long number(Random r) {
        int k = r.nextInt(100);
        if (k < 70) {
            // The calls that stop the guest less often, so that runs last long enough to use their files.
            int nr = VALID[r.nextInt(VALID.length)];
            boolean stops = nr == Abi.HC_EXIT || nr == Abi.HC_TRAP || nr == Abi.HC_CHECKPOINT || nr == Abi.HC_RESTORE;
            return stops && r.nextInt(4) != 0 ? VALID[4 + r.nextInt(11)] : nr;
        }
        if (k < 85) return r.nextInt(0x40);          // in the table's range, mostly unregistered
        if (k < 90) return 0x40 + r.nextInt(0x1000);
        if (k < 95) return r.nextLong();
        return r.nextBoolean() ? -1 : Long.MIN_VALUE;
    }

    private static long[] arguments(Random r, long nr) {
        long[] a = new long[6];
        for (int i = 0; i < 6; i++) a[i] = r.nextInt(4) == 0 ? r.nextLong() : address(r);
        switch ((int) nr) {
            case Abi.HC_EXIT -> a[0] = r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(256);
            case Abi.HC_TRAP -> {
                a[0] = r.nextInt(4) == 0 ? r.nextLong() : r.nextInt(12);
                a[1] = r.nextBoolean() ? image.entry() + r.nextInt(0x20000) : r.nextLong();
                a[2] = r.nextBoolean() ? layout.stackGuardStart() + r.nextInt(0x200000) : address(r);
            }
            case Abi.HC_LOG -> { a[0] = address(r); a[1] = length(r); }
            case Abi.HC_MEMORY_GROWN -> { a[0] = address(r); a[1] = length(r); }
            case Abi.HC_RANDOM -> {
                // Valid lengths past 2 MiB are drawn as 1-3 MiB (still several 1 MiB chunks): each byte costs SecureRandom time.
                a[0] = address(r);
                a[1] = length(r);
                if (a[1] > (3 << 20) && a[1] < MEM) a[1] = (1 << 20) + r.nextInt(2 << 20);
            }
            case Abi.HC_SET_CONTROL -> a[0] = r.nextBoolean() ? layout.linmemBase() + r.nextInt(1 << 20) : address(r);
            case Abi.HC_WRITE, Abi.HC_READ -> { a[0] = fd(r); a[1] = address(r); a[2] = length(r); }
            case Abi.HC_OPEN -> { path(r, a, 0); a[2] = openFlags(r); a[3] = r.nextInt(4) == 0 ? r.nextLong() : r.nextInt(2); }
            case Abi.HC_CLOSE -> a[0] = fd(r);
            case Abi.HC_LSEEK -> { a[0] = fd(r); a[1] = r.nextBoolean() ? r.nextInt(1 << 20) - 4096 : r.nextLong(); a[2] = small(r, 4); }
            case Abi.HC_UNLINK -> path(r, a, 0);
            case Abi.HC_FSTAT -> { a[0] = fd(r); a[1] = address(r); }
            case Abi.HC_STAT -> { path(r, a, 0); a[2] = address(r); }
            case Abi.HC_CLOCK -> a[0] = small(r, 5);
            case Abi.HC_SLEEP -> a[0] = switch (r.nextInt(5)) {
                case 0 -> r.nextLong();
                case 1 -> -r.nextInt(1000);
                case 2 -> Long.MAX_VALUE;
                default -> r.nextInt(20_000);
            };
            case Abi.HC_CHECKPOINT, Abi.HC_RESTORE -> snapshot(r, a);
            default -> { }
        }
        return a;
    }

    // ---- the fuzzer ------------------------------------------------------------------------------

    private static volatile long callStarted;
    private static volatile MigrationControl current;

    @Test
    public void noHypercallCanHurtTheVmm() throws Exception {
        List<String> outsideBefore = listingOutsideWork();
        Path cwd = Path.of("").toAbsolutePath();
        List<String> cwdBefore = names(cwd);
        List<String> tmpBefore = names(root.getParent()).stream().filter(n -> n.contains(token)).toList();

        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        List<String> notices = new ArrayList<>(), kernelLog = new ArrayList<>();
        byte[] stdin = new byte[1 << 16];
        new Random(SEED).nextBytes(stdin);
        GuestConsole console = new GuestConsole(new ByteArrayInputStream(stdin), out, err, notices::add, kernelLog::add);

        Map<String, Long> results = new TreeMap<>(), outcomes = new TreeMap<>();
        Set<String> eioSamples = new java.util.LinkedHashSet<>();
        Random r = new Random(SEED);
        long migrationsRequested = 0, ignoredDoorbells = 0, cleanups = 0, runs = 0, slowest = 0;
        String slowestCall = "";

        Thread watchdog = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long started = callStarted;
                MigrationControl c = current;
                if (started != 0 && c != null && System.nanoTime() - started > 2_000_000 && !c.isRequested()) c.request();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "fuzz-migration-requester");
        watchdog.setDaemon(true);
        watchdog.start();

        Run run = null;
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < ITERATIONS; i++) {
                if (run == null || i % 2000 == 0) {
                    if (run != null) {
                        if (run.control.isRequested()) migrationsRequested++;
                        run.close();
                    }
                    Checkpoint resume = null;
                    if (Files.exists(ckpt.resolve(Checkpoint.MANIFEST)) && r.nextBoolean()) resume = CheckpointReader.verify(ckpt, info.moduleId());
                    run = new Run(console, resume);
                    current = run.control;
                    runs++;
                }
                if (i % 1000 == 0) {
                    if (out.size() + err.size() > (32 << 20)) {
                        out.reset();
                        err.reset();
                    }
                    notices.clear();
                    kernelLog.clear();
                    if (dirSize(work) > (256L << 20)) { // keep the disk bounded: what the guest wrote is not under test here
                        run.close();
                        try (Stream<Path> s = Files.list(work)) {
                            for (Path p : s.toList()) if (!p.getFileName().toString().startsWith("link-") && !p.getFileName().toString().equals("dangling")) deleteTree(p);
                        }
                        run = new Run(console, null);
                        current = run.control;
                        cleanups++;
                    }
                }
                if (r.nextInt(200) == 0) {
                    // A doorbell that does not name the block: ignored, the block untouched.
                    memory.putLong(Abi.HYPERCALL_ADDR + Abi.HC_RET, 0x7777);
                    assertTrue(run.table.onDoorbell(r.nextBoolean() ? r.nextLong() : Abi.HYPERCALL_ADDR + 8));
                    assertEquals(0x7777, memory.getLong(Abi.HYPERCALL_ADDR + Abi.HC_RET));
                    ignoredDoorbells++;
                }
                long nr = number(r);
                long[] a = arguments(r, nr);
                memory.putLong(Abi.HYPERCALL_ADDR + Abi.HC_NR, nr);
                for (int k = 0; k < 6; k++) memory.putLong(Abi.HYPERCALL_ADDR + Abi.HC_ARG0 + 8L * k, a[k]);
                final long sentinel = 0x5EB7_1AE1_5EB7_1AE1L;
                memory.putLong(Abi.HYPERCALL_ADDR + Abi.HC_RET, sentinel);

                boolean goOn;
                long start = System.nanoTime();
                callStarted = start;
                try {
                    goOn = run.table.onDoorbell(Abi.HYPERCALL_ADDR);
                } catch (Throwable t) {
                    throw new AssertionError("call " + i + ": " + describe(nr, a) + " threw " + t, t);
                } finally {
                    callStarted = 0;
                }
                long took = System.nanoTime() - start;
                if (took > slowest) {
                    slowest = took;
                    slowestCall = describe(nr, a);
                }
                String name = name(nr);
                if (goOn) {
                    long ret = memory.getLong(Abi.HYPERCALL_ADDR + Abi.HC_RET);
                    assertTrue("call " + i + ": " + describe(nr, a) + ": no result written", ret != sentinel);
                    assertTrue("call " + i + ": " + describe(nr, a) + " returned " + ret + ", not a WASI errno", ret >= 0 || ERRNOS.contains(-ret));
                    if (nr < 0 || nr >= 0x40 || !isValid(nr)) assertEquals(describe(nr, a), -Abi.ENOSYS, ret);
                    results.merge(name + (ret >= 0 ? " ok" : " -" + errnoName(-ret)), 1L, Long::sum);
                    if (ret == -Abi.EIO && eioSamples.size() < 12) eioSamples.add(describeWithPath(nr, a));
                } else {
                    Outcome o = run.table.outcome();
                    assertNotNull("call " + i + ": " + describe(nr, a) + " stopped the guest without an outcome", o);
                    if (o instanceof Outcome.Exited e) assertEquals((int) a[0], e.code());
                    if (o instanceof Outcome.Trapped t) assertTrue(t.message(), t.message().startsWith("the guest ") && !t.message().contains("\n"));
                    if (o instanceof Outcome.Checkpointed c) {
                        assertEquals(ckpt, c.dir());
                        assertNotNull(CheckpointReader.verify(ckpt, info.moduleId()));
                    }
                    if (o instanceof Outcome.Failed f) assertFalse(f.message().isEmpty() || f.message().contains("\n"));
                    outcomes.merge(name + " -> " + o.getClass().getSimpleName(), 1L, Long::sum);
                    if (run.control.isRequested()) migrationsRequested++;
                    run.close();
                    run = null;
                }
                // Nothing may appear outside the working directory (checked often: cheap).
                if (i % 500 == 0) assertEquals("call " + i + " (" + describe(nr, a) + ") touched files outside the working directory",
                        outsideBefore, listingOutsideWork());
            }
        } finally {
            watchdog.interrupt();
            if (run != null) run.close();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        assertEquals("files outside the working directory changed", outsideBefore, listingOutsideWork());
        assertEquals("the current directory changed", cwdBefore, names(cwd));
        assertEquals("escapes into " + root.getParent(), tmpBefore, names(root.getParent()).stream().filter(n -> n.contains(token)).toList());
        try (Stream<Path> s = Files.walk(work)) {
            assertTrue("a file named for an escape appeared inside", s.noneMatch(p -> p.getFileName().toString().contains(token + "-via")));
        }
        assertFalse(Files.exists(Path.of("/tmp/" + token)));
        assertEquals("secret", Files.readString(outside.resolve("secret")));

        System.out.printf("HypercallFuzzTest: %d hypercalls in %.1f s = %.0f calls/s (seed 0x%x), %d guest runs, %d ignored doorbells,"
                + " %d migrations requested by the watchdog, %d workdir cleanups, slowest call %.1f ms (%s)%n",
                ITERATIONS, seconds, ITERATIONS / seconds, SEED, runs, ignoredDoorbells, migrationsRequested, cleanups, slowest / 1e6, slowestCall);
        System.out.println("  results: " + results);
        System.out.println("  stops:   " + outcomes);
        System.out.println("  -EIO (\"any other failure\") for: " + eioSamples);
        assertTrue("every family reached its success path", results.keySet().containsAll(List.of("WRITE ok", "READ ok", "OPEN ok", "CLOSE ok",
                "LSEEK ok", "UNLINK ok", "FSTAT ok", "STAT ok", "CLOCK ok", "SLEEP ok", "RANDOM ok", "LOG ok", "SET_CONTROL ok", "RESTORE ok")));
        assertTrue(results.keySet().containsAll(List.of("OPEN -ENOTCAPABLE", "WRITE -EFAULT", "garbage -ENOSYS")));
        assertTrue(outcomes.toString(), outcomes.keySet().containsAll(List.of("EXIT -> Exited", "TRAP -> Trapped", "CHECKPOINT -> Checkpointed",
                "CHECKPOINT -> Failed")));
    }

    private static boolean isValid(long nr) {
        for (int v : VALID) if (v == nr) return true;
        return false;
    }

    private static String name(long nr) {
        for (var f : Abi.class.getFields()) {
            try {
                if (f.getName().startsWith("HC_") && f.getType() == int.class && !f.getName().equals("HC_NR") && !f.getName().equals("HC_ARG0")
                        && !f.getName().equals("HC_RET") && !f.getName().equals("HC_SIZE") && f.getInt(null) == nr) return f.getName().substring(3);
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        return "garbage";
    }

    private static String errnoName(long e) {
        for (var f : Abi.class.getFields()) {
            try {
                if (f.getName().startsWith("E") && f.getType() == int.class && f.getInt(null) == e) return f.getName();
            } catch (IllegalAccessException x) {
                throw new AssertionError(x);
            }
        }
        return Long.toString(e);
    }

    /** For the path calls, the path too (shortened). */
    private static String describeWithPath(long nr, long[] a) {
        String d = describe(nr, a);
        if ((nr == Abi.HC_OPEN || nr == Abi.HC_UNLINK || nr == Abi.HC_STAT) && memory.contains(a[0], a[1]) && a[1] <= 4096) {
            String p = memory.string(a[0], (int) a[1]).replace("\0", "\\0");
            d += " path \"" + (p.length() > 40 ? p.substring(0, 20) + "...(" + p.length() + " chars)" : p) + "\"";
        }
        return d;
    }

    private static String describe(long nr, long[] a) {
        StringBuilder s = new StringBuilder(name(nr)).append(String.format("(nr 0x%x", nr));
        for (long v : a) s.append(String.format(", 0x%x", v));
        return s.append(')').toString();
    }
}
