package io.hexo.board;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a hexo command and a {@link BoardHolder} say over the holder's Unix socket, one command per
 * connection. The client opens with MAGIC, its build and an op; for CALL the command, then its input:
 * none, a local file (path and offset: the holder reads it itself), or a stream of frames [length, bytes]
 * ended by an empty one. The holder answers with frames [type, length, bytes]: OUT and ERR (the command's
 * output), PROGRESS (bytes of the input file sent so far), then STATUS (its exit status, -1 when the
 * connection to the board went first) or FAILED (a sentence). A client that goes away before the end
 * makes the holder close the command's channel.
 *
 * <p>RUN (a holder only; the `hexo` launcher's native client, resources/client/hexo-board-client.c): the
 * client's hexo home, its argv, working directory and environment (each string as [length, bytes], the
 * lists counted first); then, while the command runs, one byte per signal the client got (SIG_*). The
 * holder answers FALLBACK (start hexo's JVM instead: another hexo, build or settings, a command it does
 * not run) or ACCEPTED, at once, then OUT and ERR frames and STATUS, after which it closes the connection.
 * A client that loses its holder after ACCEPTED says so and must not start the command again: it may
 * already be running on the board. The client sends "-"
 * as its build: it is checked by hexo home and the jars' build instead.
 */
final class HoldProtocol {
    private HoldProtocol() {}

    static final String MAGIC = "hexo-hold/1";
    static final byte CALL = 'c', INFO = 'i', QUIT = 'q', RUN = 'r';
    static final byte SIG_INT = 'I', SIG_TERM = 'T', SIG_USR1 = 'U';
    static final byte NO_INPUT = 0, STREAM_INPUT = 1, FILE_INPUT = 2;
    static final byte OUT = 'o', ERR = 'e', PROGRESS = 'p', STATUS = 's', FAILED = 'x', STALE = 'v', FALLBACK = 'f', ACCEPTED = 'a';

    /**
     * This hexo's build, as the holder compares it: the newest of the jars it runs from. A holder of
     * another build (hexo was rebuilt or reinstalled since it started) retires and a new one is started.
     */
    static String build() {
        long newest = 0, total = 0;
        for (String entry : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            try {
                Path p = Path.of(entry);
                if (!Files.isRegularFile(p)) continue;
                newest = Math.max(newest, Files.getLastModifiedTime(p).toMillis());
                total += Files.size(p);
            } catch (IOException | java.nio.file.InvalidPathException ignored) {
                // an entry that is not there is no part of the build
            }
        }
        return newest + "-" + total;
    }

    static void writeFrame(DataOutputStream out, byte type, byte[] data, int off, int len) throws IOException {
        synchronized (out) {
            out.writeByte(type);
            out.writeInt(len);
            out.write(data, off, len);
            out.flush();
        }
    }

    static void writeFrame(DataOutputStream out, byte type, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        writeFrame(out, type, b, 0, b.length);
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (16 << 20)) throw new IOException("a hexo holder message of " + n + " bytes");
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    /** A stream of [length, bytes] frames up to the empty one; EOF before it means the sender went. */
    static InputStream framedInput(DataInputStream in, Runnable atEnd) {
        return new InputStream() {
            int left;
            boolean ended;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (ended) return -1;
                if (left == 0) {
                    left = in.readInt(); // EOFException: the client went away in the middle
                    if (left == 0) {
                        ended = true;
                        atEnd.run();
                        return -1;
                    }
                }
                int n = in.read(b, off, Math.min(len, left));
                if (n < 0) throw new java.io.EOFException("the hexo command went away while sending");
                left -= n;
                return n;
            }
        };
    }

    /** The writing side of framedInput; close() sends the empty frame. */
    static java.io.OutputStream framedOutput(DataOutputStream out) {
        return new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len == 0) return;
                synchronized (out) {
                    out.writeInt(len);
                    out.write(b, off, len);
                }
            }

            @Override
            public void close() throws IOException {
                synchronized (out) {
                    out.writeInt(0);
                    out.flush();
                }
            }
        };
    }

    /**
     * The socket's reading side as a stream. Not Channels.newInputStream: in Java 17 its read holds the
     * channel's blocking lock, which a write through Channels.newOutputStream then waits for — a reader
     * waiting for the client's end would stop every answer.
     */
    static InputStream input(java.nio.channels.SocketChannel ch) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : ch.read(java.nio.ByteBuffer.wrap(b, off, len));
            }
        };
    }

    /** The socket's writing side as a stream (see input). */
    static java.io.OutputStream output(java.nio.channels.SocketChannel ch) {
        return new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) ch.write(buf);
            }
        };
    }

    /**
     * The client's side of one CALL over a connection to a holder or an agent: the request, the input
     * (by path when the far side reads this machine's files: filesByPath, else as frames), then the
     * answers into out and err; the exit status, or null when the far side went before the end.
     */
    static Integer clientCall(InputStream fromPeer, java.io.OutputStream toPeer, String build, String command, BoardLink.Input in,
                              boolean filesByPath, java.io.OutputStream out, java.io.OutputStream err) throws IOException {
        DataOutputStream req = new DataOutputStream(new java.io.BufferedOutputStream(toPeer, 1 << 16));
        req.writeUTF(MAGIC);
        req.writeUTF(build);
        req.writeByte(CALL);
        writeString(req, command);
        Thread sending = null;
        if (in == null) {
            req.writeByte(NO_INPUT);
        } else if (in.file() != null && filesByPath) {
            req.writeByte(FILE_INPUT);
            writeString(req, in.file().toAbsolutePath().toString());
            req.writeLong(in.from());
        } else {
            req.writeByte(STREAM_INPUT);
            sending = new Thread(() -> {
                try (java.io.OutputStream up = framedOutput(req)) {
                    in.writeTo(up);
                } catch (IOException e) {
                    // the far side went: its answers say so
                }
            }, "hexo-call-input");
            sending.setDaemon(true);
        }
        req.flush();
        if (sending != null) sending.start();
        DataInputStream answers = new DataInputStream(new java.io.BufferedInputStream(fromPeer, 1 << 16));
        byte[] buf = new byte[1 << 16];
        while (true) {
            byte type;
            int len;
            try {
                type = answers.readByte();
                len = answers.readInt();
            } catch (IOException e) {
                return null; // the far side went (killed, or its connection to the board closed)
            }
            switch (type) {
                case OUT, ERR -> {
                    java.io.OutputStream to = type == OUT ? out : err;
                    for (int left = len; left > 0; ) {
                        int n = answers.read(buf, 0, Math.min(buf.length, left));
                        if (n < 0) return null;
                        to.write(buf, 0, n);
                        left -= n;
                    }
                    to.flush();
                }
                case PROGRESS -> {
                    long done = Long.parseLong(new String(answers.readNBytes(len), StandardCharsets.US_ASCII));
                    if (in != null && in.progress() != null) in.progress().accept(done);
                }
                case STATUS -> {
                    int status = Integer.parseInt(new String(answers.readNBytes(len), StandardCharsets.US_ASCII));
                    if (sending != null) {
                        try {
                            sending.join();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return status < 0 ? null : status;
                }
                case FAILED -> throw new IOException(new String(answers.readNBytes(len), StandardCharsets.UTF_8));
                default -> throw new IOException("hexo's holder or agent answered what this hexo does not understand");
            }
        }
    }
}
