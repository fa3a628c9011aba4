package io.hexo.ide.core.session;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** The guests launched from this IDE (running, and the last finished ones), for the Migration view. */
public final class Guests {

    private static final Guests INSTANCE = new Guests();
    private static final int KEEP_FINISHED = 20;

    private final List<GuestSession> sessions = new ArrayList<>();
    private final List<Consumer<GuestSession>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<GuestSession>> trapListeners = new CopyOnWriteArrayList<>();

    public static Guests get() {
        return INSTANCE;
    }

    public synchronized List<GuestSession> sessions() {
        return List.copyOf(sessions);
    }

    void add(GuestSession s) {
        synchronized (this) {
            sessions.add(s);
            long finished = sessions.stream().filter(GuestSession::isTerminated).count();
            for (int i = 0; i < sessions.size() && finished > KEEP_FINISHED; i++) {
                if (sessions.get(i).isTerminated()) {
                    sessions.remove(i--);
                    finished--;
                }
            }
        }
        changed(s);
    }

    public synchronized void clearFinished() {
        sessions.removeIf(GuestSession::isTerminated);
        changed(null);
    }

    void changed(GuestSession s) {
        for (Consumer<GuestSession> l : listeners) {
            l.accept(s);
        }
    }

    /** Called (on any thread) with the session that changed, or null. */
    public void addListener(Consumer<GuestSession> l) {
        listeners.add(l);
    }

    public void removeListener(Consumer<GuestSession> l) {
        listeners.remove(l);
    }

    /** Called (on the session's thread) when a guest launched in debug mode traps: the UI shows it. */
    public void addTrapListener(Consumer<GuestSession> l) {
        trapListeners.add(l);
    }

    /** A debug session's guest trapped. */
    public void trapped(GuestSession s) {
        for (Consumer<GuestSession> l : trapListeners) {
            l.accept(s);
        }
    }
}
