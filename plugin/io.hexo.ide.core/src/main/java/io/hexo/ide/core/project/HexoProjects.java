package io.hexo.ide.core.project;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IProjectDescription;
import org.eclipse.core.resources.IWorkspace;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.SubMonitor;

import io.hexo.ide.core.HexoCli;
import io.hexo.ide.core.HexoCore;
import io.hexo.ide.core.build.BuildSettings;

/** Creating hexo projects: new (empty or from a sample) and from an existing directory of C sources. */
public final class HexoProjects {

    static final String EMPTY_MAIN = """
            #include <stdio.h>
            #include <hermit/migration.h>

            int main(void) {
            \tfor (int i = 0; i < 10; i++) {
            \t\tpopcorn_check_migrate();
            \t\tprintf("step %d\\n", i);
            \t}
            \treturn 0;
            }
            """;

    private HexoProjects() {
    }

    /**
     * A new project with the hexo nature, holding the sample's files (copied: the samples stay untouched).
     * location null means the workspace's default; npbClass is used by {@link Sample#NPB_IS} only.
     */
    public static IProject create(String name, URI location, Sample sample, String npbClass, IProgressMonitor monitor)
            throws CoreException {
        SubMonitor sub = SubMonitor.convert(monitor, "Creating " + name, 4);
        IProject p = newProject(name, location, sub.split(2));
        if (sample.directory() == null) {
            write(p.getFile("main.c"), EMPTY_MAIN);
        } else {
            Path dir = sampleDir(sample);
            try (var files = Files.list(dir)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    try (InputStream in = Files.newInputStream(f)) {
                        p.getFile(f.getFileName().toString()).create(in, true, null);
                    }
                }
            } catch (IOException e) {
                throw new CoreException(HexoCore.error("Cannot copy the sample " + dir + ": " + e.getMessage()));
            }
        }
        sub.worked(1);
        if (sample == Sample.NPB_IS) {
            String c = npbClass == null ? "A" : npbClass;
            if (!Arrays.asList(Sample.NPB_CLASSES).contains(c)) {
                throw new CoreException(HexoCore.error("NPB IS has the classes "
                        + String.join(", ", Sample.NPB_CLASSES) + ", not '" + c + "'."));
            }
            BuildSettings s = new BuildSettings(p);
            s.set(s.instrumentFunctions(), "-DCLASS=" + c, s.outputDir());
        }
        sub.worked(1);
        return p;
    }

    /** Makes a hexo project of a directory of C sources where it is (nothing copied or moved). */
    public static IProject importDirectory(Path dir, String name, IProgressMonitor monitor) throws CoreException {
        String problem = checkSourceDirectory(dir);
        if (problem != null) {
            throw new CoreException(HexoCore.error(problem));
        }
        return newProject(name, dir.toUri(), monitor);
    }

    /** Why dir cannot become a hexo project, in one sentence, or null when it can. */
    public static String checkSourceDirectory(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return "Choose an existing directory.";
        }
        try (var files = Files.list(dir)) {
            if (files.noneMatch(f -> f.getFileName().toString().endsWith(".c"))) {
                return dir + " holds no .c file: hexo builds the C files at the top of the directory.";
            }
        } catch (IOException e) {
            return "Cannot read " + dir + ": " + e.getMessage();
        }
        return null;
    }

    /** Why name cannot be a new project's name, or null. */
    public static String checkName(String name) {
        IWorkspace ws = ResourcesPlugin.getWorkspace();
        var status = ws.validateName(name == null ? "" : name, org.eclipse.core.resources.IResource.PROJECT);
        if (!status.isOK()) {
            return status.getMessage();
        }
        if (ws.getRoot().getProject(name).exists()) {
            return "A project named " + name + " exists already.";
        }
        return null;
    }

    /** The sample's directory in the hexo installation. */
    public static Path sampleDir(Sample sample) throws CoreException {
        Path home = HexoCli.home();
        Path dir = home == null ? null : home.resolve("resources/samples").resolve(sample.directory());
        if (dir == null || !Files.isDirectory(dir)) {
            throw new CoreException(HexoCore.error("The sample " + sample.directory()
                    + " is missing: set \"hexo home\" in Window > Preferences > hexo to the hexo tree."));
        }
        return dir;
    }

    private static IProject newProject(String name, URI location, IProgressMonitor monitor) throws CoreException {
        String problem = checkName(name);
        if (problem != null) {
            throw new CoreException(HexoCore.error(problem));
        }
        IWorkspace ws = ResourcesPlugin.getWorkspace();
        IProject p = ws.getRoot().getProject(name);
        IProjectDescription d = ws.newProjectDescription(name);
        d.setLocationURI(location);
        SubMonitor sub = SubMonitor.convert(monitor, 3);
        p.create(d, sub.split(1));
        p.open(sub.split(1));
        HexoNature.addTo(p);
        sub.worked(1);
        return p;
    }

    private static void write(IFile f, String text) throws CoreException {
        f.create(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), true, null);
    }

    /** The hexo projects of the workspace, open ones only. */
    public static List<IProject> all() {
        return Arrays.stream(ResourcesPlugin.getWorkspace().getRoot().getProjects()).filter(p -> {
            try {
                return p.isOpen() && p.hasNature(HexoNature.ID);
            } catch (CoreException e) {
                return false;
            }
        }).toList();
    }
}
