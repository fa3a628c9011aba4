package io.hexo.vmm.checkpoint;

import java.util.Locale;

/**
 * Timings of a checkpoint's steps for bench/checkpoint.sh and for profiling, off unless the JVM runs with
 * -Dhexo.timings=true (e.g. JAVA_TOOL_OPTIONS): one stderr line per step, "hexo: timing: ...". Measured
 * inside the process, so JVM start and exit do not blur them.
 */
final class StepTimes {
    private static final boolean ON = Boolean.getBoolean("hexo.timings");
    private static volatile long resumeStartedAt, allInFrom;

    private StepTimes() {}

    /**
     * One region file: its pages and time, and where the time went — in write calls (the disk) and with the
     * writer waiting for the scan (zero test, CRC, copy: the CPU): which of the two bounds the save.
     */
    static void regionWritten(String file, long pages, long nanos, long cpuNanos, boolean direct, long diskNanos, long idleNanos) {
        if (ON && pages > 0) {
            say(String.format(Locale.ROOT, "save %s: %d pages (%.1f MB) written and forced in %.3f s (%.2f GB/s); %s, %.3f s in writes, %.3f s waiting for the scan,"
                    + " %.3f s of CPU in the scan", file, pages, pages * 4096 / 1e6, nanos / 1e9, pages * 4096.0 / nanos, direct ? "O_DIRECT" : "page cache",
                    diskNanos / 1e9, idleNanos / 1e9, cpuNanos / 1e9));
        }
    }

    /**
     * CPU time of the calling thread (0 when timings are off): what the scan itself costs, whatever the load
     * (waiting for a CPU is not counted).
     */
    static long threadCpuNanos() {
        return ON ? java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() : 0;
    }

    /** A whole checkpoint, from its first file to its commit (every file forced, renamed, the directory forced). */
    static void saved(long pages, long nanos) {
        if (ON) {
            say(String.format(Locale.ROOT, "save: %.1f MB of pages, every file written, forced and committed in %.3f s (%.2f GB/s)",
                    pages * 4096 / 1e6, nanos / 1e9, pages * 4096.0 / nanos));
        }
    }

    /** --resume opens the checkpoint's manifest. */
    static void resumeStarted() {
        resumeStartedAt = allInFrom = System.nanoTime();
    }

    /** Everything but the pages is verified (manifest, thread, open files, every region's head and index). */
    static void verified() {
        long t = resumeStartedAt;
        if (ON && t != 0) say(String.format(Locale.ROOT, "resume: manifest opened -> everything but the pages verified %.3f s", (System.nanoTime() - t) / 1e9));
    }

    /** The restored guest is about to run its next instruction (its memory may still be filling itself). */
    static void resumed() {
        long t = resumeStartedAt;
        resumeStartedAt = 0; // once per resume
        if (ON && t != 0) say(String.format(Locale.ROOT, "resume: manifest opened -> guest's next instruction %.3f s (at epoch %s)", (System.nanoTime() - t) / 1e9, epoch()));
    }

    /** Every page of the resumed guest's memory is in and verified. */
    static void allPagesIn(long bytes) {
        if (ON && allInFrom != 0) {
            say(String.format(Locale.ROOT, "resume: manifest opened -> every page in and verified (%.1f MB read) %.3f s (at epoch %s)", bytes / 1e6,
                    (System.nanoTime() - allInFrom) / 1e9, epoch()));
        }
    }

    /** Wall-clock seconds since the epoch, to the microsecond: a script subtracts its command's start ($EPOCHREALTIME). */
    private static String epoch() {
        java.time.Instant now = java.time.Instant.now();
        return String.format(Locale.ROOT, "%d.%06d", now.getEpochSecond(), now.getNano() / 1000);
    }

    private static void say(String line) {
        System.err.println("hexo: timing: " + line);
    }
}
