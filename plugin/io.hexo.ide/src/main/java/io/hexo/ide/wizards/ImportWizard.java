package io.hexo.ide.wizards;

import org.eclipse.ui.IImportWizard;

import io.hexo.ide.core.project.HexoProjects;

/** File > Import > hexo > C sources as a hexo project: the hexo nature and builder on a directory, in place. */
public class ImportWizard extends ProjectWizard<ImportPage> implements IImportWizard {

    public static final String ID = "io.hexo.ide.wizards.import";

    public ImportWizard() {
        super("Import C sources as a hexo project");
    }

    @Override
    ImportPage newPage() {
        return new ImportPage();
    }

    @Override
    Creation creation() {
        var dir = page().directory();
        String name = page().projectName();
        return monitor -> HexoProjects.importDirectory(dir, name, monitor);
    }
}
