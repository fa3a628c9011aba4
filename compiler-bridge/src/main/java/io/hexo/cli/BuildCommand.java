package io.hexo.cli;

import io.hexo.build.BuildException;
import io.hexo.build.DualIsaBuild;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Compile every .c file of DIR into OUT/prog_x86-64 and OUT/prog_aarch64 (the original's `make`).")
final class BuildCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "Directory with the program's .c files.")
    Path dir;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Where the images go (default: DIR).")
    Path out;

    @Option(names = "--instrument-functions", description = "A migration point at every function entry and exit (the original's -finstrument-functions).")
    boolean instrumentFunctions;

    @Option(names = "--cflags", paramLabel = "FLAGS", description = "Extra C compiler flags, e.g. \"-DCLASS=B -O3\".")
    String cflags = "";

    @Override
    public Integer call() throws Exception {
        List<String> flags = cflags.isBlank() ? List.of() : Arrays.asList(cflags.trim().split("\\s+"));
        try {
            DualIsaBuild.Result r = new DualIsaBuild(new DualIsaBuild.Options(dir, out != null ? out : dir, instrumentFunctions, flags),
                    System.out, System.err).run();
            return 0;
        } catch (BuildException e) {
            System.err.println("hexo: " + e.getMessage());
            return 1;
        }
    }
}
