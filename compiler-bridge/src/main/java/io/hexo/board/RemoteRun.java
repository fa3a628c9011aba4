package io.hexo.board;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A guest run on a board under hexo-supervise (see that script): started detached in its own session,
 * its output kept in HOME/runs/ID/out and err, so the client may go away and come back. Following a run
 * streams those logs as they grow (tail) and ends with the run's exit status; signals go to the run's
 * hexo by pid.
 */
public final class RemoteRun {
    private RemoteRun() {}

    /** What `hexo board ps` shows of one run. */
    public record Info(String id, String state, String command) {}

    /**
     * Starts `hexo run IMAGES ARGS...` on the board when the plan's runtime and images are there, and
     * returns the run's ID; null when something must be deployed first. workdir and checkpointDir are
     * paths on the board (relative to the login directory), or null for HOME/work.
     */
    public static String start(BoardSession board, String home, BoardDeploy.Plan plan, String workdir, String checkpointDir,
                               List<String> args, String display) throws BoardException {
        return start(board, home, plan, workdir, checkpointDir, args, display, false);
    }

    /**
     * The same; with events, the run's --events go to its directory (ID/events), which {@link #follow(BoardSession,
     * String, String, OutputStream, OutputStream, OutputStream)} streams back like its output.
     */
    public static String start(BoardSession board, String home, BoardDeploy.Plan plan, String workdir, String checkpointDir,
                               List<String> args, String display, boolean eventsFlag) throws BoardException {
        StringBuilder cmd = new StringBuilder();
        for (String a : args) cmd.append(' ').append(q(a));
        String rid = plan.runtime().id(), events = eventsFlag ? " --events-to=\"$d/events\"" : "";
        String script = String.join("\n",
                "H=" + q(home) + "; mkdir -p \"$H\" && H=$(cd \"$H\" && pwd) || exit 1",
                "R=\"$H/runtime/" + rid + "\"; I=\"$H/images/" + plan.images().id() + "\"",
                "if [ ! -e \"$R/.ready\" ] || [ ! -e \"$I/.ready\" ]; then echo deploy; exit 0; fi",
                "W=" + (workdir != null ? q(workdir) : "\"$H/work\"") + "; C=" + (checkpointDir != null ? q(checkpointDir) : "\"$W\""),
                "mkdir -p \"$W\" \"$C\" \"$H/runs\" || exit 1",
                // absolute: a spare's hexo runs from elsewhere
                "W=$(cd \"$W\" && pwd) && C=$(cd \"$C\" && pwd) || exit 1",
                "id=$(date -u +%Y%m%d-%H%M%S)-$$; d=\"$H/runs/$id\"",
                Spares.claim(rid),
                "if [ -n \"$s\" ]; then",
                "  printf '%s\\n' " + q(display) + " > \"$d/cmd\" && echo " + rid + " > \"$d/runtime\"" + (eventsFlag ? " && : > \"$d/events\"" : "") + " || exit 1",
                // read-write: never blocks; the spare holds the FIFO open and reads the count, then the arguments
                "  set -- run \"$I\" --workdir \"$W\" --checkpoint-dir \"$C\"" + cmd + events,
                "  exec 3<>\"$d/args\" && printf '%s\\0' \"$#\" \"$@\" >&3 && exec 3>&-",
                "else",
                "  mkdir \"$d\" && : > \"$d/out\" && : > \"$d/err\" || exit 1",
                "  printf '%s\\n' " + q(display) + " > \"$d/cmd\" && echo " + rid + " > \"$d/runtime\"" + (eventsFlag ? " && : > \"$d/events\"" : ""),
                "  setsid \"$R/bin/hexo-supervise\" \"$d\" \"$R/hexo\" run \"$I\" --workdir \"$W\" --checkpoint-dir \"$C\"" + cmd + events
                        + " < /dev/null > /dev/null 2>&1 &",
                "fi",
                "n=0; while [ ! -e \"$d/pid\" ]; do sleep 0.01; n=$((n+1)); [ $n -lt 3000 ] || { echo 'no supervisor'; exit 1; }; done",
                "echo \"started $id\"");
        String reply = board.exec(script).strip();
        if (reply.equals("deploy")) return null;
        if (!reply.startsWith("started ")) throw new BoardException("board " + board.name() + " did not start the run: " + reply);
        return reply.substring("started ".length());
    }

    /** Whether the board has a run of that ID. */
    public static boolean exists(BoardSession board, String home, String id) throws BoardException {
        checkId(id);
        return board.exec("[ -e " + q(runDir(home, id) + "/pid") + " ] && echo yes || echo no").strip().equals("yes");
    }

    /**
     * Streams the run's output from its beginning into out and err until it ends, and returns its exit
     * status; a BoardException when the connection went first (the run goes on).
     */
    public static int follow(BoardSession board, String home, String id, OutputStream out, OutputStream err) throws BoardException {
        return follow(board, home, id, out, err, null);
    }

