package io.hexo.ide.core.prefs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.hexo.ide.core.HexoCli;

/**
 * "Test connection" of an SSH board: what {@code hexo board test} says about it, after {@code hexo board add} put it in
 * the boards file the command line and the IDE share (~/.config/hexo/boards.json). The boards helper's own code
 * (io.hexo.board: BoardProbe) logs in and reports; the IDE only shows its words.
 */
public final class BoardCheck {

    /** hexo board test's exit status and what it printed (its report, or its one sentence why not). */
    public record Result(int status, String report) {
        public boolean ok() {
            return status == 0;
        }
    }

    private static final long TIMEOUT_SECONDS = 60;

    private BoardCheck() {
    }

    /** The name the board has in the boards file: its address, in the characters a board name allows. */
    public static String nameOf(Board b) {
        return b.address().replaceAll("[^A-Za-z0-9._-]", "-");
    }

    public static Result test(Board b) {
        if (b.kind() != Board.Kind.SSH) {
            return new Result(0, "the built-in board runs on this host: nothing to connect to");
        }
        String addr = b.address();
        String user = addr.substring(0, addr.indexOf('@'));
        String hostPort = addr.substring(addr.indexOf('@') + 1);
        String host = hostPort.contains(":") ? hostPort.substring(0, hostPort.indexOf(':')) : hostPort;
        String port = hostPort.contains(":") ? hostPort.substring(hostPort.indexOf(':') + 1) : "22";
        Result add = hexo("board", "add", nameOf(b), "--host", host, "--port", port, "--user", user);
        if (!add.ok()) {
            return add;
        }
        return hexo("board", "test", nameOf(b));
    }

    /** Forgets the board in the boards file (hexo board remove). */
    public static Result forget(Board b) {
        return hexo("board", "remove", nameOf(b));
    }

    private static Result hexo(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(HexoCli.executable());
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(1 << 16);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, String.join(" ", cmd) + " did not answer in " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return new Result(-1, "cannot run " + cmd.get(0) + " (" + e.getMessage() + "): set hexo home in Window > Preferences > hexo");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
