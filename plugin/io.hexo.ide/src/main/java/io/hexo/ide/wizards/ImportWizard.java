package io.hexo.ide.wizards;

import java.lang.reflect.InvocationTargetException;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.wizard.Wizard;
import org.eclipse.ui.IImportWizard;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.actions.WorkspaceModifyOperation;

import io.hexo.ide.core.project.HexoProjects;

/** File > Import > hexo > C sources as a hexo project: the hexo nature and builder on a directory, in place. */
public class ImportWizard extends Wizard implements IImportWizard {

    public static final String ID = "io.hexo.ide.wizards.import";

    private IWorkbench workbench;
    private ImportPage page;
    private IProject created;

    public ImportWizard() {
        setWindowTitle("Import C sources as a hexo project");
        setNeedsProgressMonitor(true);
    }

    @Override
    public void init(IWorkbench workbench, IStructuredSelection selection) {
        this.workbench = workbench;
    }

    @Override
    public void addPages() {
        page = new ImportPage();
        addPage(page);
    }

    public ImportPage page() {
        return page;
    }

    @Override
    public boolean performFinish() {
        var dir = page.directory();
        String name = page.projectName();
        boolean ok = Wizards.run(getContainer(), page, new WorkspaceModifyOperation() {
            @Override
            protected void execute(IProgressMonitor monitor) throws CoreException, InvocationTargetException {
                created = HexoProjects.importDirectory(dir, name, monitor);
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
