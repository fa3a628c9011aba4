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
                BoardCommand.Trust.class, BoardCommand.Ps.class, BoardCommand.Disconnect.class, BoardCommand.Spare.class, BoardCommand.Agent.class,
                BoardCommand.Hold.class})
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
        public Integer call() throws IOException, BoardException {
            Board b = Boards.ofUser().get(name);
            Disconnect.stopSpares(b, false);
            BoardSession.disconnect(b);
            Boards.ofUser().remove(name);
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
            try (BoardSession s = BoardSession.connect(b)) {
                java.util.List<RemoteRun.Info> runs = RemoteRun.list(s, b.home());
                if (runs.isEmpty()) System.out.println("no runs on board " + b.name());
                for (RemoteRun.Info r : runs) System.out.printf("%-24s %-10s %s%n", r.id(), r.state(), r.command());
                return 0;
            }
        }
    }

    @Command(name = "disconnect", mixinStandardHelpOptions = true,
            description = {"Close the connection hexo keeps open to the board for later commands (its holder; it also leaves by itself after"
                    + " HEXO_BOARD_IDLE seconds unused, default 600), and stop hexo's agent and spare JVM on the board. Guests running there go on."})
    static final class Disconnect implements Callable<Integer> {
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() throws IOException, BoardException {
            Board b = Boards.ofUser().get(name);
            stopSpares(b, true);
            boolean held = BoardSession.disconnect(b);
            System.out.println(held ? "board " + name + ": disconnected" : "board " + name + ": no connection was held");
            return 0;
        }

        /**
         * Through the holder, else (connect) a connection of its own; a board that cannot be reached is left
         * alone: its agent and spare leave by themselves.
         */
        static void stopSpares(Board b, boolean connect) {
            BoardSession held = BoardSession.held(b);
            if (held == null && !connect) return;
            try (BoardSession s = held != null ? held : BoardSession.open(b, BoardSession.HostKeys.KNOWN_ONLY)) {
                RemoteRun.stopSpares(s, b.home());
            } catch (BoardException e) {
                // its agent and spare leave by themselves after their idle time
            }
        }
    }

    @Command(name = "hold", hidden = true, description = "Here: the board's kept-open connection (see io.hexo.board.BoardHolder), started by the first command that needs the board.")
    static final class Hold implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "SOCKET") java.nio.file.Path socket;

        @Override
        public Integer call() throws Exception {
            io.hexo.board.BoardHolder.serve(name, socket, new HeldRunner());
            return 0;
        }
    }

    @Command(name = "spare", hidden = true, description = "On a board: a hexo JVM that waits for the next run's arguments (see io.hexo.board.Spares).")
    static final class Spare implements Callable<Integer> {
        @Option(names = "--idle", paramLabel = "SECONDS") long idle = 600;
        @Parameters(paramLabel = "FIFO") java.nio.file.Path fifo;

        /**
         * What a run would load first, loaded while nobody waits: the command line's model, hexo's own
         * classes (the CLI's and the engines'), JNA's native part and hexo's libc bindings. Measured: ~0.1 s less per warm run.
         */
        static void warmUp() {
            new picocli.CommandLine(new Main());
            ClassLoader loader = Main.class.getClassLoader();
            for (Class<?> of : new Class<?>[] {Main.class, io.hexo.vmm.abi.Isa.class}) {
                try (java.util.jar.JarFile jar = new java.util.jar.JarFile(new java.io.File(of.getProtectionDomain().getCodeSource().getLocation().toURI()))) {
                    for (var e = jar.entries(); e.hasMoreElements(); ) {
                        String name = e.nextElement().getName();
                        if (!name.startsWith("io/hexo/") || !name.endsWith(".class") || name.startsWith("io/hexo/board/")) continue;
                        try {
                            Class<?> c = Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                            // hexo's bindings of libc: initialized, their library is found now (JNA runs `ldconfig -p` for "c")
                            if (c.isInterface() && com.sun.jna.Library.class.isAssignableFrom(c)) Class.forName(c.getName(), true, loader);
                        } catch (Throwable notNeeded) {
                            // a class that does not load now is loaded (or fails) as it would have
                        }
                    }
                } catch (Exception e) {
                    // no warm-up: the run only starts a little later
                }
            }
            try {
                Class.forName("com.sun.jna.Native", true, loader);
            } catch (Throwable e) {
                // as above
            }
        }

        @Override
        public Integer call() throws IOException {
            io.hexo.board.Spares.await(fifo, idle, Spare::warmUp, Main::main);
            return 0;
        }
    }

    @Command(name = "agent", hidden = true, description = "On a board: hexo's agent, which a hexo holder reaches through its SSH connection (see io.hexo.board.BoardAgent).")
    static final class Agent implements Callable<Integer> {
        @Option(names = "--idle", paramLabel = "SECONDS") long idle = 600;
        @Parameters(paramLabel = "FILE") java.nio.file.Path file;

        @Override
        public Integer call() throws IOException {
            io.hexo.board.BoardAgent.run(file, idle);
            return 0;
        }
    }
}
