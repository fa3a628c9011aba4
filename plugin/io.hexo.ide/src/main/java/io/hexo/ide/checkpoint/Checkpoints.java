package io.hexo.ide.checkpoint;

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

import io.hexo.ide.HexoCli;

/** Finds checkpoint directories in a project and asks {@code hexo inspect DIR --json} what each holds. */
public final class Checkpoints {

    private Checkpoints() {
    }

    /**
     * Directories of the project that look like checkpoints: those holding {@code *.bin} (or {@code *.bin.N}) files (the files hexo writes
     * on migration), at most three levels down, outside the build output.
     */
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

    /** heap.bin, stack.bin, tls.bin.0, ...: the files hexo run writes on migration. */
    static boolean isCheckpointFile(String name) {
        return name.endsWith(".bin") || name.contains(".bin.");
    }

    /** Runs {@code hexo inspect DIR --json} in a child process and parses its output. Never throws. */
    public static CheckpointReport inspect(Path dir) {
        try {
            ProcessBuilder pb = new ProcessBuilder(HexoCli.executable(), "inspect", dir.toString(), "--json");
            pb.redirectErrorStream(false);
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] err = new byte[0];
            byte[] out = p.getInputStream().readAllBytes();
            err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return CheckpointReport.failed(dir.toString(), "hexo inspect timed out");
            }
            String json = new String(out, StandardCharsets.UTF_8).trim();
            if (json.isEmpty()) {
                return CheckpointReport.failed(dir.toString(), "hexo inspect exited " + p.exitValue() + ": "
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
