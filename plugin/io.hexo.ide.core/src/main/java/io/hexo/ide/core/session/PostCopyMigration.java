package io.hexo.ide.core.session;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import io.hexo.vmm.run.RunEvent;

/**
 * One post-copy migration as a front-end follows it: per side (source, destination) what hexo's last {@code postcopy}
 * event said (phase, pages moved / total, faults served, prefetch rate), and when the hand-over happened. Both runs'
 * event streams feed it, each in order; any thread may read it. Only hexo's events move it, never a guess: the IDE
 * must not disagree with the command line.
 */
public final class PostCopyMigration {
    public static final String SOURCE = "source";
    public static final String DESTINATION = "destination";
    public static final String SERVING = "serving";
    public static final String RESUMED = "resumed";
    public static final String HANDED_OVER = "handed-over";
    public static final String TAKEN_BACK = "taken-back";
    public static final String LOST = "lost";
    /** A destination started with --wait, before its source reached the migration point. */
    public static final String WAITING = "waiting";
    /** A destination whose DONE went unanswered: it stopped, keeping the job in a full checkpoint (docs/architecture.md). */
    public static final String UNCONFIRMED = "unconfirmed";

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final String sourceIsa;
    private final String destinationIsa;
    private volatile RunEvent.PostCopyProgress source;
    private volatile RunEvent.PostCopyProgress destination;
    /** Each side's last non-zero prefetch rate: hexo says 0 once the counts stop (the last phases). */
    private volatile long sourceRate;
    private volatile long destinationRate;
    private volatile long resumedAt;
    private volatile long handedOverAt;
    /** The phases already said in the Console, per side ("source:serving"...), so that each is said once. */
    private final java.util.Set<String> said = new java.util.HashSet<>();

    /** A migration from {@code sourceIsa} to {@code destinationIsa} ("x86" or "arm"). */
    public PostCopyMigration(String sourceIsa, String destinationIsa) {
        this.sourceIsa = sourceIsa;
        this.destinationIsa = destinationIsa;
    }

    /**
     * Takes one side's event, seen at {@code nowMillis}; returns the Console's sentence when that side reached a phase
     * it had not reported yet (the hand-over said once, by whichever side tells first), else null.
     */
    public synchronized String accept(RunEvent.PostCopyProgress e, long nowMillis) {
        boolean fromSource = SOURCE.equals(e.role());
        if (fromSource) {
            source = e;
            sourceRate = e.prefetchBytesPerSecond() > 0 ? e.prefetchBytesPerSecond() : sourceRate;
        } else {
            destination = e;
            destinationRate = e.prefetchBytesPerSecond() > 0 ? e.prefetchBytesPerSecond() : destinationRate;
        }
        String phase = e.phase();
        if (RESUMED.equals(phase) && resumedAt == 0) {
            resumedAt = nowMillis;
        }
        String key = HANDED_OVER.equals(phase) ? phase : e.role() + ":" + phase;
        if (!said.add(key)) {
            return null;
        }
        String src = RunSpec.isaLabel(sourceIsa), dst = RunSpec.isaLabel(destinationIsa);
        return switch (phase) {
            case SERVING -> fromSource ? "post-copy: the source (" + src + ") serves the guest's " + e.pagesTotal() + " pages on "
                    + e.address() : null;
            case RESUMED -> "post-copy: the guest resumed on " + dst + " at once; its pages follow from " + e.address();
            case HANDED_OVER -> {
                handedOverAt = nowMillis;
                yield "post-copy hand-over at " + CLOCK.format(Instant.ofEpochMilli(nowMillis)) + ": the destination ("
                        + dst + ") holds all " + e.pagesTotal() + " pages; the source (" + src + ") lets go";
            }
            case TAKEN_BACK -> "post-copy: the source (" + src + ") took the job back: it lost its destination before the"
                    + " hand-over, and the guest goes on on " + src;
            case LOST -> "post-copy: the destination (" + dst + ") lost its source for good before the hand-over and stopped ("
                    + e.pagesMoved() + " / " + e.pagesTotal() + " pages had arrived)";
            case WAITING -> "post-copy: the destination (" + dst + ") is ready and waits for the source's migration point at " + e.address();
            case UNCONFIRMED -> "post-copy: the destination (" + dst + ") never heard whether the source let go; it stopped and keeps the"
                    + " job in a full checkpoint: resume it only if the source said \"post-copy hand-over\", not if it \"took the job back\"";
            default -> null;
        };
    }

