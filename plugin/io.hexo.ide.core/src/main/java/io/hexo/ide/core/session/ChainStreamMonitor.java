package io.hexo.ide.core.session;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.debug.core.IStreamListener;
import org.eclipse.debug.core.model.IFlushableStreamMonitor;

/**
 * One output stream of a guest session, fed by the successive hexo processes of the session (the first run, then
 * each resume after a migration), so that the output continues in the same Console.
 */
public final class ChainStreamMonitor implements IFlushableStreamMonitor {

    private final List<IStreamListener> listeners = new CopyOnWriteArrayList<>();
    private final StringBuilder contents = new StringBuilder();
    private boolean buffered = true;

    @Override
    public synchronized void addListener(IStreamListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(IStreamListener listener) {
        listeners.remove(listener);
    }

    @Override
    public synchronized String getContents() {
        return contents.toString();
    }

    /** Everything written so far, whether or not the console took it (kept for the session's own checks). */
    private final StringBuilder all = new StringBuilder();

    public synchronized String getAll() {
        return all.toString();
    }

    public void append(String text) {
        synchronized (this) {
            all.append(text);
            if (buffered) {
                contents.append(text);
            }
            for (IStreamListener l : listeners) {
                try {
                    l.streamAppended(text, this);
                } catch (RuntimeException e) {
                    // a listener's problem is not the guest's
                }
            }
        }
    }

    @Override
    public synchronized void flushContents() {
        contents.setLength(0);
    }

    @Override
    public synchronized void setBuffered(boolean buffer) {
        buffered = buffer;
    }

    @Override
    public synchronized boolean isBuffered() {
        return buffered;
    }
}
