package io.hexo.ide.wizards;

import org.eclipse.ui.INewWizard;

import io.hexo.ide.core.project.HexoProjects;

/** File > New > hexo C project: empty, or a copy of the hello-migrate or NPB IS sample; opens the hexo perspective. */
public class NewProjectWizard extends ProjectWizard<NewProjectPage> implements INewWizard {

    public static final String ID = "io.hexo.ide.wizards.newProject";

    public NewProjectWizard() {
        super("New hexo C project");
    }

    @Override
    NewProjectPage newPage() {
        return new NewProjectPage();
    }

    @Override
    Creation creation() {
        String name = page().projectName();
        var sample = page().sample();
        String npb = page().npbClass();
        return monitor -> HexoProjects.create(name, null, sample, npb, monitor);
    }
}
