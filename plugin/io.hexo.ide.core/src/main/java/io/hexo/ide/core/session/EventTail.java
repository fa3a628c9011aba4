package io.hexo.ide.core.session;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import io.hexo.vmm.run.RunEvent;

/**
 * Follows the file a {@code hexo run --events=json --events-to=FILE} writes: each complete line, parsed by the CLI's
 * own {@link RunEvent}, goes to the consumer in order. A file (not a pipe) so that a hexo that fails before opening it
 * leaves nothing blocked.
 */
final class EventTail {
    private static final long POLL_MILLIS = 50;

    private final Path file;
    private final Consumer<RunEvent> consumer;
    private final Thread thread;
    /** Bytes of a line not complete yet: decoded only whole, so a character split across reads stays whole. */
    private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
    private long offset;
    private volatile boolean stopping;

    EventTail(Path file, Consumer<RunEvent> consumer, String name) {
        this.file = file;
        this.consumer = consumer;
        this.thread = new Thread(this::follow, "hexo events " + name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** After hexo ended: reads what is left, then stops. */
    void finish() throws InterruptedException {
        stopping = true;
        thread.join(5000);
    }

    private void follow() {
        try {
            while (true) {
                boolean last = stopping;
                readNew();
                if (last) {
                    return;
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readNew() {
        if (!Files.exists(file)) {
            return;
        }
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(Math.min(offset, Files.size(file)));
            byte[] b = in.readAllBytes();
            offset += b.length;
            for (byte x : b) {
                if (x != '\n') {
                    partial.write(x);
                    continue;
                }
                RunEvent e = RunEvent.parse(partial.toString(StandardCharsets.UTF_8));
                partial.reset();
                if (e != null) {
                    consumer.accept(e);
                }
            }
        } catch (IOException e) {
            // read again at the next poll
        }
    }
}
