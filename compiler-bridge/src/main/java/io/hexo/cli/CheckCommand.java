package io.hexo.cli;

import io.hexo.build.ImagePairCheck;
import io.hexo.vmm.loader.ImageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Verify that DIR/prog_x86-64 and DIR/prog_aarch64 belong together (the original's `make check`).",
                "With --toolchain: the tools hexo build needs, each found or with the Debian package to install (exit 1 when one is missing)."})
final class CheckCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", arity = "0..1", description = "Directory with the two images.")
    Path dir;

    @Option(names = "--toolchain", description = "Check the build's toolchain instead of images.")
    boolean toolchain;

    @Option(names = "--json", description = "With --toolchain: one JSON object (for front-ends such as the IDE): {\"tools\": [{\"name\", \"package\", \"path\" (absent when missing)}], \"complete\"}.")
    boolean json;

    @Override
    public Integer call() {
        if (toolchain) return ToolchainReport.print(json);
        if (dir == null) {
            System.err.println("hexo: check needs DIR (the directory with the two images), or --toolchain");
            return 2;
        }
        try {
            List<String> problems = ImagePairCheck.check(dir);
            if (problems.isEmpty()) {
                System.out.println("hexo: the images in " + dir + " match: each can resume the other's checkpoints");
                return 0;
            }
            problems.forEach(p -> System.err.println("hexo: " + p));
            return 1;
        } catch (ImageException e) {
            System.err.println("hexo: " + e.getMessage());
            return 1;
        }
    }
}
