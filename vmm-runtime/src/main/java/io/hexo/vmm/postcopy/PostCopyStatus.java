package io.hexo.vmm.postcopy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What one side of a post-copy migration shows while it runs: its phase (said to listeners the moment it
 * changes, so that no phase is missed between two samples) and its counts (read whenever a front-end samples:
 * the event stream, the CLI's progress line). Pages are 4 KiB pages: on the source those holding data that
 * it has served, out of all that hold data; on the destination those of linear memory in place, out of all.
 * It also carries the user's one request to a source: take the job back ({@link #requestTakeBack}).
 */
public final class PostCopyStatus {
    public enum Role { SOURCE, DESTINATION;
        public String word() { return name().toLowerCase(); }
    }

    /** The phases, in the order a migration passes them (docs/architecture.md, "Post-copy protocol"). */
    public enum Phase {
        WAITING("waiting"), SERVING("serving"), RESUMED("resumed"), HANDED_OVER("handed-over"), TAKEN_BACK("taken-back"), LOST("lost"),
        /** The destination's DONE went unanswered: it stopped holding the job in a full checkpoint (whose it is, the source's last line says). */
        UNCONFIRMED("unconfirmed");

        private final String word;

        Phase(String word) { this.word = word; }

        public String word() { return word; }

        /** After this phase the counts no longer change. */
        public boolean last() { return this != WAITING && this != SERVING && this != RESUMED; }
    }

    /** Where the counts come from: the page server on the source, guest memory filling itself on the destination. */
    public interface Counts {
        long pagesMoved();

        long pagesTotal();

        long faultsServed();

        long bytesMoved();

        Counts NONE = new Counts() {
            public long pagesMoved() { return 0; }

            public long pagesTotal() { return 0; }

            public long faultsServed() { return 0; }

            public long bytesMoved() { return 0; }
        };
    }

    /** One reading; {@code nanos} (System.nanoTime) lets a reader turn two readings into a rate. */
    public record Snapshot(Role role, Phase phase, String address, long pagesMoved, long pagesTotal, long faultsServed,
                           long bytesMoved, long nanos) {
        /** Bytes a second moved since an earlier reading (0 without one). */
        public long bytesPerSecondSince(Snapshot earlier) {
            if (earlier == null || nanos <= earlier.nanos) return 0;
            return (bytesMoved - earlier.bytesMoved) * 1_000_000_000L / (nanos - earlier.nanos);
        }

        /** The counts a reader shows (phase and address aside). */
        public boolean sameCounts(Snapshot o) {
            return o != null && pagesMoved == o.pagesMoved && pagesTotal == o.pagesTotal && faultsServed == o.faultsServed;
        }
    }

    private final Role role;
    private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();
    private volatile Phase phase;
    private volatile String address;
    private volatile Counts counts = Counts.NONE;
    private volatile boolean takeBackRequested;
    /** A source past its migration point that will serve (guarded by this): Ctrl-C now takes back once serving starts. */
    private boolean armed;

    PostCopyStatus(Role role) {
        this.role = role;
    }

    public Role role() { return role; }

    /** Called with a reading at each phase change, on the thread that changed it. */
    public void onPhase(Consumer<Snapshot> listener) {
        listeners.add(listener);
    }

    /** The current reading, or null before the first phase. */
    public Snapshot snapshot() {
        Phase p = phase;
        if (p == null) return null;
        Counts c = counts;
        return new Snapshot(role, p, address, c.pagesMoved(), c.pagesTotal(), c.faultsServed(), c.bytesMoved(), System.nanoTime());
    }

    /**
     * The user asks the source to take the job back (it runs the guest on itself; the destination is fenced
     * off). True when that can still be done and was not asked before: this is a source that serves and has
     * not handed over — or one stopped at its migration point on its way to serving (the minimal checkpoint
     * being written): the request is taken up as soon as it serves, so that Ctrl-C never ends hexo there.
     */
    public synchronized boolean requestTakeBack() {
        boolean serving = phase == Phase.SERVING || (phase == null && armed);
        if (role != Role.SOURCE || !serving || takeBackRequested) return false;
        takeBackRequested = true;
        return true;
    }

    boolean takeBackRequested() { return takeBackRequested; }

    /** The source stopped at its migration point and is about to serve (true), or will not serve after all (false). */
    synchronized void arm(boolean on) {
        armed = on;
    }

    void enter(Phase p, String where, Counts from) {
        synchronized (this) {
            if (phase == p) return;
            if (where != null) address = where;
            if (from != null) counts = from;
            phase = p;
        }
        Snapshot s = snapshot();
        for (Consumer<Snapshot> l : listeners) l.accept(s);
    }

    void enter(Phase p) {
        enter(p, null, null);
    }
}
