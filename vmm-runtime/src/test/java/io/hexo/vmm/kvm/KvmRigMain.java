package io.hexo.vmm.kvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.internal.TextListener;
import org.junit.runner.Description;
import org.junit.runner.JUnitCore;
import org.junit.runner.Request;
import org.junit.runner.Result;
import org.junit.runner.manipulation.Filter;
import org.junit.runner.notification.Failure;
import org.junit.runner.notification.RunListener;

/**
 * The JUnit entry point inside the KVM rig: {@code KvmRigMain RESULT_FILE CLASS [METHOD...]} runs the
 * methods (all when none given) and writes one line per test, "PASS\tname" or "FAIL\tname\ttrace".
 */
public final class KvmRigMain {
    private KvmRigMain() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Class<?> testClass = Class.forName(args[1]);
        Set<String> methods = Set.copyOf(List.of(args).subList(2, args.length));
        Set<String> wanted = methods;
        Request request = Request.aClass(testClass);
        if (!wanted.isEmpty()) {
            request = request.filterWith(new Filter() {
                @Override
                public boolean shouldRun(Description d) {
                    return d.getMethodName() == null || wanted.contains(d.getMethodName());
                }

                @Override
                public String describe() {
                    return "methods " + wanted;
                }
            });
        }
        List<String> lines = new ArrayList<>();
        JUnitCore core = new JUnitCore();
        core.addListener(new TextListener(System.out));
        long t0 = System.nanoTime();
        System.out.printf("[kvm-rig] JVM up %.1f s before main%n", java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
        KvmSystem.open().close(); // loads JNA and checks /dev/kvm once, outside the first test's time
        System.out.printf("[kvm-rig] JNA loaded, /dev/kvm opened in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        core.addListener(new RunListener() {
            private boolean failed;
            private long start;

            @Override
            public void testStarted(Description d) {
                failed = false;
                start = System.nanoTime();
            }

            @Override
            public void testFailure(Failure f) {
                failed = true;
                lines.add("FAIL\t" + f.getDescription().getMethodName() + "\t" + f.getTrace().replace("\n", "\\n"));
            }

            @Override
            public void testAssumptionFailure(Failure f) {
                testFailure(f);
            }

            @Override
            public void testFinished(Description d) {
                System.out.printf("%n[kvm-rig] %s %.2f s%n", d.getMethodName(), (System.nanoTime() - start) / 1e9);
                if (!failed) lines.add("PASS\t" + d.getMethodName());
            }
        });
        Result result = core.run(request);
        write(out, lines);
        System.exit(result.wasSuccessful() ? 0 : 1);
    }

    private static void write(Path out, List<String> lines) throws IOException {
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        Files.write(tmp, lines);
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
