package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.eclipse.core.resources.IProject;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.junit.Test;

import io.hexo.ide.core.launch.HexoLaunch;
import io.hexo.ide.core.session.GuestSession;
import io.hexo.ide.core.session.PostCopyMigration;
import io.hexo.ide.core.session.RunSpec;
import io.hexo.ide.migration.MigrationView;

/**
 * A real post-copy migration from the Migration view: a guest launched with "Migrate by post-copy" on x86-64 (hexo run
 * --full-chkpt-save 0), Migrate, the destination on the built-in board (its own copy of the minimal checkpoint, hexo run
 * --resume --full-chkpt-restore 0 --server), both sides followed from their postcopy events up to the hand-over.
 */
public class PostCopyIdeTest {

    @Test
    public void migrateByPostCopyFromTheViewHandsOverAndPrintsWhatAnUnmigratedRunPrints() throws Exception {
        IProject p = Ui.sampleProject("postcopy-test");
        // the hexo perspective as the wizard leaves it: the view beside the editor, the Console in its own stack
        org.eclipse.ui.PlatformUI.getWorkbench().showPerspective(io.hexo.ide.perspective.HexoPerspective.ID, Ui.window());
        MigrationView view = (MigrationView) Ui.page().showView(MigrationView.ID);
        io.hexo.ide.core.session.Guests.get().clearFinished(); // the earlier tests' guests: this one's row in sight
        ILaunchConfigurationWorkingCopy wc = LaunchDialogsTest.config(HexoLaunch.TYPE_X86, "postcopy-test", p);
        wc.setAttribute(HexoLaunch.CHECKPOINT_DIR, "ckpt");
        wc.setAttribute(HexoLaunch.POST_COPY, true);
        ILaunchConfiguration config = wc.doSave();
        GuestSession s = Launches.launch(config, ILaunchManager.RUN_MODE, 420);
        Ui.waitFor("the guest to print Iteration 2/10\n" + Launches.tail(s.stderr()), 60,
                () -> s.stdout().contains("Iteration 2/10") || s.isTerminated());
        assertFalse("still running", s.isTerminated());
        Ui.waitFor("the view to select the newest guest", 10, () -> view.selectedGuest() == s);
        assertTrue("the source serves its pages at the migration point: " + s.getAttribute(org.eclipse.debug.core.model.IProcess.ATTR_CMDLINE),
                s.getAttribute(org.eclipse.debug.core.model.IProcess.ATTR_CMDLINE).contains(" --full-chkpt-save 0 --port 0 "));
        assertTrue("the Post-copy box shows the launch's choice", view.postCopyBox().getSelection() && view.postCopyBox().isEnabled());
        assertEquals(io.hexo.ide.core.prefs.Board.EMULATED.label() + ", by post-copy", MigrationTest.cell(view, s, "Migrates to"));

        // the box is remembered per launch configuration; the running source keeps the way it started with
        view.postCopyBox().setSelection(false);
        Ui.press(view.postCopyBox());
        assertFalse(config.getAttribute(HexoLaunch.POST_COPY, true));
        assertTrue("hexo fixed it when the run started", s.migratesByPostCopy());
        view.postCopyBox().setSelection(true);
        Ui.press(view.postCopyBox());
        assertTrue(config.getAttribute(HexoLaunch.POST_COPY, false));
        Ui.spin(300);
        assertTrue("the box follows the guest's choice", s.postCopy() && view.postCopyBox().getSelection());

        Ui.press(view.migrateButton());
        Ui.waitFor("the post-copy hand-over\n" + Launches.tail(s.stderr()), 90, () -> {
            PostCopyMigration m = s.postCopyMigration();
            return m != null && m.handedOver() || s.isTerminated();
        });
        PostCopyMigration m = s.postCopyMigration();
        assertTrue("handed over\n" + Launches.tail(s.stderr()), m != null && m.handedOver());
        // the first side to say it makes the hand-over; the other side's event follows through its own event tail
        Ui.waitFor("the view to show the hand-over on both sides", 10, () -> view.postCopyText().contains("Hand-over: handed over at ")
                && view.postCopyText().contains("\nDestination (aarch64): handed-over: "));
        String shown = view.postCopyText();
        assertTrue(shown, shown.startsWith("Post-copy x86-64 \u2192 aarch64\nSource (x86-64): "));
        assertTrue(shown, shown.contains("\nDestination (aarch64): handed-over: "));
        var dst = m.destination();
        assertEquals("every page in place on the destination: " + dst, dst.pagesTotal(), dst.pagesMoved());
        assertTrue(shown, shown.contains(dst.pagesMoved() + " / " + dst.pagesTotal() + " pages, " + dst.faultsServed() + " faults served"));
        assertEquals("the destination's bar is full", 1000, view.postCopyBars()[1]);
        assertTrue("the box still shows the choice: " + s.postCopy(), view.postCopyBox().getSelection());

        assertEquals("exit code\n" + Launches.tail(s.stderr()), 0, Launches.waitForExit(s, 300));
        // once the guest printed all (the Console no longer comes forward): the view keeps the migration's last word
        Ui.waitFor("the view to show the ended guest", 10, () -> MigrationTest.cell(view, s, "State").startsWith("exited"));
        assertTrue(view.postCopyText(), view.postCopyText().contains("Hand-over: handed over at "));
        MigrationTest.shootView(view, "migration-view-postcopy");
        assertEquals(1, s.migrations());
        assertEquals(RunSpec.ISA_ARM, s.isa());
        assertEquals("the output across the post-copy migration is an unmigrated run's", Ui.expectedOutput(p), s.stdout());
        assertEquals("hello-migrate's ten migration points, counted on across both sides", 10, s.pointsPassed());
        Ui.waitFor("the Console to show the last iteration", 20, () -> Ui.console(s).contains("Iteration 9/10"));
        String console = Ui.console(s);
        String ck = p.getLocation().toPath().resolve("ckpt").toString();
        assertTrue("the minimal checkpoint copied as a user would:\n" + Launches.tail(console),
                console.contains(" transfer --from " + ck + " --to " + ck + "-postcopy "));
        assertTrue("the destination's command line, as a user would type it:\n" + Launches.tail(console),
                java.util.regex.Pattern.compile(" run --isa arm .*--checkpoint-dir " + java.util.regex.Pattern.quote(ck)
                        + "-postcopy --resume --full-chkpt-restore 0 --server 127\\.0\\.0\\.1:\\d+ ").matcher(console).find());
        assertTrue("the hand-over in the Console:\n" + Launches.tail(console),
                java.util.regex.Pattern.compile("\\[hexo-ide\\] post-copy hand-over at \\d\\d:\\d\\d:\\d\\d\\.\\d{3}").matcher(console).find());
        assertTrue(console.contains("[hexo-ide] post-copy: the guest resumed on aarch64 at once"));
        assertFalse("no checkpoint/restart migration: " + console, console.contains("[hexo-ide] migrating x86-64 -> aarch64 (auto)\n"));
        assertTrue("the source is gone after the hand-over", s.postCopyMigration().ended());
    }

