package io.hexo.cli;

import io.hexo.vmm.checkpoint.CheckpointReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show what the checkpoint in DIR holds: files, memory regions, pages stored, open files, the ISA it was taken on. Exit status 1 if it cannot be resumed.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "The checkpoint directory (default: the current directory).", defaultValue = ".")
    Path dir;

    @Option(names = "--json", description = "Machine-readable output (the IDE's format).")
    boolean json;

    @Override
    public Integer call() {
        CheckpointReport r = CheckpointReport.of(dir);
        System.out.print(json ? r.toJson() + "\n" : r.toText());
        return r.valid() ? 0 : 1;
    }
}
