package io.hexo.cli;

import io.hexo.vmm.postcopy.PostCopyStatus;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CLI's view of a post-copy migration on stderr: on a terminal one line, redrawn in place every
 * {@value #REDRAW_MILLIS} ms while pages move; elsewhere (a log, a pipe) only a line at each phase, so that
 * a log stays readable.
 */
final class PostCopyProgressLine {
    private static final long REDRAW_MILLIS = 200;
    /** Back to the line's start, and clear what is left of it. */
    private static final String REDRAW = "\r", CLEAR = "\033[K";

    private final PrintStream err;
    private final boolean terminal;
    private boolean drawn;
    private PostCopyStatus.Snapshot last;

    private PostCopyProgressLine(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Follows status until its last phase. */
    static void follow(PostCopyStatus status, PrintStream err) {
        PostCopyProgressLine line = new PostCopyProgressLine(err, stderrIsATerminal());
        status.onPhase(line::phase);
        warmUp(status.role());
        if (!line.terminal) return;
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(REDRAW_MILLIS);
                    PostCopyStatus.Snapshot s = status.snapshot();
                    if (s == null) continue;
                    if (s.phase().last()) return;
                    line.redraw(s);
                }
            } catch (InterruptedException e) {
                // the run ended
            }
        }, "hexo-postcopy-line");
        t.setDaemon(true);
        t.start();
    }

    private synchronized void phase(PostCopyStatus.Snapshot s) {
        clear();
        err.println(phaseLine(s));
        last = s;
    }

    private static String phaseLine(PostCopyStatus.Snapshot s) {
        // A destination waiting for its source's migration point (or one that lost it then) has no pages to count yet.
        return "hexo: post-copy (" + s.role().word() + "): " + s.phase().word() + " at " + s.address() + (s.pagesTotal() == 0 ? "" : ", " + counts(s));
    }

    /**
     * The lines' text built once ahead, on a background thread: the phase line is said on the thread that changed
     * the phase, which at "resumed" is the destination's way to the guest's next instruction, and building it the
     * first time (linking its string concatenations) cost 50 ms there under load.
     */
    private static void warmUp(PostCopyStatus.Role role) {
        Thread t = new Thread(() -> phaseLine(new PostCopyStatus.Snapshot(role, PostCopyStatus.Phase.RESUMED, "127.0.0.1:1", 1, 2, 3, 4, 0)),
                "hexo-postcopy-line-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private synchronized void redraw(PostCopyStatus.Snapshot s) {
        if (s.sameCounts(last) && drawn) return;
        err.print(REDRAW + "hexo: post-copy: " + counts(s) + ", " + (s.bytesPerSecondSince(last) >> 20) + " MiB/s" + CLEAR);
        err.flush();
        drawn = true;
        last = s;
    }

    private void clear() {
        if (!drawn) return;
        err.print(REDRAW + CLEAR);
        drawn = false;
    }

    private static String counts(PostCopyStatus.Snapshot s) {
        long pct = s.pagesTotal() == 0 ? 100 : s.pagesMoved() * 100 / s.pagesTotal();
        return s.pagesMoved() + "/" + s.pagesTotal() + " pages moved (" + pct + " %), " + s.faultsServed()
                + (s.role() == PostCopyStatus.Role.SOURCE ? " requests" : " faults") + " served";
    }

    /** Whether hexo's stderr is a terminal (where redrawing a line makes sense). */
    private static boolean stderrIsATerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
