package io.hexo.cli;

import io.hexo.board.Board;
import io.hexo.board.BoardException;
import io.hexo.board.BoardSession;
import io.hexo.board.BoardTransfer;
import io.hexo.board.Boards;
import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.checkpoint.CheckpointException;
import io.hexo.vmm.checkpoint.CheckpointTransfer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "transfer", mixinStandardHelpOptions = true,
        description = {"Copy a verified checkpoint, and the files it has open, to another place (the original's transfer-full-checkpoint-to-arm / -from-arm). The source is left as it was.",
                "With --to-board / --from-board it travels over SSH to or from a board configured with `hexo board add`: only files the far side lacks are sent, each is checked there by SHA-256, an interrupted transfer continues where it stopped when run again, and the far side keeps its old checkpoint until the new one is whole."})
final class TransferCommand implements Callable<Integer> {
    // defaultValue, not an initializer: it goes through the converters (a board holder's command resolves it against its client's directory)
    @Option(names = "--from", paramLabel = "DIR", defaultValue = ".", description = "Checkpoint directory to copy (default: the current directory).")
    Path from;

    @Option(names = "--from-workdir", paramLabel = "DIR", description = "The source guest's working directory (default: same as --from).")
    Path fromWorkdir;

    @Option(names = "--to", paramLabel = "DIR", description = "Destination checkpoint directory (with --from-board: default the current directory).")
    Path to;

    @Option(names = "--to-workdir", paramLabel = "DIR", description = "The destination guest's working directory (default: same as --to).")
    Path toWorkdir;

    @Option(names = "--to-board", paramLabel = "NAME", description = "Send the checkpoint to this board.")
    String toBoard;

    @Option(names = "--from-board", paramLabel = "NAME", description = "Fetch the checkpoint from this board.")
    String fromBoard;

    @Option(names = "--remote-dir", paramLabel = "DIR", description = "The checkpoint directory on the board (default: HOME/work, where `hexo run --board` keeps its checkpoints; HOME as `hexo board add --home`).")
    String remoteDir;

    @Option(names = "--full", description = "With --to-board / --from-board: send every file, even those the far side already holds (the original's transfer-full-checkpoint).")
    boolean full;

    @Override
    public Integer call() throws IOException {
        if (toBoard != null && fromBoard != null) throw new IllegalArgumentException("give --to-board or --from-board, not both");
        if (toBoard == null && fromBoard == null && to == null) throw new IllegalArgumentException("give --to DIR (or --to-board / --from-board NAME)");
        try {
            if (toBoard != null || fromBoard != null) return overSsh(Boards.ofUser().get(toBoard != null ? toBoard : fromBoard));
            Checkpoint cp = CheckpointTransfer.copy(from, fromWorkdir != null ? fromWorkdir : from, to, toWorkdir != null ? toWorkdir : to);
            System.err.printf("hexo: checkpoint copied to %s (%d bytes, %d open files), verified%n", to, cp.bytesOnDisk(), cp.openFiles().size());
            return 0;
        } catch (CheckpointException | IOException | BoardException e) {
            System.err.println("hexo: " + e.getMessage() + "; the source checkpoint is untouched");
            return 1;
        }
    }

    private int overSsh(Board board) throws BoardException, CheckpointException, IOException {
        String dir = remoteDir != null ? remoteDir : board.home() + "/work";
        try (BoardSession s = BoardSession.connect(board)) {
            if (toBoard != null) {
                BoardTransfer.Result r = BoardTransfer.push(s, from, fromWorkdir != null ? fromWorkdir : from, dir, full, line -> System.err.println("hexo: " + line));
                System.err.printf("hexo: checkpoint sent to board %s:%s (%d files sent, %d already there, %d bytes), checked there by SHA-256%n",
                        board.name(), dir, r.sent(), r.unchanged(), r.bytesSent());
            } else {
                io.hexo.board.HeldCommand held = io.hexo.board.HeldCommand.current();
                Path target = to != null ? to : held != null ? held.cwd() : Path.of(".");
                BoardTransfer.Result r = BoardTransfer.pull(s, dir, target, toWorkdir != null ? toWorkdir : target, full, line -> System.err.println("hexo: " + line));
                System.err.printf("hexo: checkpoint fetched from board %s:%s into %s (%d files received, %d already here, %d bytes), verified%n",
                        board.name(), dir, target, r.sent(), r.unchanged(), r.bytesSent());
            }
            return 0;
        }
    }
}
