package io.hexo.cli;

import io.hexo.board.Board;
import io.hexo.board.BoardDeploy;
import io.hexo.board.BoardException;
import io.hexo.board.BoardSession;
import io.hexo.board.Boards;
import io.hexo.board.RemoteRun;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * `hexo run --board NAME` and `--attach ID`: the same run on a board over SSH. What the board lacks of
 * hexo and the images is deployed first; the board's own hexo then decides the engine exactly as a local
 * run would (its /dev/kvm when usable, else its process engine). Every other option is passed on as given.
 */
final class RemoteOptions {
    /** A lost connection, as ssh says it (the guest's own statuses are 0-255 too; this one is documented). */
    static final int STATUS_CONNECTION_LOST = 255;
    private static final Set<String> HANDLED_HERE = Set.of("--board", "--attach", "--workdir", "--checkpoint-dir", "--events-to", "--help", "--version");

    @Spec(Spec.Target.MIXEE)
    CommandSpec run;

    @Option(names = "--board", paramLabel = "NAME", description = {"Run on this board (see `hexo board add`) instead of here: what it lacks of hexo and the images is sent first,",
            "output streams back, Ctrl-C and SIGUSR1 go to the guest there. --workdir and --checkpoint-dir are paths on the board (default: its hexo home's work/)."})
    String board;

    @Option(names = "--attach", paramLabel = "ID", description = "With --board: follow the board's run ID again (its output from the start, then its exit status); `hexo board ps NAME` lists them.")
    String attach;

