package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.core.resources.IProject;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.swt.SWT;
import org.junit.Test;

import io.hexo.vmm.checkpoint.CheckpointReport;
import io.hexo.ide.core.launch.HexoLaunch;
import io.hexo.ide.migration.MigrationView;
import io.hexo.ide.core.session.GuestSession;
import io.hexo.ide.core.session.RunSpec;

/** Migration from the IDE: MIGTEST moves the guest to the emulated board; the view's Migrate button; its checkpoints. */
public class MigrationTest {

    @Test
    public void migtestMovesToTheEmulatedBoardAndCompletes() throws Exception {
        IProject p = Ui.sampleProject("migtest");
        ILaunchConfigurationWorkingCopy wc = LaunchDialogsTest.config(HexoLaunch.TYPE_X86, "migtest", p);
        wc.setAttribute(HexoLaunch.MIGRATE_AFTER, "4");
        wc.setAttribute(HexoLaunch.CHECKPOINT_DIR, "checkpoint");
        GuestSession s = Launches.launch(wc.doSave(), ILaunchManager.RUN_MODE, 420);
        int code = Launches.waitForExit(s, 300);
        assertEquals("exit code\n" + Launches.tail(s.stderr()), 0, code);
        assertEquals("migrated once\n" + Launches.tail(s.stderr()), 1, s.migrations());
        assertEquals(RunSpec.ISA_ARM, s.isa());
        assertTrue(s.history().toString(), s.history().get(1).startsWith("aarch64"));
        assertTrue("the engine shown is the one hexo named: " + s.engine(),
                s.stderr().contains("hexo: engine: " + s.engine() + " for the aarch64 guest"));
        assertEquals("the output across the migration", Ui.expectedOutput(p), s.stdout());
        assertEquals("hello-migrate's ten migration points, from hexo's events", 10, s.pointsPassed());
        Ui.waitFor("the Console to show the last iteration", 20, () -> Ui.console(s).contains("Iteration 9/10"));
        assertTrue(Ui.console(s).contains("x86-64 -> aarch64"));
        assertTrue("the checkpoint in the Console:\n" + Launches.tail(Ui.console(s)),
                java.util.regex.Pattern.compile("checkpoint written to \\S+ \\(\\d+ bytes\\) at migration point \\d+").matcher(Ui.console(s)).find());
        String title = org.eclipse.debug.ui.DebugUITools.getConsole(s).getName();
        assertTrue("the Console's title follows the ISA: " + title, title.contains("on aarch64") && !title.contains("on x86-64"));
    }

