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
import io.hexo.ide.launch.HexoLaunch;
import io.hexo.ide.migration.MigrationView;
import io.hexo.ide.session.GuestSession;
import io.hexo.ide.session.RunSpec;

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
        assertTrue(s.history().toString(), s.history().get(1).contains("aarch64 (emulated)"));
        String expected = Ui.expectedOutput(p);
        if (expected != null) {
            assertEquals("the output across the migration", expected, s.stdout());
        }
        Ui.waitFor("the Console to show the last iteration", 20, () -> Ui.console(s).contains("Iteration 9/10"));
        assertTrue(Ui.console(s).contains("x86-64 -> aarch64"));
    }

    @Test
    public void migrateButtonMovesARunningGuestAndTheViewListsItsCheckpoint() throws Exception {
        IProject p = Ui.sampleProject("view-test");
        // keep the Console from covering the view (they share a stack) each time the guest prints
        var debugUi = org.eclipse.core.runtime.preferences.InstanceScope.INSTANCE.getNode("org.eclipse.debug.ui");
        debugUi.putBoolean("DEBUG.consoleOpenOnOut", false);
        debugUi.putBoolean("DEBUG.consoleOpenOnErr", false);
        MigrationView view = (MigrationView) Ui.page().showView(MigrationView.ID);
        ILaunchConfigurationWorkingCopy wc = LaunchDialogsTest.config(HexoLaunch.TYPE_X86, "view-test", p);
        wc.setAttribute(HexoLaunch.CHECKPOINT_DIR, "ckpt");
        GuestSession s = Launches.launch(wc.doSave(), ILaunchManager.RUN_MODE, 420);
        Ui.waitFor("the guest to print Iteration 2/10\n" + Launches.tail(s.stderr()), 60,
                () -> s.stdout().contains("Iteration 2/10") || s.isTerminated());
        assertFalse("still running", s.isTerminated());
        Ui.page().activate(view);
        view.guestViewer().setSelection(new StructuredSelection(s));
        Ui.spin(300);
        assertTrue("Migrate enabled for a running guest", view.migrateButton().isEnabled());
        shootView(view, "migration-view");
        view.migrateButton().notifyListeners(SWT.Selection, new org.eclipse.swt.widgets.Event());
        Ui.waitFor("the guest to move to the board\n" + Launches.tail(s.stderr()), 60,
                () -> s.migrations() == 1 || s.isTerminated());
        assertEquals("exit code\n" + Launches.tail(s.stderr()), 0, Launches.waitForExit(s, 300));
        assertEquals(1, s.migrations());
        assertEquals(RunSpec.ISA_ARM, s.isa());
        String expected = Ui.expectedOutput(p);
        if (expected != null) {
            assertEquals(expected, s.stdout());
        }

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
