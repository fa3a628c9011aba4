package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.wizard.WizardDialog;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Event;
import org.eclipse.ui.IWorkbenchPage;
import org.junit.Test;

import io.hexo.ide.core.launch.HexoLaunch;
import io.hexo.ide.core.session.GuestSession;
import io.hexo.ide.core.session.Guests;
import io.hexo.ide.core.session.RunSpec;
import io.hexo.ide.launch.HexoLaunchShortcut;
import io.hexo.ide.migration.MigrationView;
import io.hexo.ide.core.project.Sample;
import io.hexo.ide.wizards.NewProjectWizard;

/**
 * docs/ide/README.md's path, through the workbench: a project from the NPB IS sample (class A), Run As > Run on x86
 * from the Project Explorer, one click on Migrate while it prints, and the run verifies on the ARM board.
 */
public class NewcomerFlowTest {

    @Test
    public void npbIsFromTheSampleRunsOnX86AndMigratesToTheBoardWithOneClick() throws Exception {
        IProject old = ResourcesPlugin.getWorkspace().getRoot().getProject("npb-is");
        if (old.exists()) {
            old.delete(true, true, null);
        }
        NewProjectWizard w = new NewProjectWizard();
        WizardDialog dialog = ProjectWizardsTest.open(w);
        try {
            w.page().nameField().setText("npb-is");
            w.page().sampleButton(Sample.EMPTY).setSelection(false);
            w.page().sampleButton(Sample.NPB_IS).setSelection(true);
            w.page().npbClassField().setText("A");
            assertTrue(w.performFinish());
        } finally {
            dialog.close();
        }
        IProject p = w.created();
        IWorkbenchPage page = Ui.page();
        MigrationView view = (MigrationView) page.showView(MigrationView.ID, null, IWorkbenchPage.VIEW_VISIBLE);

        // Run As > Run on x86 on the project, as the explorer's menu does it
        int before = Guests.get().sessions().size();
        var explorer = WorkbenchMenusTest.explorer();
        explorer.setSelection(new StructuredSelection(p), true);
        new HexoLaunchShortcut().launch(explorer.getSelection(), ILaunchManager.RUN_MODE);
        Ui.waitFor("the launch (hexo build of NPB IS first)", 420, () -> Guests.get().sessions().size() > before);
        GuestSession s = Guests.get().sessions().get(Guests.get().sessions().size() - 1);
        assertEquals(HexoLaunch.TYPE_X86, s.getLaunch().getLaunchConfiguration().getType().getIdentifier());
        Ui.waitFor("NPB IS to print its second iteration\n" + Launches.tail(s.stderr()), 120,
                () -> s.stdout().contains("        2\n") || s.isTerminated());
        assertTrue("the view stays visible while the guest prints", page.isPartVisible(view));
        Ui.waitFor("the view to select the new guest", 10, () -> view.selectedGuest() == s);
        view.migrateButton().notifyListeners(SWT.Selection, new Event());
        Ui.waitFor("the guest to move to the board\n" + Launches.tail(s.stderr()), 120,
                () -> s.migrations() == 1 || s.isTerminated());
        Ui.spin(1500);
        Ui.screenshot("ide-npb-is-migrated");
        assertEquals("exit code\n" + Launches.tail(s.stderr()), 0, Launches.waitForExit(s, 600));
        assertEquals(1, s.migrations());
        assertEquals(RunSpec.ISA_ARM, s.isa());
        assertTrue(s.stdout(), s.stdout().contains("Verification    =               SUCCESSFUL"));
        assertTrue(s.stdout(), s.stdout().contains(" Class           =                        A"));
    }
}
