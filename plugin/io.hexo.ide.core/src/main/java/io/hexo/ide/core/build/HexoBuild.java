package io.hexo.ide.core.build;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.runtime.jobs.Job;

import io.hexo.ide.core.HexoCli;
import io.hexo.ide.core.HexoCore;
import io.hexo.vmm.abi.Isa;

/**
 * "Build for x86-64 and ARM64": runs {@code hexo build PROJECT -o OUT [--instrument-functions] [--cflags ...]} in a
 * child process, shows its output in the "hexo build" console and turns compiler diagnostics into problem markers.
 */
public final class HexoBuild {

    /** The problem marker type of hexo build diagnostics (a subtype of the platform's problem and text markers). */
    public static final String MARKER = "io.hexo.ide.core.problem";

    /** Jobs of this family can be joined: {@code Job.getJobManager().join(HexoBuild.FAMILY, monitor)}. */
    public static final Object FAMILY = HexoBuild.class;

    public static final String IMAGE_X86 = Isa.X86_64.imageName();
    public static final String IMAGE_ARM = Isa.AARCH64.imageName();

    /** What a build did. */
    public record Result(int exitCode, List<Diagnostic> diagnostics, boolean canceled, String failure) {
        public boolean ok() {
            return exitCode == 0 && !canceled && failure == null;
        }

        public long errors() {
            return diagnostics.stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
        }
    }

    /** The work units of one build's monitor (see {@link #run}). */
    private static final int STEP_SCALE = 1000;

    private HexoBuild() {
    }

    /** The build as a user Job (progress in the Progress view, cancellable). */
    public static Job job(IProject project) {
        Job job = new Job("Build " + project.getName() + " for x86-64 and ARM64") {
            @Override
            protected IStatus run(IProgressMonitor monitor) {
                Result r = HexoBuild.run(project, monitor);
                if (r.canceled()) {
                    return Status.CANCEL_STATUS;
                }
                if (r.failure() != null) {
                    return HexoCore.error(r.failure());
                }
                // compile errors are reported as markers and in the console, not as a failed job
                return Status.OK_STATUS;
            }

            @Override
            public boolean belongsTo(Object family) {
                return family == FAMILY;
            }
        };
        job.setUser(true);
        return job;
    }

    public static Path projectDir(IProject project) {
        return project.getLocation().toPath();
    }

    public static Path outputDir(IProject project) {
        return projectDir(project).resolve(new BuildSettings(project).outputDir());
    }

    public static List<String> command(IProject project) {
        BuildSettings s = new BuildSettings(project);
        List<String> cmd = new ArrayList<>();
        cmd.add(HexoCli.executable());
        cmd.add("build");
        cmd.add(projectDir(project).toString());
        cmd.add("-o");
        cmd.add(outputDir(project).toString());
        if (s.instrumentFunctions()) {
            cmd.add("--instrument-functions");
        }
        if (!s.cflags().isBlank()) {
            cmd.add("--cflags");
            cmd.add(s.cflags());
        }
        return cmd;
    }