    /** The source's last event, or null before it said anything. */
    public RunEvent.PostCopyProgress source() {
        return source;
    }

    /** The destination's last event, or null before it said anything. */
    public RunEvent.PostCopyProgress destination() {
        return destination;
    }

    public String sourceIsa() {
        return sourceIsa;
    }

    public String destinationIsa() {
        return destinationIsa;
    }

    /** When the hand-over was first reported (ms since the epoch), or 0. */
    public long handedOverAt() {
        return handedOverAt;
    }

    /** When the destination said it resumed (ms since the epoch), or 0. */
    public long resumedAt() {
        return resumedAt;
    }

    public boolean handedOver() {
        return handedOverAt > 0;
    }

    /** Handed over, taken back by the source, lost or left unconfirmed by the destination: nothing more will move. */
    public boolean ended() {
        return handedOver() || is(source, TAKEN_BACK) || is(destination, LOST) || is(destination, UNCONFIRMED);
    }

    /**
     * "handed over at 14:50:01.123", or how it ended otherwise, or null while it runs. The moment is when the event was
     * read (within the event stream's 50 ms poll); no duration is derived from such moments, hexo's own line gives it.
     */
    public String handOver() {
        if (handedOver()) {
            return "handed over at " + CLOCK.format(Instant.ofEpochMilli(handedOverAt));
        }
        if (is(source, TAKEN_BACK)) {
            return "taken back by the source";
        }
        if (is(destination, LOST)) {
            return "the destination lost its source";
        }
        if (is(destination, UNCONFIRMED)) {
            return "unconfirmed: the destination keeps a full checkpoint";
        }
        return null;
    }

    /** The source's line (see {@link #describe}). */
    public String describeSource() {
        return describe(source, sourceRate);
    }

    /** The destination's line (see {@link #describe}). */
    public String describeDestination() {
        return describe(destination, destinationRate);
    }

    /**
     * One side's line: "resumed: 1234 / 3072 pages, 3 faults served, prefetch 281 MB/s", or "waiting" before its first
     * event. Once the counts stop, the last rate hexo sampled ({@code lastRate}); none when all moved between two samples.
     */
    public static String describe(RunEvent.PostCopyProgress e, long lastRate) {
        if (e == null) {
            return "waiting";
        }
        long r = e.prefetchBytesPerSecond() > 0 ? e.prefetchBytesPerSecond() : lastRate;
        return e.phase() + ": " + e.pagesMoved() + " / " + e.pagesTotal() + " pages, " + e.faultsServed() + " faults served, prefetch "
                + (r > 0 ? rate(r) : "done within one sample (100 ms)");
    }

    /** Bytes a second as the CLI's progress line says them (decimal units). */
    public static String rate(long bytesPerSecond) {
        if (bytesPerSecond >= 10_000_000) {
            return bytesPerSecond / 1_000_000 + " MB/s";
        }
        if (bytesPerSecond >= 1_000_000) {
            return String.format(java.util.Locale.ROOT, "%.1f MB/s", bytesPerSecond / 1e6);
        }
        return bytesPerSecond / 1000 + " kB/s";
    }

    /** The fraction of pages moved, 0 to 1 (1 for a guest without pages to move). */
    public static double fraction(RunEvent.PostCopyProgress e) {
        if (e == null) {
            return 0;
        }
        return e.pagesTotal() <= 0 ? 1 : Math.min(1, (double) e.pagesMoved() / e.pagesTotal());
    }

    private static boolean is(RunEvent.PostCopyProgress e, String phase) {
        return e != null && phase.equals(e.phase());
    }
}
