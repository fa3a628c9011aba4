package io.hexo.vmm.guest;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Consumer;

/**
 * Where a guest's standard streams go, and where hexo's own notices go. The CLI passes System.in/out/err;
 * the IDE and tests pass their own.
 *
 * @param notices hexo's own one-line messages (never mixed into the guest's stdout)
 * @param kernelLog the guest kernel's log lines (--verbose), or null
 */
public record GuestConsole(InputStream in, OutputStream out, OutputStream err, Consumer<String> notices,
                           Consumer<String> kernelLog) {
    public static GuestConsole system(boolean verbose) {
        Consumer<String> toStderr = line -> {
            System.err.println(line);
            System.err.flush();
        };
        return new GuestConsole(System.in, System.out, System.err, toStderr, verbose ? toStderr : null);
    }
}