    @Test
    public void migrateButtonMovesARunningGuestAndTheViewListsItsCheckpoint() throws Exception {
        IProject p = Ui.sampleProject("view-test");
        // the hexo perspective as the wizard leaves it: the Console comes forward on output, in its own stack
        org.eclipse.ui.PlatformUI.getWorkbench().showPerspective(io.hexo.ide.perspective.HexoPerspective.ID, Ui.window());
        MigrationView view = (MigrationView) Ui.page().showView(MigrationView.ID);
        ILaunchConfigurationWorkingCopy wc = LaunchDialogsTest.config(HexoLaunch.TYPE_X86, "view-test", p);
        wc.setAttribute(HexoLaunch.CHECKPOINT_DIR, "ckpt");
        GuestSession s = Launches.launch(wc.doSave(), ILaunchManager.RUN_MODE, 420);
        Ui.waitFor("the guest to print Iteration 2/10\n" + Launches.tail(s.stderr()), 60,
                () -> s.stdout().contains("Iteration 2/10") || s.isTerminated());
        assertFalse("still running", s.isTerminated());
        assertTrue("the Migration view is still visible while the guest prints", Ui.page().isPartVisible(view));
        Ui.waitFor("the view to select the newest guest", 10, () -> view.selectedGuest() == s);
        assertTrue(s.title(), s.title().startsWith(wc.getName()) && s.title().endsWith("view-test"));
        assertTrue("Migrate enabled for a running guest", view.migrateButton().isEnabled());
        Ui.waitFor("the Points column to count the guest's migration points", 10, () -> Long.parseLong(cell(view, s, "Points")) >= 2);
        assertEquals(io.hexo.ide.core.prefs.Board.EMULATED.label(), cell(view, s, "Migrates to"));
        String title = org.eclipse.debug.ui.DebugUITools.getConsole(s).getName();
        assertTrue("the Console's title names the ISA: " + title, title.contains("on x86-64"));
        shootView(view, "migration-view");
        view.migrateButton().notifyListeners(SWT.Selection, new org.eclipse.swt.widgets.Event());
        Ui.waitFor("the guest to move to the board\n" + Launches.tail(s.stderr()), 60,
                () -> s.migrations() == 1 || s.isTerminated());
        assertEquals("exit code\n" + Launches.tail(s.stderr()), 0, Launches.waitForExit(s, 300));
        assertEquals(1, s.migrations());
        assertEquals(RunSpec.ISA_ARM, s.isa());
        assertEquals(Ui.expectedOutput(p), s.stdout());

        // the view lists the checkpoint with each file's real size
        Path dir = p.getLocation().toPath().resolve("ckpt");
        view.refreshCheckpoints().join();
        Ui.spin(500);
        CheckpointReport ci = view.checkpoints().stream()
                .filter(c -> c.directory() != null && Path.of(c.directory()).toAbsolutePath().normalize().equals(dir))
                .findFirst().orElse(null);
        assertNotNull("the view lists " + dir + ": " + view.checkpoints().stream().map(c -> c.directory() + " " + c.problem()).toList(), ci);
        assertTrue("valid: " + ci.problem(), ci.valid());
        assertFalse(ci.files().isEmpty());
        for (CheckpointReport.FileRow f : ci.files()) {
            assertEquals(f.name(), Files.size(dir.resolve(f.name())), f.size());
        }
        view.checkpointViewer().setSelection(new StructuredSelection(ci));
        shootView(view, "migration-view-checkpoint");
    }

    @Test
    public void terminateFromTheViewIsWrittenToTheConsole() throws Exception {
        IProject p = Ui.sampleProject("terminate-test");
        MigrationView view = (MigrationView) Ui.page().showView(MigrationView.ID);
        GuestSession s = Launches.launch(LaunchDialogsTest.config(HexoLaunch.TYPE_X86, "terminate-test", p).doSave(),
                ILaunchManager.RUN_MODE, 420);
        Ui.waitFor("the guest to print Iteration 1/10\n" + Launches.tail(s.stderr()), 60,
                () -> s.stdout().contains("Iteration 1/10") || s.isTerminated());
        Ui.waitFor("the view to select the newest guest", 10, () -> view.selectedGuest() == s);
        assertTrue(view.terminateButton().isEnabled());
        view.terminateButton().notifyListeners(SWT.Selection, new org.eclipse.swt.widgets.Event());
        Launches.waitForExit(s, 30);
        Ui.waitFor("the Console to say the guest was terminated", 10,
                () -> Ui.console(s).contains("Terminated by the user on x86-64"));
        assertFalse(s.stdout().contains("Iteration 9/10"));
    }

    /** The text of a guest's row in the column with that header. */
    static String cell(MigrationView view, GuestSession s, String column) {
        org.eclipse.swt.widgets.Table t = view.guestViewer().getTable();
        view.guestViewer().refresh(true);
        for (int c = 0; c < t.getColumnCount(); c++) {
            if (t.getColumn(c).getText().equals(column)) {
                for (org.eclipse.swt.widgets.TableItem item : t.getItems()) {
                    if (item.getData() == s) {
                        return item.getText(c);
                    }
                }
                throw new AssertionError("no row for " + s);
            }
        }
        throw new AssertionError("no column " + column);
    }

    /** A screenshot of the view, maximized in the workbench window. */
    static void shootView(MigrationView view, String name) {
        try {
            Ui.page().showView(MigrationView.ID);
        } catch (org.eclipse.ui.PartInitException e) {
            throw new AssertionError(e);
        }
        Ui.page().activate(view);
        Ui.page().setPartState(Ui.page().getReference(view), org.eclipse.ui.IWorkbenchPage.STATE_MAXIMIZED);
        Ui.spin(500);
        Ui.screenshot(name);
        Ui.page().setPartState(Ui.page().getReference(view), org.eclipse.ui.IWorkbenchPage.STATE_RESTORED);
        Ui.spin(200);
    }
}
