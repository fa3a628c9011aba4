package io.hexo.board;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * What hexo does over an SSH connection to a board: run a command there with some input, its output
 * streamed back. Through a MINA SSHD connection of this JVM, an exec channel each ({@link MinaLink});
 * through the connection a {@link BoardHolder} keeps open for every hexo command of this user
 * ({@link HeldLink}); from the holder to the board's {@link BoardAgent} ({@link AgentLink}); and, in the
 * agent, on the board itself ({@link LocalLink}).
 */
interface BoardLink extends AutoCloseable {
    /**
     * Runs command on the board with stdin from in (null: none), stdout into out and stderr into err;
     * its exit status, or null when the connection went before the command ended.
     */
    default Integer call(String command, Input in, OutputStream out, OutputStream err) throws IOException {
        return call(command, in, out, err, cancel -> {});
    }

    /** The same; cancel hears, once the command runs, how to end it early (a holder's client went away). */
    Integer call(String command, Input in, OutputStream out, OutputStream err, java.util.function.Consumer<Runnable> cancel) throws IOException;

    /** The SHA-256 fingerprint of the board's host key, as ssh shows it. */
    String hostKeyFingerprint();

    /** "direct" or "held", for notices and tests. */
    String kind();

    @Override
    void close();

    /**
     * A command's standard input: a local file from byte `from` on (which a holder reads itself, not
     * through this process), some bytes, or a stream. progress hears how many bytes of the file went.
     */
    record Input(Path file, long from, byte[] bytes, InputStream stream, LongConsumer progress) {
        static Input of(Path file, long from, LongConsumer progress) {
            return new Input(file, from, null, null, progress);
        }

        static Input of(byte[] bytes) {
            return new Input(null, 0, bytes, null, null);
        }

        static Input of(InputStream stream) {
            return new Input(null, 0, null, stream, null);
        }

        /** Writes it all into up (the channel's stdin), reporting progress about every 32 MB. */
        void writeTo(OutputStream up) throws IOException {
            if (bytes != null) {
                up.write(bytes);
                return;
            }
            try (InputStream in = file != null ? Files.newInputStream(file) : stream) {
                if (file != null) in.skipNBytes(from);
                byte[] buf = new byte[256 * 1024];
                long done = from, told = from;
                for (int n; (n = in.read(buf)) > 0; ) {
                    up.write(buf, 0, n);
                    done += n;
                    if (progress != null && done - told >= 32 << 20) {
                        progress.accept(done);
                        told = done;
                    }
                }
                if (progress != null && done != told) progress.accept(done);
            }
        }
    }
}
