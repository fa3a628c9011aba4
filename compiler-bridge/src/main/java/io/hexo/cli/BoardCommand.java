package io.hexo.cli;

import io.hexo.board.Board;
import io.hexo.board.BoardException;
import io.hexo.board.BoardProbe;
import io.hexo.board.BoardSession;
import io.hexo.board.Boards;
import io.hexo.board.RemoteRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.concurrent.Callable;

/** `hexo board`: the SSH-reachable machines guests can run on (the original's ARM_TARGET_IP/USER/HOME). */
@Command(name = "board", mixinStandardHelpOptions = true,
        description = {"Configure the boards hexo reaches over SSH, kept in ~/.config/hexo/boards.json (the IDE edits the same file).",
                "Host keys are checked against ~/.ssh/known_hosts; `hexo board trust NAME` records a new board's key."},
        subcommands = {BoardCommand.Add.class, BoardCommand.ListBoards.class, BoardCommand.Remove.class, BoardCommand.Test.class,
                BoardCommand.Trust.class, BoardCommand.Ps.class})
final class BoardCommand implements Runnable {
    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.err);
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a board, or change the one of that name.")
    static final class Add implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = "--host", required = true, paramLabel = "HOST", description = "Its address (the original's ARM_TARGET_IP).") String host;
        @Option(names = "--port", paramLabel = "PORT", description = "Its SSH port (default: ${DEFAULT-VALUE}).") int port = 22;
        @Option(names = "--user", required = true, paramLabel = "USER", description = "Who to log in as (ARM_TARGET_USER).") String user;
        @Option(names = "--key", paramLabel = "FILE", description = "A private key (default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa).") String key;
        @Option(names = "--home", paramLabel = "DIR", description = "Where hexo keeps its files there (ARM_TARGET_HOME; default: ~/hexo).") String home;

        @Override
        public Integer call() throws IOException {
            Board b = new Board(name, host, port, user, key, home);
            Boards boards = Boards.ofUser();
            boards.put(b);
            System.out.println("board " + b.name() + ": " + b.address() + ", files in " + b.home() + " (" + boards.file() + ")");
            System.out.println("next: `hexo board trust " + b.name() + "` to record its host key, then `hexo board test " + b.name() + "`");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The configured boards.")
    static final class ListBoards implements Callable<Integer> {
        @Option(names = "--json", description = "The boards as a JSON list (the fields of boards.json), for tools such as the IDE.") boolean json;

        @Override
        public Integer call() throws IOException {
            Boards boards = Boards.ofUser();
            if (json) {
                System.out.println(new com.google.gson.Gson().toJson(boards.list()));
                return 0;
            }
            if (boards.list().isEmpty()) System.out.println("no boards in " + boards.file() + ": add one with `hexo board add`");
            for (Board b : boards.list()) {
                System.out.println(b.name() + "  " + b.address() + "  home " + b.home() + (b.key() != null ? "  key " + b.key() : ""));
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Forget a board (its host key stays in known_hosts).")
    static final class Remove implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() throws IOException {
            if (!Boards.ofUser().remove(name)) throw new IllegalArgumentException("there is no board named " + name);
            System.out.println("board " + name + " removed");
            return 0;
        }
    }

    @Command(name = "trust", mixinStandardHelpOptions = true,
            description = "Connect once, show the board's host key fingerprint and record it in known_hosts (a changed key is refused).")
    static final class Trust implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() throws IOException, BoardException {
            Board b = Boards.ofUser().get(name);
            try (BoardSession s = BoardSession.open(b, BoardSession.HostKeys.RECORD_IF_UNKNOWN)) {
                System.out.println("board " + b.name() + " (" + b.host() + ":" + b.port() + "): host key " + s.hostKeyFingerprint()
                        + ", recorded in " + BoardSession.knownHosts());
                return 0;
            }
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true, description = "Log in and report what the board offers hexo.")
    static final class Test implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() throws IOException, BoardException {
            BoardProbe.report(Boards.ofUser().get(name)).forEach(System.out::println);
            return 0;
        }
    }

    @Command(name = "ps", mixinStandardHelpOptions = true,
            description = "The runs `hexo run --board` started on the board: ID, state (running, exited N, lost), command. `hexo run --board NAME --attach ID` follows one again.")
    static final class Ps implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() throws IOException, BoardException {
            Board b = Boards.ofUser().get(name);
            try (BoardSession s = BoardSession.open(b, BoardSession.HostKeys.KNOWN_ONLY)) {
                java.util.List<RemoteRun.Info> runs = RemoteRun.list(s, b.home());
                if (runs.isEmpty()) System.out.println("no runs on board " + b.name());
                for (RemoteRun.Info r : runs) System.out.printf("%-24s %-10s %s%n", r.id(), r.state(), r.command());
                return 0;
            }
        }
    }
}