    /** The same, with the run's event stream (when it was started with events) into events, or null for none. */
    public static int follow(BoardSession board, String home, String id, OutputStream out, OutputStream err, OutputStream events)
            throws BoardException {
        Thread eventsFollower = null;
        if (events != null) {
            String d = runDir(home, id);
            // its tail ends with the run's hexo, after its last line; a lost connection ends it as well
            String script = "d=" + q(d) + "; pid=$(cat \"$d/pid\") && [ -e \"$d/events\" ] || exit 0; exec 4>&1; "
                    + "n=$(tail -c +1 -s 0.05 -f --pid=\"$pid\" \"$d/events\" | tee /proc/self/fd/4 | wc -c); tail -c +$((n+1)) \"$d/events\"; exec 4>&-";
            eventsFollower = new Thread(() -> {
                try {
                    board.call(script, null, events, OutputStream.nullOutputStream());
                } catch (BoardException e) {
                    // the output's follower says it
                }
            }, "hexo-board-events");
            eventsFollower.setDaemon(true);
            eventsFollower.start();
        }
        try {
            return followOutput(board, home, id, out, err);
        } finally {
            if (eventsFollower != null) {
                try {
                    eventsFollower.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static int followOutput(BoardSession board, String home, String id, OutputStream out, OutputStream err) throws BoardException {
        String d = runDir(home, id);
        String script = String.join("\n",
                "d=" + q(d) + "; pid=$(cat \"$d/pid\") || exit 255",
                // -s: how soon tail notices the run's end (new output comes at once where it has inotify). tail
                // may end without what the run wrote just before it ended: counted (tee, wc), the rest follows.
                "exec 4>&1 5>&2",
                // The rest only once the run has ended: a tail that stopped early (or could not follow) loses nothing.
                "ended() { [ -e \"$d/status\" ] || ! kill -0 \"$(cat \"$d/supervisor\")\" 2>/dev/null; }",
                "{ e=$(tail -c +1 -s 0.02 -f --pid=\"$pid\" \"$d/err\" | tee /proc/self/fd/5 | wc -c); until ended; do sleep 0.02; done;"
                        + " tail -c +$((e+1)) \"$d/err\" >&5; } & t=$!",
                "o=$(tail -c +1 -s 0.02 -f --pid=\"$pid\" \"$d/out\" | tee /proc/self/fd/4 | wc -c); until ended; do sleep 0.02; done;"
                        + " tail -c +$((o+1)) \"$d/out\"",
                "wait $t",
                "exec 4>&- 5>&-", // the spare started below must not hold this channel's output open
                "while [ ! -e \"$d/status\" ]; do",
                "  kill -0 \"$(cat \"$d/supervisor\")\" 2>/dev/null || { echo 'hexo: the run " + id
                        + " ended without an exit status (was the board restarted?)' >&2; exit 255; }",
                "  sleep 0.02",
                "done",
                // in the background: the status goes back now, the spare for the next run comes up meanwhile
                "( " + Spares.makeOneAfterRun(home, "$(cat \"$d/runtime\" 2>/dev/null)"),
                ") < /dev/null > /dev/null 2>&1 &",
                "exit \"$(cat \"$d/status\")\"");
        try {
            return board.call(script, null, out, err);
        } catch (BoardException e) {
            throw lost(board, id);
        }
    }

    private static BoardException lost(BoardSession board, String id) {
        return new BoardException("lost the connection to board " + board.name() + "; the guest goes on there as run " + id
                + ": `hexo board ps " + board.name() + "` shows it, `hexo run --board " + board.name() + " --attach " + id + "` follows it again");
    }

    /** Ctrl-C (interrupt=true) or a migration request (SIGUSR1) for the run's hexo. */
    public static void signal(BoardSession board, String home, String id, boolean interrupt) throws BoardException {
        String d = q(runDir(home, id));
        board.exec("kill -" + (interrupt ? "\"$(cat " + d + "/interrupt)\"" : "USR1") + " \"$(cat " + d + "/pid)\" 2>/dev/null; true");
    }

    /** Stops the spare hexo JVMs waiting on the board for runs (see {@link Spares}). */
    public static void stopSpares(BoardSession board, String home) throws BoardException {
        board.exec(Spares.stopAll(home));
    }

    /** The board's runs, oldest first. */
    public static List<Info> list(BoardSession board, String home) throws BoardException {
        String script = String.join("\n",
                "cd " + q(home + "/runs") + " 2>/dev/null || exit 0",
                "for d in */; do d=${d%/}; [ -e \"$d/pid\" ] || continue",
                "  if [ -e \"$d/status\" ]; then st=\"exited $(cat \"$d/status\")\"",
                "  elif kill -0 \"$(cat \"$d/supervisor\")\" 2>/dev/null; then st=running; else st=lost; fi",
                "  printf '%s\\t%s\\t%s\\n' \"$d\" \"$st\" \"$(cat \"$d/cmd\")\"",
                "done");
        List<Info> runs = new ArrayList<>();
        for (String line : board.exec(script).lines().toList()) {
            String[] f = line.split("\t", 3);
            if (f.length == 3) runs.add(new Info(f[0], f[1], f[2]));
        }
        return runs;
    }

    private static String runDir(String home, String id) {
        return home + "/runs/" + id;
    }

    private static void checkId(String id) throws BoardException {
        if (!id.matches("[0-9]{8}-[0-9]{6}-[0-9]+")) {
            throw new BoardException("'" + id + "' is not a run ID (like 20261203-114501-4242): `hexo board ps NAME` lists them");
        }
    }

    private static String q(String s) {
        return BoardTransfer.quote(s);
    }
}
