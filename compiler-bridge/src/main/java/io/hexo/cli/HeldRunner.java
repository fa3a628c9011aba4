package io.hexo.cli;

import io.hexo.board.HeldCommand;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.nio.file.Path;
import java.util.List;

/**
 * The commands a board's holder runs for the `hexo` launcher's native client ({@link HeldCommand}): a
 * `hexo run --board NAME` of the board it holds (or `--attach`) and `hexo transfer --to-board|--from-board
 * NAME`, the same as here, with the client's relative paths. Not served (the client starts hexo's JVM
 * instead): post-copy runs (their page server is forwarded by a connection of the command's own) and
 * --events (its destination may be the client's descriptor), and anything else.
 */
final class HeldRunner implements HeldCommand.Runner {
    @Override
    public boolean serves(List<String> argv, String board) {
        try {
            CommandLine cl = new CommandLine(new Main());
            ParseResult top = cl.parseArgs(argv.toArray(String[]::new));
            ParseResult cmd = top.subcommand();
            if (cmd == null || cmd.subcommand() != null || cmd.isUsageHelpRequested() || cmd.isVersionHelpRequested()) return false;
            return switch (cmd.commandSpec().name()) {
                case "run" -> board.equals(cmd.matchedOptionValue("--board", null)) && !cmd.hasMatchedOption("--events")
                        && !zero(cmd, "--full-chkpt-save") && !zero(cmd, "--full-chkpt-restore");
                // the holder reads and writes the checkpoint's files here itself, as it reads them for a transfer of hexo's JVM
                case "transfer" -> board.equals(cmd.matchedOptionValue("--to-board", null)) != board.equals(cmd.matchedOptionValue("--from-board", null));
                default -> false;
            };
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            return false; // its sentence comes from hexo's JVM, as always
        }
    }

    private static boolean zero(ParseResult pr, String option) {
        return pr.hasMatchedOption(option) && Integer.valueOf(0).equals(pr.matchedOptionValue(option, null));
    }

    @Override
    public int run(List<String> argv) {
        Path cwd = HeldCommand.current().cwd();
        return Main.execute(cl -> cl.registerConverter(Path.class, s -> cwd.resolve(s)), argv.toArray(String[]::new));
    }
}