    static List<Path> sources(IProject project) throws IOException {
        Path root = projectDir(project);
        Path out = outputDir(project);
        try (Stream<Path> s = Files.walk(root, 8)) {
            return s.filter(p -> !p.startsWith(out))
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return n.endsWith(".c") || n.endsWith(".h");
                    }).toList();
        }
    }

    /** Runs the build in the calling thread. */
    public static Result run(IProject project, IProgressMonitor monitor) {
        java.util.function.Consumer<String> out = BuildOutput.open();
        // How many steps an (incremental) build takes is not known in advance: each step takes a tenth of the work
        // left, so the bar moves with every step and never reads 100% before hexo build has ended.
        SubMonitor sub = SubMonitor.convert(monitor, "hexo build " + project.getName(), STEP_SCALE);
        int[] steps = {0};
        List<Diagnostic> diags = new ArrayList<>();
        List<String> cmd = command(project);
        println(out, "$ " + String.join(" ", cmd));
        try {
            clearMarkers(project);
        } catch (CoreException e) {
            HexoCore.log(e.getStatus());
        }
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(projectDir(project).toFile()).redirectErrorStream(true);
            p = pb.start();
            p.getOutputStream().close();
        } catch (IOException e) {
            String msg = "cannot start " + cmd.get(0) + ": " + e.getMessage()
                    + " (set hexo home in Window > Preferences > hexo)";
            println(out, msg);
            return new Result(-1, diags, false, msg);
        }
        String[] lastLine = {""};
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    println(out, line);
                    if (!line.isBlank()) {
                        lastLine[0] = line.strip();
                    }
                    Diagnostic d = Diagnostic.parse(line);
                    if (d != null) {
                        synchronized (diags) {
                            diags.add(d);
                        }
                    } else if (line.startsWith("[")) {
                        sub.subTask("step " + ++steps[0] + ": " + line.strip());
                        sub.setWorkRemaining(STEP_SCALE);
                        sub.worked(STEP_SCALE / 10);
                    }
                }
            } catch (IOException e) {
                // the process went away
            }
        }, "hexo build output");
        reader.setDaemon(true);
        reader.start();
        boolean canceled = false;
        try {
            while (!p.waitFor(100, TimeUnit.MILLISECONDS)) {
                if (sub.isCanceled()) {
                    canceled = true;
                    p.descendants().forEach(ProcessHandle::destroy);
                    p.destroy();
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                    break;
                }
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            canceled = true;
        }
        int code = canceled ? -1 : p.exitValue();
        println(out, canceled ? "hexo build canceled" : "hexo build exited with code " + code);
        List<Diagnostic> copy;
        synchronized (diags) {
            copy = List.copyOf(diags);
        }
        try {
            project.refreshLocal(IResource.DEPTH_INFINITE, sub.split(1));
            createMarkers(project, copy);
        } catch (CoreException | OperationCanceledException e) {
            HexoCore.log("hexo build: markers/refresh of " + project.getName(), e);
        }
        String failure = null;
        if (!canceled && code != 0 && copy.stream().noneMatch(d -> d.severity() == Diagnostic.Severity.ERROR)) {
            failure = "hexo build failed with exit code " + code + ": " + lastLine[0];
        }
        return new Result(code, copy, canceled, failure);
    }

    private static void println(java.util.function.Consumer<String> out, String line) {
        out.accept(line);
    }

    public static void clearMarkers(IProject project) throws CoreException {
        if (project.isAccessible()) {
            project.deleteMarkers(MARKER, true, IResource.DEPTH_INFINITE);
        }
    }

    static void createMarkers(IProject project, List<Diagnostic> diags) throws CoreException {
        ResourcesPlugin.getWorkspace().run((org.eclipse.core.resources.IWorkspaceRunnable) m -> {
            clearMarkers(project);
            for (Diagnostic d : diags) {
                if (d.severity() == Diagnostic.Severity.NOTE) {
                    continue;
                }
                IResource target = resolve(project, d.path());
                IMarker marker = target.createMarker(MARKER);
                marker.setAttribute(IMarker.SEVERITY,
                        d.severity() == Diagnostic.Severity.ERROR ? IMarker.SEVERITY_ERROR : IMarker.SEVERITY_WARNING);
                marker.setAttribute(IMarker.MESSAGE, target instanceof IFile ? d.message() : d.path() + ": " + d.message());
                marker.setAttribute(IMarker.LINE_NUMBER, d.line());
                marker.setAttribute(IMarker.LOCATION, "line " + d.line() + (d.column() > 0 ? ", column " + d.column() : ""));
                marker.setAttribute(IMarker.SOURCE_ID, "hexo build");
            }
        }, project, 0, null);
    }

    /** The workspace file a diagnostic's path names (absolute, or relative to the project), else the project. */
    static IResource resolve(IProject project, String path) {
        Path p = Path.of(path);
        Path abs = p.isAbsolute() ? p : projectDir(project).resolve(p);
        abs = abs.normalize();
        IFile[] files = ResourcesPlugin.getWorkspace().getRoot().findFilesForLocationURI(abs.toUri());
        for (IFile f : files) {
            if (f.getProject().equals(project) && f.exists()) {
                return f;
            }
        }
        for (IFile f : files) {
            if (f.exists()) {
                return f;
            }
        }
        return project;
    }
}
