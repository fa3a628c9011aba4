package io.hexo.ide.wizards;

import java.lang.reflect.InvocationTargetException;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.wizard.Wizard;
import org.eclipse.jface.wizard.WizardPage;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchWizard;
import org.eclipse.ui.WorkbenchException;
import org.eclipse.ui.actions.WorkspaceModifyOperation;
import org.eclipse.ui.wizards.newresource.BasicNewResourceWizard;

import io.hexo.ide.core.HexoCore;
import io.hexo.ide.perspective.HexoPerspective;

/**
 * What the hexo project wizards share: one page, the project made in the wizard's progress area (a failure becomes the
 * page's error message), then shown in the hexo perspective.
 */
abstract class ProjectWizard<P extends WizardPage> extends Wizard implements IWorkbenchWizard {

    /** Makes the project, off the UI thread, from values read from the page on it. */
    interface Creation {
        IProject create(IProgressMonitor monitor) throws CoreException;
    }

    private IWorkbench workbench;
    private P page;
    private IProject created;

    ProjectWizard(String title) {
        setWindowTitle(title);
        setNeedsProgressMonitor(true);
    }

    abstract P newPage();

    /** Reads the page (on the UI thread) into a creation. */
    abstract Creation creation();

    @Override
    public void init(IWorkbench workbench, IStructuredSelection selection) {
        this.workbench = workbench;
    }

    @Override
    public void addPages() {
        page = newPage();
        addPage(page);
    }

    public P page() {
        return page;
    }

    public IProject created() {
        return created;
    }

    @Override
    public boolean performFinish() {
        Creation creation = creation();
        try {
            getContainer().run(true, false, new WorkspaceModifyOperation() {
                @Override
                protected void execute(IProgressMonitor monitor) throws CoreException {
                    created = creation.create(monitor);
                }
            });
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            page.setErrorMessage(t instanceof CoreException ce ? ce.getStatus().getMessage() : String.valueOf(t));
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        reveal();
        return true;
    }

    /** Opens the hexo perspective and selects the project in its explorer. */
    private void reveal() {
        var window = workbench == null ? null : workbench.getActiveWorkbenchWindow();
        if (window == null || created == null) {
            return;
        }
        try {
            workbench.showPerspective(HexoPerspective.ID, window);
        } catch (WorkbenchException e) {
            HexoCore.log(e.getStatus());
        }
        BasicNewResourceWizard.selectAndReveal(created, window);
    }
}
