package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.IPageLayout;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.handlers.IHandlerService;
import org.eclipse.ui.part.ISetSelectionTarget;
import org.junit.Test;

import io.hexo.ide.core.build.HexoBuild;

/**
 * "Build for x86-64 and ARM64" on the sample project, through the command with the project selected in the Project
 * Explorer: no markers and both images; a broken line makes one error marker on that file and line; fixing removes it.
 */
public class BuildMarkersTest {

    static IMarker[] errors(IProject p) throws Exception {
        return java.util.Arrays.stream(p.findMarkers(HexoBuild.MARKER, true, IResource.DEPTH_INFINITE))
                .filter(m -> m.getAttribute(IMarker.SEVERITY, -1) == IMarker.SEVERITY_ERROR).toArray(IMarker[]::new);
    }

    static void buildFromProjectExplorer(IProject p) throws Exception {
        IViewPart explorer = Ui.page().showView(IPageLayout.ID_PROJECT_EXPLORER);
        // clicked, as a user does: the command acts on the active part's selection, not an editor's file
        Ui.page().activate(explorer);
        ((ISetSelectionTarget) explorer).selectReveal(new StructuredSelection(p));
        Ui.spin(300);
        PlatformUI.getWorkbench().getService(IHandlerService.class).executeCommand("io.hexo.ide.build", null);
        Ui.spin(300);
        Ui.waitFor("hexo build of " + p.getName(), 420,
                () -> Job.getJobManager().find(HexoBuild.FAMILY).length == 0);
        Ui.spin(300);
    }

    /** What a progress bar would show: the fraction done whenever the build names its next step. */
    static final class Recorder extends org.eclipse.core.runtime.NullProgressMonitor {
        double total;
        double worked;
        final java.util.List<String> steps = new java.util.ArrayList<>();
        final java.util.List<Double> fractions = new java.util.ArrayList<>();

        @Override
        public void beginTask(String name, int totalWork) {
            total = totalWork;
        }

        @Override
        public void internalWorked(double work) {
            worked += work;
        }

        @Override
        public void worked(int work) {
            internalWorked(work);
        }

        @Override
        public void subTask(String name) {
            steps.add(name);
            fractions.add(worked / total);
        }
    }

    @Test
    public void buildProgressNeverReadsDoneWhileBuilding() throws Exception {
        IProject p = Ui.sampleProject("progress-test");
        Recorder r = new Recorder();
        // a clean build: every step runs
        java.nio.file.Path out = HexoBuild.outputDir(p);
        if (Files.exists(out)) {
            try (var walk = Files.walk(out)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        HexoBuild.Result result = HexoBuild.run(p, r);
        assertTrue(result.failure(), result.ok());
        assertTrue("the build named its steps: " + r.steps, r.steps.size() >= 6);
        assertTrue(r.steps.get(0), r.steps.get(0).startsWith("step 1: ["));
        for (int i = 0; i < r.fractions.size(); i++) {
            assertTrue("step " + (i + 1) + " at " + r.fractions.get(i), r.fractions.get(i) < 0.99);
            if (i > 0) {
                assertTrue("the bar moves with each step", r.fractions.get(i) > r.fractions.get(i - 1));
            }
        }
    }

    @Test
    public void buildMakesMarkersOnlyForErrors() throws Exception {
        IProject p = Ui.sampleProject("build-test");
        IFile test = p.getFile("test.c");
        String good = new String(test.getContents().readAllBytes());

        buildFromProjectExplorer(p);
        assertEquals("no problem markers after building the sample", 0,
                p.findMarkers(HexoBuild.MARKER, true, IResource.DEPTH_INFINITE).length);
        assertTrue("x86-64 image built", Files.exists(HexoBuild.outputDir(p).resolve(HexoBuild.IMAGE_X86)));
        assertTrue("aarch64 image built", Files.exists(HexoBuild.outputDir(p).resolve(HexoBuild.IMAGE_ARM)));

        // break line 7 (1-based): one error, on test.c line 7
        String[] lines = good.split("\n", -1);
        StringBuilder broken = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i == 6) {
                broken.append("    int broken = ;\n");
            }
            broken.append(lines[i]).append(i < lines.length - 1 ? "\n" : "");
        }
        Ui.write(test, broken.toString());
        buildFromProjectExplorer(p);
        IMarker[] errs = errors(p);
        assertEquals("one error marker for one broken line", 1, errs.length);
        assertEquals(test, errs[0].getResource());
        assertEquals(7, errs[0].getAttribute(IMarker.LINE_NUMBER, -1));

        // fixed: the marker goes away
        Ui.write(test, good);
        buildFromProjectExplorer(p);
        assertEquals(0, p.findMarkers(HexoBuild.MARKER, true, IResource.DEPTH_INFINITE).length);
    }
}
