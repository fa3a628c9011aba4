package io.hexo.board;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Consumer;

/**
 * Commands run by the board's {@link BoardAgent} on the board itself: /bin/sh -c, in the login
 * directory, as sshd would run them but without a login shell's start-up files (a ~/.bashrc that takes
 * a few hundred milliseconds is paid once, by the agent's start, not by every command).
 */
final class LocalLink implements BoardLink {
    @Override
    public Integer call(String command, Input in, OutputStream out, OutputStream err, Consumer<Runnable> cancel) throws IOException {
        Process p = new ProcessBuilder("/bin/sh", "-c", command).directory(new java.io.File(System.getProperty("user.home"))).start();
        cancel.accept(() -> {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        });
        Thread stdout = pump(p.getInputStream(), out), stderr = pump(p.getErrorStream(), err);
        try (OutputStream up = p.getOutputStream()) {
            if (in != null) in.writeTo(up);
        } catch (IOException e) {
            // the command stopped reading (or ended): its status says how it went
        }
        try {
            int status = p.waitFor();
            stdout.join();
            stderr.join();
            return status;
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private static Thread pump(InputStream from, OutputStream to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[1 << 16];
            try (from) {
                for (int n; (n = from.read(buf)) > 0; ) {
                    to.write(buf, 0, n);
                    to.flush();
                }
            } catch (IOException e) {
                // the client went: the command is ended by its cancel
            }
        }, "hexo-agent-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public String hostKeyFingerprint() {
        return "";
    }

    @Override
    public String kind() {
        return "local";
    }

    @Override
    public void close() {
        // nothing held
    }
}
