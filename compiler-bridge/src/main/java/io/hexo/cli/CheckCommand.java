package io.hexo.cli;

import io.hexo.build.ImagePairCheck;
import io.hexo.vmm.loader.ImageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Verify that DIR/prog_x86-64 and DIR/prog_aarch64 belong together (the original's `make check`).")
final class CheckCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "Directory with the two images.")
    Path dir;

    @Override
    public Integer call() {
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
