/*
 * boot-time.sh's in-JVM harness: boots one guest image again and again inside a single JVM and
 * reports the time of "construct Vm + run it to exit" once the JVM is warm. This is the VMM+guest
 * part of a boot without JVM start-up, class loading, picocli, or the hexo wrapper script.
 *
 * Usage (run as a single-file source program):
 *   java -Dhexo.home=REPO -cp "REPO/compiler-bridge/target/compiler-bridge-0.1.0-SNAPSHOT.jar:REPO/compiler-bridge/target/lib/*" \
 *        bench/harness/BootLoop.java IMAGE_DIR x86|arm WARMUP ITERATIONS [auto|kvm|emulated] [MEM_MB]
 *
 * Prints one "boot i ms" line per timed boot, then machine-readable summary lines:
 *   engine <description>
 *   first_ms <cold first boot, in this JVM>
 *   median_ms <median of the timed boots>
 *   min_ms <best timed boot>
 *   construct_median_ms <median of new Vm(...) alone>
 */

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.EngineChoice;
import io.hexo.vmm.guest.GuestConsole;
import io.hexo.vmm.run.Outcome;
import io.hexo.vmm.vm.Vm;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public class BootLoop {
    public static void main(String[] a) throws Exception {
        if (a.length < 4) {
            System.err.println("usage: BootLoop IMAGE_DIR x86|arm WARMUP ITERATIONS [auto|kvm|emulated] [MEM_MB]");
            System.exit(2);
        }
        Path imageDir = Path.of(a[0]).toAbsolutePath();
        Isa isa = Isa.parse(a[1]);
        int warmup = Integer.parseInt(a[2]);
        int iterations = Integer.parseInt(a[3]);
        EngineChoice engine = a.length > 4 ? EngineChoice.parse(a[4]) : EngineChoice.AUTO;
        long mem = (a.length > 5 ? Long.parseLong(a[5]) : 64L) << 20;
        Path work = Files.createTempDirectory("hexo-bootloop");

        List<String> notices = new ArrayList<>();
        String expected = null;
        String engineName = "?";
        double first = 0;
        double[] runs = new double[iterations];
        double[] constructs = new double[iterations];
        for (int i = -warmup; i < iterations; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            GuestConsole console = new GuestConsole(new ByteArrayInputStream(new byte[0]), out, err, notices::add, null);
            Vm.Config config = new Vm.Config(imageDir, isa, mem, List.of(), List.of(), work, false, engine,
                    work, 0, false, console);
            long t0 = System.nanoTime();
            Vm vm = new Vm(config);
            long t1 = System.nanoTime();
            Outcome outcome = vm.run();
            long t2 = System.nanoTime();
            if (!(outcome instanceof Outcome.Exited e) || e.code() != 0) {
                System.err.println("boot " + i + " did not exit 0: " + outcome + "; notices " + notices
                        + "; stderr " + err.toString(StandardCharsets.UTF_8));
                System.exit(1);
            }
            String got = out.toString(StandardCharsets.UTF_8);
            if (expected == null) expected = got;
            else if (!expected.equals(got)) {
                System.err.println("boot " + i + " printed something else: " + got);
                System.exit(1);
            }
            engineName = vm.engineDescription();
            double ms = (t2 - t0) / 1e6;
            if (i == -warmup) first = ms;
            if (i >= 0) {
                runs[i] = ms;
                constructs[i] = (t1 - t0) / 1e6;
                System.out.printf("boot %d %.3f ms%n", i, ms);
            }
        }
        System.out.println("engine " + engineName);
        System.out.printf("first_ms %.3f%n", first);
        System.out.printf("median_ms %.3f%n", median(runs));
        System.out.printf("min_ms %.3f%n", Arrays.stream(runs).min().orElse(0));
        System.out.printf("construct_median_ms %.3f%n", median(constructs));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? 0 : (n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2);
    }
}
