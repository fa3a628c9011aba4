package io.hexo.cli;

import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.checkpoint.CheckpointException;
import io.hexo.vmm.checkpoint.CheckpointTransfer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "transfer", mixinStandardHelpOptions = true,
        description = "Copy a verified checkpoint, and the files it has open, to another place (the original's transfer-full-checkpoint-to-arm / -from-arm). The source is left as it was.")
final class TransferCommand implements Callable<Integer> {
    @Option(names = "--from", paramLabel = "DIR", description = "Checkpoint directory to copy (default: the current directory).")
    Path from = Path.of(".");

    @Option(names = "--from-workdir", paramLabel = "DIR", description = "The source guest's working directory (default: same as --from).")
    Path fromWorkdir;

    @Option(names = "--to", required = true, paramLabel = "DIR", description = "Destination checkpoint directory.")
    Path to;

    @Option(names = "--to-workdir", paramLabel = "DIR", description = "The destination guest's working directory (default: same as --to).")
    Path toWorkdir;

    @Override
    public Integer call() {
        try {
            Checkpoint cp = CheckpointTransfer.copy(from, fromWorkdir != null ? fromWorkdir : from, to, toWorkdir != null ? toWorkdir : to);
            System.err.printf("hexo: checkpoint copied to %s (%d bytes, %d open files), verified%n", to, cp.bytesOnDisk(), cp.openFiles().size());
            return 0;
        } catch (CheckpointException | IOException e) {
            System.err.println("hexo: " + e.getMessage() + "; the source checkpoint is untouched");
            return 1;
        }
    }
}
