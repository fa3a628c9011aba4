package io.hexo.board;

import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.EnumSet;
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
                               List<String> args, String display, boolean events) throws BoardException {
        StringBuilder cmd = new StringBuilder();
        for (String a : args) cmd.append(' ').append(q(a));
        String script = String.join("\n",
                "H=" + q(home) + "; mkdir -p \"$H\" && H=$(cd \"$H\" && pwd) || exit 1",
                "R=\"$H/runtime/" + plan.runtime().id() + "\"; I=\"$H/images/" + plan.images().id() + "\"",
                "if [ ! -e \"$R/.ready\" ] || [ ! -e \"$I/.ready\" ]; then echo deploy; exit 0; fi",
                "W=" + (workdir != null ? q(workdir) : "\"$H/work\"") + "; C=" + (checkpointDir != null ? q(checkpointDir) : "\"$W\""),
                "mkdir -p \"$W\" \"$C\" \"$H/runs\" || exit 1",
                "id=$(date -u +%Y%m%d-%H%M%S)-$$; d=\"$H/runs/$id\"; mkdir \"$d\" && : > \"$d/out\" && : > \"$d/err\" || exit 1",
                "printf '%s\\n' " + q(display) + " > \"$d/cmd\"" + (events ? " && : > \"$d/events\"" : ""),
                "setsid \"$R/bin/hexo-supervise\" \"$d\" \"$R/hexo\" run \"$I\" --workdir \"$W\" --checkpoint-dir \"$C\"" + cmd
                        + (events ? " --events-to=\"$d/events\"" : "") + " < /dev/null > /dev/null 2>&1 &",
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
        ChannelExec eventsChannel = events == null ? null : followEvents(board, home, id, events);
        try {
            return followOutput(board, home, id, out, err);
        } finally {
            if (eventsChannel != null) {
                // its tail ends with the run's hexo, after its last line; a lost connection closes it as well
                eventsChannel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), 5000L);
                eventsChannel.close(false);
            }
        }
    }

    private static ChannelExec followEvents(BoardSession board, String home, String id, OutputStream events) throws BoardException {
        String d = runDir(home, id);
        String script = "d=" + q(d) + "; pid=$(cat \"$d/pid\") && [ -e \"$d/events\" ] || exit 0; "
                + "exec tail -c +1 -s 0.05 -f --pid=\"$pid\" \"$d/events\"";
        try {
            ChannelExec ch = board.session().createExecChannel(script);
            ch.setOut(events);
            ch.setErr(OutputStream.nullOutputStream());
            ch.open().verify(java.time.Duration.ofSeconds(20));
            return ch;
        } catch (IOException e) {
            throw lost(board, id);
        }
    }

    private static int followOutput(BoardSession board, String home, String id, OutputStream out, OutputStream err) throws BoardException {
        String d = runDir(home, id);
        String script = String.join("\n",
                "d=" + q(d) + "; pid=$(cat \"$d/pid\") || exit 255",
                // -s: how soon tail notices the run's end (and checks for new output without inotify).
                "tail -c +1 -s 0.05 -f --pid=\"$pid\" \"$d/err\" >&2 & t=$!",
                "tail -c +1 -s 0.05 -f --pid=\"$pid\" \"$d/out\"",
                "wait $t",
                "while [ ! -e \"$d/status\" ]; do",
                "  kill -0 \"$(cat \"$d/supervisor\")\" 2>/dev/null || { echo 'hexo: the run " + id
                        + " ended without an exit status (was the board restarted?)' >&2; exit 255; }",
                "  sleep 0.02",
                "done",
                "exit \"$(cat \"$d/status\")\"");
        try (ChannelExec ch = board.session().createExecChannel(script)) {
            ch.setOut(out);
            ch.setErr(err);
            ch.open().verify(java.time.Duration.ofSeconds(20));
            ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), 0L);
            Integer status = ch.getExitStatus();
            if (status == null) throw lost(board, id);
            return status;
        } catch (IOException e) {
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