    /** The run's exit status when it happens on a board; null when it is a local run (whose required parts are checked here). */
    Integer runIfRemote(Path out, String isa) {
        if (attach != null && board == null) throw new ParameterException(run.commandLine(), "--attach needs --board NAME: the run IDs are the board's");
        if (board == null) {
            if (out == null) throw new ParameterException(run.commandLine(), "Missing required parameter: 'OUT'");
            if (isa == null) throw new ParameterException(run.commandLine(), "Missing required option: '--isa=ISA'");
            return null;
        }
        if (attach == null && out == null) throw new ParameterException(run.commandLine(), "Missing required parameter: 'OUT' (the images to run on the board)");
        if (attach == null && isa == null) throw new ParameterException(run.commandLine(), "Missing required option: '--isa=ISA'");
        Board b;
        try {
            b = Boards.ofUser().get(board);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        // Hashing what a run needs there overlaps the SSH handshake: each costs about as much on a warm run.
        java.util.concurrent.CompletableFuture<BoardDeploy.Plan> plan = attach != null ? null
                : java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return BoardDeploy.plan(out);
                    } catch (BoardException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
        ParseResult pr = run.commandLine().getParseResult();
        boolean pageSource = zero(pr, "--full-chkpt-save"), pageDestination = zero(pr, "--full-chkpt-restore");
        // A post-copy run's page server is reached through a port forwarded by this command's own connection, open while it follows the run.
        try (BoardSession s = pageSource || pageDestination ? BoardSession.open(b, BoardSession.HostKeys.KNOWN_ONLY) : BoardSession.connect(b)) {
            if (pageDestination && attach == null) replaced.put("--server", pageServerHere(s, pr));
            if (pageSource) pageServerThere(s, b, pr);
            String id = attach != null ? attachTo(s, b) : start(s, b, planned(plan));
            return follow(s, b, id);
        } catch (BoardException e) {
            System.err.println("hexo: " + e.getMessage());
            return e.getMessage().startsWith("lost the connection") ? STATUS_CONNECTION_LOST : 2;
        }
    }

    /** Options whose value the board's hexo gets changed (a page server's address as the board sees it). */
    private final java.util.Map<String, String> replaced = new java.util.HashMap<>();

    private static boolean zero(ParseResult pr, String option) {
        return pr.hasMatchedOption(option) && Integer.valueOf(0).equals(pr.matchedOptionValue(option, null));
    }

    /**
     * --full-chkpt-restore 0 --server HOST[:PORT] with the source here: the board's hexo gets a port of its
     * own loopback instead, forwarded back here to HOST:PORT (the page server keeps listening on loopback).
     */
    private static String pageServerHere(BoardSession s, ParseResult pr) throws BoardException {
        String server = pr.matchedOptionValue("--server", "");
        int colon = server.lastIndexOf(':');
        String host = colon < 0 ? server : server.substring(0, colon);
        int port;
        try {
            port = colon < 0 ? 5050 : Integer.parseInt(server.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--server " + server + " has no port number after the ':': give HOST[:PORT], e.g. 127.0.0.1:5050");
        }
        String there = s.forwardFromBoard(host, port);
        System.err.println("hexo: post-copy: board " + s.name() + " reaches the page server " + host + ":" + port + " through SSH (as " + there + " there)");
        return there;
    }

    /** --full-chkpt-save 0 on the board: its page server (on its loopback) is forwarded to a port here, said in one line. */
    private static void pageServerThere(BoardSession s, Board b, ParseResult pr) throws BoardException {
        int port = pr.matchedOptionValue("--port", 5050);
        if (port == 0) {
            throw new BoardException("with --board, give the page server a port (--port N, not 0): this end forwards that port of board "
                    + b.name() + " here through SSH");
        }
        String bind = pr.matchedOptionValue("--bind", "127.0.0.1");
        String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
        int here = s.forwardToBoard(host, port);
        System.err.println("hexo: post-copy: board " + b.name() + "'s page server (" + host + ":" + port + " there) is reachable here at 127.0.0.1:"
                + here + " through SSH while this command runs: resume with --server 127.0.0.1:" + here);
    }

    private String attachTo(BoardSession s, Board b) throws BoardException {
        if (!RemoteRun.exists(s, b.home(), attach)) {
            throw new BoardException("board " + b.name() + " has no run " + attach + ": `hexo board ps " + b.name() + "` lists its runs");
        }
        return attach;
    }

    private static BoardDeploy.Plan planned(java.util.concurrent.CompletableFuture<BoardDeploy.Plan> plan) throws BoardException {
        try {
            return plan.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof BoardException be) throw be;
            throw e;
        }
    }

    private String start(BoardSession s, Board b, BoardDeploy.Plan plan) throws BoardException {
        ParseResult pr = run.commandLine().getParseResult();
        List<String> args = new ArrayList<>();
        String workdir = null, checkpointDir = null;
        for (OptionSpec o : pr.matchedOptions()) {
            String name = o.longestName();
            if (name.equals("--workdir")) workdir = String.join("", o.originalStringValues());
            if (name.equals("--checkpoint-dir")) checkpointDir = String.join("", o.originalStringValues());
            if (HANDLED_HERE.contains(name)) continue;
            if (replaced.containsKey(name)) {
                args.add(name);
                args.add(replaced.get(name));
                continue;
            }
            if (o.arity().max() == 0) {
                if (Boolean.TRUE.equals(o.getValue())) args.add(name);
                continue;
            }
            for (String v : o.originalStringValues()) {
                args.add(name);
                args.add(v);
            }
        }
        String display = "hexo " + String.join(" ", pr.originalArgs());
        String id = RemoteRun.start(s, b.home(), plan, workdir, checkpointDir, args, display, eventsTo() != null);
        if (id == null) {
            BoardDeploy.deploy(s, b.home(), plan, line -> System.err.println("hexo: " + line));
            id = RemoteRun.start(s, b.home(), plan, workdir, checkpointDir, args, display, eventsTo() != null);
            if (id == null) throw new BoardException("board " + b.name() + " lost what was just deployed to " + b.home() + ": run again");
        }
        return id;
    }

    /** Streams the run, with Ctrl-C and SIGUSR1 sent on; a second Ctrl-C leaves it running there. */
    private int follow(BoardSession s, Board b, String id) throws BoardException {
        AtomicInteger interrupts = new AtomicInteger();
        // In a board's holder, for the launcher's native client: the client's signals, and its exit.
        io.hexo.board.HeldCommand held = io.hexo.board.HeldCommand.current();
        PrintStream err = System.err;
        Runnable interrupt = () -> {
            if (interrupts.incrementAndGet() > 1) {
                err.println("hexo: left run " + id + " running on board " + b.name() + ": `hexo run --board " + b.name() + " --attach " + id + "` follows it again");
                if (held != null) held.exit(130);
                else System.exit(130);
                return;
            }
            forward(s, b, id, true);
        };
        Runnable migrate = () -> forward(s, b, id, false);
        if (held != null) {
            held.onSignal("INT", interrupt);
            held.onSignal("TERM", interrupt);
            held.onSignal("USR1", migrate);
        } else {
            Signal.handle(new Signal("INT"), sig -> interrupt.run());
            // The launcher turns Ctrl-C into SIGTERM while it records its class-data archive: the same request.
            Signal.handle(new Signal("TERM"), sig -> interrupt.run());
            Signal.handle(new Signal("USR1"), sig -> migrate.run());
        }
        int status;
        // --events-to names a file here: the board's hexo writes the events into the run's directory, and they stream back
        try (OutputStream events = eventsTo() == null ? null : new java.io.FileOutputStream(eventsTo())) {
            status = RemoteRun.follow(s, b.home(), id, flushing(System.out), flushing(System.err), events);
        } catch (IOException e) {
            throw new BoardException("--events-to " + eventsTo() + " cannot be written (" + e.getMessage() + "): give a writable file");
        }
        if (status == io.hexo.vmm.run.Outcome.STATUS_CHECKPOINTED && !zero(run.commandLine().getParseResult(), "--full-chkpt-save")) {
            System.err.println("hexo: the checkpoint is on board " + b.name() + "; `hexo transfer --from-board " + b.name()
                    + " --to DIR` brings it here, or resume it there with `hexo run --board " + b.name() + " --resume …`");
        }
        return status;
    }

    /** The local --events-to of a run with --events, or null. */
    private String eventsTo() {
        ParseResult pr = run.commandLine().getParseResult();
        return pr.hasMatchedOption("--events") ? pr.matchedOptionValue("--events-to", null) : null;
    }

    private static void forward(BoardSession s, Board b, String id, boolean interrupt) {
        try {
            RemoteRun.signal(s, b.home(), id, interrupt);
        } catch (BoardException e) {
            System.err.println("hexo: could not pass the signal on to board " + b.name() + ": " + e.getMessage());
        }
    }

    private static OutputStream flushing(PrintStream p) {
        return new OutputStream() {
            @Override public void write(int b) { p.write(b); }
            @Override public void write(byte[] b, int off, int len) { p.write(b, off, len); p.flush(); }
            @Override public void flush() { p.flush(); }
        };
    }
}
