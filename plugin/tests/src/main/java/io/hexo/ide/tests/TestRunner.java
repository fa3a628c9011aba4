package io.hexo.ide.tests;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.runner.Description;
import org.junit.runner.JUnitCore;
import org.junit.runner.Request;
import org.junit.runner.Result;
import org.junit.runner.notification.Failure;
import org.junit.runner.notification.RunListener;

/** Runs JUnit 4 classes, prints each test and the closing line {@code N passed, N failed, N skipped}. */
public final class TestRunner {

    private TestRunner() {
    }

    public static int run(String suite, Class<?>... classes) {
        String only = System.getProperty("hexo.ide.tests", "");
        List<Class<?>> selected = new ArrayList<>();
        for (Class<?> c : classes) {
            if (only.isBlank() || Arrays.asList(only.split(",")).contains(c.getSimpleName())) {
                selected.add(c);
            }
        }
        JUnitCore core = new JUnitCore();
        long[] start = new long[1];
        core.addListener(new RunListener() {
            @Override
            public void testStarted(Description d) {
                start[0] = System.currentTimeMillis();
                System.out.println("[" + suite + "] RUN  " + d.getDisplayName());
            }

            @Override
            public void testFailure(Failure f) {
                System.out.println("[" + suite + "] FAIL " + f.getDescription().getDisplayName() + ": " + f.getMessage());
                System.out.println(f.getTrace());
            }

            @Override
            public void testAssumptionFailure(Failure f) {
                System.out.println("[" + suite + "] SKIP " + f.getDescription().getDisplayName() + ": " + f.getMessage());
            }

            @Override
            public void testIgnored(Description d) {
                System.out.println("[" + suite + "] SKIP " + d.getDisplayName());
            }

            @Override
            public void testFinished(Description d) {
                System.out.println("[" + suite + "] DONE " + d.getDisplayName() + " ("
                        + (System.currentTimeMillis() - start[0]) + " ms)");
            }
        });
        Result r = core.run(Request.classes(selected.toArray(new Class<?>[0])));
        int skipped = r.getIgnoreCount() + r.getAssumptionFailureCount();
        int failed = r.getFailureCount();
        int passed = r.getRunCount() - failed - r.getAssumptionFailureCount();
        StringBuilder report = new StringBuilder();
        for (Failure f : r.getFailures()) {
            report.append("FAILED ").append(f.getDescription().getDisplayName()).append(": ")
                    .append(String.valueOf(f.getMessage()).replace('\n', ' ')).append('\n');
        }
        String summary = passed + " passed, " + failed + " failed, " + skipped + " skipped";
        report.append("rss ").append(rssKb()).append(" kB, uptime ")
                .append(ManagementFactory.getRuntimeMXBean().getUptime()).append(" ms\n");
        report.append(summary).append('\n');
        System.out.println("[" + suite + "] " + summary);
        String out = System.getProperty("hexo.ide.results");
        if (out != null && !out.isBlank()) {
            try {
                Files.writeString(Path.of(out), report.toString());
            } catch (IOException e) {
                System.out.println("[" + suite + "] cannot write " + out + ": " + e);
            }
        }
        return failed;
    }

    /** Resident set size of this JVM, from /proc. */
    public static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }
}