    @Test
    public void aDestinationThatCannotStartLeavesTheJobWithTheSourceWhichTakesItBack() throws Exception {
        IProject p = Ui.sampleProject("takeback-test");
        MigrationView view = (MigrationView) Ui.page().showView(MigrationView.ID);
        ILaunchConfigurationWorkingCopy wc = LaunchDialogsTest.config(HexoLaunch.TYPE_X86, "takeback-test", p);
        wc.setAttribute(HexoLaunch.POST_COPY, true);
        GuestSession s = Launches.launch(wc.doSave(), ILaunchManager.RUN_MODE, 420);
        Ui.waitFor("the guest to print Iteration 2/10\n" + Launches.tail(s.stderr()), 60,
                () -> s.stdout().contains("Iteration 2/10") || s.isTerminated());
        Ui.waitFor("the view to select the newest guest", 10, () -> view.selectedGuest() == s);
        // the destination cannot start: its image is gone (as on a board that lacks it)
        java.nio.file.Files.delete(p.getLocation().toPath().resolve("build/prog_aarch64"));
        Ui.press(view.migrateButton());
        Ui.waitFor("the source to take the job back\n" + Launches.tail(s.stderr()), 60, () -> {
            PostCopyMigration m = s.postCopyMigration();
            return m != null && m.ended() || s.isTerminated();
        });
        PostCopyMigration m = s.postCopyMigration();
        assertFalse("no hand-over: " + m.handOver(), m.handedOver());
        assertEquals("taken back by the source", m.handOver());
        assertEquals("exit code\n" + Launches.tail(s.stderr()), 0, Launches.waitForExit(s, 120));
        assertEquals("the job was never lost: an unmigrated run's output", Ui.expectedOutput(p), s.stdout());
        assertEquals("the guest stayed on x86-64", RunSpec.ISA_X86, s.isa());
        assertEquals(0, s.migrations());
        Ui.waitFor("the Console to say so", 20, () -> Ui.console(s).contains("took the job back"));
        String console = Ui.console(s);
        assertTrue(Launches.tail(console), console.contains("[hexo-ide] asking the source to take the job back (SIGINT to hexo, pid "));
        assertTrue(Launches.tail(console), console.contains("[hexo-ide] post-copy: the source (x86-64) took the job back"));
    }
}
