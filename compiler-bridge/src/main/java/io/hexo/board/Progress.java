package io.hexo.board;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Consumer;

/** Progress of a long copy as lines, at most one a second, so a log stays readable. */
final class Progress {
    private Progress() {}

    static String mb(long bytes) {
        return bytes < 1 << 20 ? String.format("%.1f kB", bytes / 1e3) : String.format("%.1f MB", bytes / 1e6);
    }

    /** out, reporting "what: N% (x of y)" as bytes go through; starts counting at already (a resumed copy). */
    static OutputStream counting(OutputStream out, String what, long already, long total, Consumer<String> progress) {
        return new FilterOutputStream(out) {
            long done = already, last = System.nanoTime();

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                done += len;
                long now = System.nanoTime();
                if (now - last > 1_000_000_000L && total > 0) {
                    last = now;
                    progress.accept("  " + what + " " + (done * 100 / total) + "% (" + mb(done) + " of " + mb(total) + ")");
                }
            }
        };
    }

    /** The same lines for a copy that reports how many bytes of the file went so far. */
    static java.util.function.LongConsumer lines(String what, long total, Consumer<String> progress) {
        long[] last = {System.nanoTime()};
        return done -> {
            long now = System.nanoTime();
            if (now - last[0] > 1_000_000_000L && total > 0) {
                last[0] = now;
                progress.accept("  " + what + " " + (done * 100 / total) + "% (" + mb(done) + " of " + mb(total) + ")");
            }
        };
    }
}
