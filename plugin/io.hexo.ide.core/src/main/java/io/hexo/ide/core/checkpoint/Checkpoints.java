package io.hexo.ide.core.checkpoint;

import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.checkpoint.CheckpointReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.runtime.IPath;

import io.hexo.ide.core.HexoCli;

/** Finds checkpoint directories in a project and asks {@code hexo inspect DIR --json} what each holds. */
public final class Checkpoints {

    private Checkpoints() {
    }

    /** Directories of the project holding a file of hexo's checkpoint format, at most three levels down. */
    public static List<Path> find(IProject project) {
        IPath loc = project.getLocation();
        if (loc == null) {
            return List.of();
        }
        Path root = loc.toPath();
        Set<Path> dirs = new LinkedHashSet<>();
        try (Stream<Path> s = Files.walk(root, 3)) {
            s.filter(p -> isCheckpointFile(p.getFileName().toString()) && Files.isRegularFile(p))
                    .map(Path::getParent)
                    .forEach(dirs::add);
        } catch (IOException e) {
            return List.of();
        }
        return new ArrayList<>(dirs);
    }

    /** One of the files the checkpoint format names (the CLI's own list: a stray data.bin elsewhere is not one). */
    static boolean isCheckpointFile(String name) {
        return Checkpoint.ALL_FILES.contains(name);
    }

    /** Runs {@code hexo inspect DIR --json} in a child process and parses its output. Never throws. */
    public static CheckpointReport inspect(Path dir) {
        try {
            // output goes to files so that a hexo inspect that hangs cannot block the reads past the timeout
            Path outFile = Files.createTempFile("hexo-inspect", ".json");
            Path errFile = Files.createTempFile("hexo-inspect", ".err");
            byte[] out;
            byte[] err;
            try {
                ProcessBuilder pb = new ProcessBuilder(HexoCli.executable(), "inspect", dir.toString(), "--json")
                        .redirectOutput(outFile.toFile()).redirectError(errFile.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                Process p = pb.start();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return CheckpointReport.failed(dir.toString(), "hexo inspect did not answer within 60 s");
                }
                out = Files.readAllBytes(outFile);
                err = Files.readAllBytes(errFile);
            } finally {
                Files.deleteIfExists(outFile);
                Files.deleteIfExists(errFile);
            }
            String json = new String(out, StandardCharsets.UTF_8).trim();
            if (json.isEmpty()) {
                return CheckpointReport.failed(dir.toString(), "hexo inspect printed no report: "
                        + new String(err, StandardCharsets.UTF_8).trim());
            }
            return CheckpointReport.fromJson(json); // the model `hexo inspect` itself prints
        } catch (IOException | RuntimeException e) {
            return CheckpointReport.failed(dir.toString(), "cannot run hexo inspect: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CheckpointReport.failed(dir.toString(), "interrupted");
        }
    }
}
