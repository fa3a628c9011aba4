package io.hexo.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `hexo` command: everything the IDE does, from a shell. */
@Command(name = "hexo", mixinStandardHelpOptions = true, version = "hexo 0.1.0",
        description = "Build C programs into x86-64 and ARM64 unikernels, run them, and migrate them between the two while they run.",
        subcommands = {BuildCommand.class, RunCommand.class, CheckCommand.class, InspectCommand.class, TransferCommand.class, BoardCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.err);
    }

    public static void main(String[] args) {
        int status;
        try {
            status = execute(args);
        } catch (Throwable t) {
            // A bug of ours, not bad input: still one line, with what it was.
            System.err.println("hexo: internal error: " + (t.getCause() != null ? t.getCause() : t));
            status = 2;
        }
        System.exit(status);
    }

    public static int execute(String... args) {
        return execute(cl -> {}, args);
    }

    /** The same, with the command line set up further first (a holder's command: the client's relative paths). */
    static int execute(java.util.function.Consumer<CommandLine> setUp, String... args) {
        CommandLine cl = new CommandLine(new Main());
        setUp.accept(cl);
        // Bad input gets one sentence, never a stack trace.
        cl.setParameterExceptionHandler((e, a) -> {
            System.err.println("hexo: " + e.getMessage() + " (see `hexo " + commandName(e.getCommandLine()) + " --help`)");
            return 2;
        });
        // IllegalArgumentException, BoardException, CheckpointException...: their message is the sentence.
        cl.setExecutionExceptionHandler((e, c, p) -> {
            System.err.println("hexo: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 2;
        });
        return cl.execute(args);
    }

    private static String commandName(CommandLine cl) {
        String name = cl.getCommandName();
        return name.equals("hexo") ? "" : name;
    }
}
