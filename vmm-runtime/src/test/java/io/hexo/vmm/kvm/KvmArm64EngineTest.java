package io.hexo.vmm.kvm;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.Engine;
import io.hexo.vmm.engine.EngineUnavailableException;
import io.hexo.vmm.engine.GuestLayout;
import io.hexo.vmm.memory.GuestMemory;
import org.junit.Assume;
import org.junit.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * Runs {@link KvmArm64EngineInVm} on real AArch64 KVM from an x86-64 host: inside the AArch64 Linux
 * of tools/arm64-board-vm (qemu-system-aarch64 with EL2, which has /dev/kvm), with the module's classes,
 * the test guests assembled here and the JNA/JUnit jars shared over 9p. Fails, never skips, when a part
 * of the rig is missing. On an ARM64 host the inner class runs directly instead.
 */
public class KvmArm64EngineTest {
    static final String INNER = KvmArm64EngineInVm.class.getName();
    static final long RIG_TIMEOUT_S = 300;
    /** First use on a fresh machine: apt-get update and installs, ~110 MB of packages, images. */
    static final long PREPARE_TIMEOUT_S = 900;

    @Test
    public void createExplainsWhyAArch64KvmIsUnavailableHere() {
        Assume.assumeTrue("this host is ARM64: KvmArm64EngineInVm creates engines for real", Isa.host() != Isa.AARCH64);
        try (GuestMemory memory = GuestMemory.allocate(4 << 20)) {
            GuestLayout layout = new GuestLayout(4 << 20, Abi.IMAGE_BASE, 0x400000, 0, 0, Abi.IMAGE_BASE, 0x400000, 0);
            try (Engine e = KvmArm64Engine.create(new Engine.Setup(memory, layout))) {
                fail("created " + e.description() + " for AArch64 on " + System.getProperty("os.arch"));
            } catch (EngineUnavailableException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().contains("ARM64"));
            }
        }
    }

    @Test(timeout = (PREPARE_TIMEOUT_S + RIG_TIMEOUT_S + 120) * 1000)
    public void engineTestsPassOnArm64KvmInsideTheBoardVm() throws Exception {
        if (Isa.host() == Isa.AARCH64) {
            // A real board: the engine tests run here, on its own /dev/kvm.
            org.junit.runner.Result r = org.junit.runner.JUnitCore.runClasses(KvmArm64EngineInVm.class);
            assertEquals(r.getFailures().toString(), 0, r.getFailureCount());
            assertTrue("no test ran", r.getRunCount() > 0);
            return;
        }
        Path home = hexoHome();
        Path script = home.resolve("tools/arm64-board-vm/run-in-vm.sh");
        assertTrue(script + " is missing", Files.isExecutable(script));

        // host tools (qemu, cpio, the AArch64 assembler) and the cached kernel + root fs, first
        long tPrepare = System.nanoTime();
        Output prepared = exec(List.of(script.toString(), "--prepare-only"), PREPARE_TIMEOUT_S);
        assertEquals("run-in-vm.sh --prepare-only failed (output above)", 0, prepared.rc);
        double prepareSeconds = (System.nanoTime() - tPrepare) / 1e9;

        Path rig = Path.of("target", "kvm-arm64-rig").toAbsolutePath();
        Path guests = KvmArm64Guests.assembleAll(rig.resolve("guests"));
        Path lib = rig.resolve("lib");
        Files.createDirectories(lib);
        // a snapshot of the module's classes: a rebuild during the VM run (hexo rebuilds itself) cannot
        // pull them away from under the guest's JVM
        List<String> cp = new ArrayList<>();
        cp.add(snapshot(codeSource(KvmArm64Engine.class), rig.resolve("classes")).toString());
        cp.add(snapshot(codeSource(KvmArm64EngineInVm.class), rig.resolve("test-classes")).toString());
        for (Class<?> c : List.of(com.sun.jna.Native.class, org.junit.Test.class, org.hamcrest.Matcher.class)) {
            Path jar = codeSource(c);
            Path copy = lib.resolve(jar.getFileName());
            Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
            cp.add(copy.toString());
        }
        // JNA's arm64 library, extracted here so that JNA in the guest loads it instead of unpacking it
        Path nativeDir = rig.resolve("native");
        Files.createDirectories(nativeDir);
        try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(codeSource(com.sun.jna.Native.class).toFile())) {
            java.util.zip.ZipEntry e = jar.getEntry("com/sun/jna/linux-aarch64/libjnidispatch.so");
            assertTrue("the JNA jar has no linux-aarch64 library", e != null);
            try (InputStream in = jar.getInputStream(e)) {
                Files.copy(in, nativeDir.resolve("libjnidispatch.so"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (String entry : cp) {
            assertTrue(entry + " is outside the project directory " + home + " shared with the VM",
                    Path.of(entry).startsWith(home));
        }
        Path resultsFile = rig.resolve("results.properties");
        Files.deleteIfExists(resultsFile);

        List<String> cmd = new ArrayList<>(List.of(script.toString(), "--share", home.toString(),
                "--timeout", String.valueOf(RIG_TIMEOUT_S), "--",
                "java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-Djna.boot.library.path=" + nativeDir,
                "-D" + KvmArm64Guests.DIR_PROPERTY + "=" + guests,
                "-Dhexo.kvmarm64.results=" + resultsFile,
                "-cp", String.join(File.pathSeparator, cp),
                "org.junit.runner.JUnitCore", INNER));
        long t0 = System.nanoTime();
        Output run = exec(cmd, RIG_TIMEOUT_S + 30);
        double seconds = (System.nanoTime() - t0) / 1e9;
        String output = run.text;
        int rc = run.rc;
        int expected = testCount(KvmArm64EngineInVm.class);
        assertEquals("exit code of run-in-vm.sh / JUnit inside the VM (output above)", 0, rc);
        assertTrue("JUnit inside the VM did not report OK (" + expected + " tests) (output above)",
                output.contains("OK (" + expected + " tests)"));
        Properties results = new Properties();
        try (InputStream in = Files.newInputStream(resultsFile)) {
            results.load(in);
        }
        assertTrue("no MMIO round-trip figure from inside the VM", results.containsKey("mmio_round_trip_calls_per_s"));
        System.out.printf("[kvm-arm64 rig] prepare %.1f s; %d tests on AArch64 KVM, VM run %.1f s; MMIO doorbell round trip "
                        + "%s calls/s (%s us); create to first doorbell %s ms cold, %s ms warm%n", prepareSeconds, expected,
                seconds, results.getProperty("mmio_round_trip_calls_per_s"), results.getProperty("mmio_round_trip_us"),
                results.getProperty("create_to_first_doorbell_ms.cold"), results.getProperty("create_to_first_doorbell_ms.warm"));
    }

    record Output(int rc, String text) {}

    /** Runs cmd with stdin closed, echoing its output (prefixed) as it comes; fails after timeoutSeconds. */
    static Output exec(List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        System.out.println("[kvm-arm64 rig] " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    line = line.replace("\r", "");
                    System.out.println("[vm] " + line);
                    synchronized (out) {
                        out.append(line).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "run-in-vm output");
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail(cmd.get(0) + " did not end within " + timeoutSeconds + " s");
        }
        reader.join(10_000);
        synchronized (out) {
            return new Output(p.exitValue(), out.toString());
        }
    }

    /** Copies the directory tree {@code from} to {@code to} (emptied first); returns {@code to}. */
    static Path snapshot(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) throw new IllegalStateException(from + " is not a class directory");
        if (Files.exists(to)) {
            try (var old = Files.walk(to)) {
                for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        try (var tree = Files.walk(from)) {
            for (Path p : tree.toList()) {
                Path dst = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(dst);
                else Files.copy(p, dst, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return to;
    }

    static int testCount(Class<?> c) {
        return (int) Arrays.stream(c.getMethods()).filter(m -> m.isAnnotationPresent(Test.class)).count();
    }

    static Path hexoHome() {
        String prop = System.getProperty("hexo.home");
        Path start = prop != null && !prop.isBlank() ? Path.of(prop) : Path.of("").toAbsolutePath();
        for (Path d = start.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("tools/arm64-board-vm"))) return d;
        }
        throw new IllegalStateException("cannot find the project directory (tools/arm64-board-vm) from " + start);
    }

    static Path codeSource(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath().normalize();
    }
}
