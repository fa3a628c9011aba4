package io.hexo.ide.wizards;

import java.lang.reflect.InvocationTargetException;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.wizard.Wizard;
import org.eclipse.ui.INewWizard;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.actions.WorkspaceModifyOperation;

import io.hexo.ide.core.project.HexoProjects;

/** File > New > hexo C project: empty, or a copy of the hello-migrate or NPB IS sample; opens the hexo perspective. */
public class NewProjectWizard extends Wizard implements INewWizard {

    public static final String ID = "io.hexo.ide.wizards.newProject";

    private IWorkbench workbench;
    private NewProjectPage page;
    private IProject created;

    public NewProjectWizard() {
        setWindowTitle("New hexo C project");
        setNeedsProgressMonitor(true);
    }

    @Override
    public void init(IWorkbench workbench, IStructuredSelection selection) {
        this.workbench = workbench;
    }

    @Override
    public void addPages() {
        page = new NewProjectPage();
        addPage(page);
    }

    public NewProjectPage page() {
        return page;
    }

    @Override
    public boolean performFinish() {
        String name = page.projectName();
        var sample = page.sample();
        String npb = page.npbClass();
        boolean ok = Wizards.run(getContainer(), page, new WorkspaceModifyOperation() {
            @Override
            protected void execute(org.eclipse.core.runtime.IProgressMonitor monitor)
                    throws CoreException, InvocationTargetException, InterruptedException {
                created = HexoProjects.create(name, null, sample, npb, monitor);
            }
        });
        if (ok) {
            Wizards.reveal(workbench, created);
        }
        return ok;
    }

    public IProject created() {
        return created;
    }
}
