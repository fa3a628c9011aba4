package io.hexo.ide.core.prefs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.hexo.ide.core.HexoCli;

/**
 * The boards commands of hexo as the preference page uses them: {@code hexo board add / remove / test / trust}. The
 * boards helper's code (io.hexo.board: Boards, BoardProbe) keeps the file and logs in; the IDE only shows its words.
 */
public final class BoardCheck {

    /** A hexo board command's exit status and what it printed (its report, or its one sentence why not). */
    public record Result(int status, String report) {
        public boolean ok() {
            return status == 0;
        }

        /**
         * The fingerprint of a host key that known_hosts does not know yet (hexo's sentence names it, then offers
         * {@code hexo board trust}); null when the failure was something else.
         */
        public String unknownHostKey() {
            var m = java.util.regex.Pattern.compile("does not know \\((SHA256:[A-Za-z0-9+/=]+)\\)").matcher(report);
            return !ok() && m.find() ? m.group(1) : null;
        }
    }

    private static final long TIMEOUT_SECONDS = 60;

    private BoardCheck() {
    }

    /** hexo board add NAME --host H --port P --user U [--key K] [--home D]. */
    public static Result add(String name, String host, int port, String user, String key, String home) {
        List<String> args = new ArrayList<>(List.of("board", "add", name, "--host", host, "--port", Integer.toString(port), "--user", user));
        if (key != null && !key.isBlank()) {
            args.addAll(List.of("--key", key.trim()));
        }
        if (home != null && !home.isBlank()) {
            args.addAll(List.of("--home", home.trim()));
        }
        Result r = hexo(args.toArray(String[]::new));
        HexoPreferences.boardsChanged();
        return r;
    }

    /** What hexo board test reports (the same lines as in a terminal). */
    public static Result test(Board b) {
        if (!b.isSsh()) {
            return new Result(0, "the built-in board runs on this host: nothing to connect to");
        }
        return hexo("board", "test", b.id());
    }

    /** Records the board's host key in known_hosts (hexo board trust): only after the user saw its fingerprint. */
    public static Result trust(Board b) {
        return hexo("board", "trust", b.id());
    }

    /** Forgets the board in the boards file (hexo board remove). */
    public static Result forget(Board b) {
        Result r = hexo("board", "remove", b.id());
        HexoPreferences.boardsChanged();
        return r;
    }

    static Result hexo(String... args) {
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
