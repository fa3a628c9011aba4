package io.hexo.ide.wizards;

import java.lang.reflect.InvocationTargetException;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.jface.wizard.IWizardContainer;
import org.eclipse.jface.wizard.WizardPage;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.WorkbenchException;
import org.eclipse.ui.actions.WorkspaceModifyOperation;
import org.eclipse.ui.wizards.newresource.BasicNewResourceWizard;

import io.hexo.ide.HexoPlugin;
import io.hexo.ide.perspective.HexoPerspective;

/** What the hexo wizards share: running the creation with progress, then showing the project in the hexo perspective. */
final class Wizards {

    private Wizards() {
    }

    /** Runs op in the wizard's progress area; a failure becomes the page's error message. */
    static boolean run(IWizardContainer container, WizardPage page, WorkspaceModifyOperation op) {
        try {
            container.run(true, false, op);
            return true;
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            page.setErrorMessage(t instanceof CoreException ce ? ce.getStatus().getMessage() : String.valueOf(t));
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Opens the hexo perspective and selects the project in its explorer. */
    static void reveal(IWorkbench workbench, IProject project) {
        if (workbench == null || project == null) {
            return;
        }
        var window = workbench.getActiveWorkbenchWindow();
        if (window == null) {
            return;
        }
        try {
            workbench.showPerspective(HexoPerspective.ID, window);
        } catch (WorkbenchException e) {
            HexoPlugin.log(e.getStatus());
        }
        BasicNewResourceWizard.selectAndReveal(project, window);
    }
}
