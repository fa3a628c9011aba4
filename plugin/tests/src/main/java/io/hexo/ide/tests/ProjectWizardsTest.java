package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.wizard.WizardDialog;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.wizards.IWizardDescriptor;
import org.junit.Test;

import io.hexo.ide.core.build.BuildSettings;
import io.hexo.ide.perspective.HexoPerspective;
import io.hexo.ide.core.project.HexoBuilder;
import io.hexo.ide.core.project.HexoNature;
import io.hexo.ide.core.project.Sample;
import io.hexo.ide.wizards.ImportWizard;
import io.hexo.ide.wizards.NewProjectWizard;

/** File > New > hexo C project and File > Import > C sources as a hexo project, from the workbench's registries. */
public class ProjectWizardsTest {

    /** The wizard as File > New shows it: initialised for the workbench, in its (non-blocking) dialog. */
    static WizardDialog open(org.eclipse.ui.IWorkbenchWizard w) {
        w.init(PlatformUI.getWorkbench(), StructuredSelection.EMPTY);
        WizardDialog dialog = new WizardDialog(Ui.window().getShell(), w);
        dialog.setBlockOnOpen(false);
        dialog.open();
        return dialog;
    }

    @Test
    public void newProjectFromTheNpbIsSampleWithItsClass() throws Exception {
        IWizardDescriptor d = PlatformUI.getWorkbench().getNewWizardRegistry().findWizard(NewProjectWizard.ID);
        assertNotNull("File > New lists the hexo C project wizard", d);
        assertEquals("hexo C project", d.getLabel());
        NewProjectWizard w = (NewProjectWizard) d.createWizard();
        WizardDialog dialog = open(w);
        try {
            var page = w.page();
            assertFalse("no name yet", page.isPageComplete());
            page.nameField().setText("npb-from-wizard");
            page.sampleButton(Sample.EMPTY).setSelection(false);
            page.sampleButton(Sample.NPB_IS).setSelection(true);
            page.sampleButton(Sample.NPB_IS).notifyListeners(org.eclipse.swt.SWT.Selection, new org.eclipse.swt.widgets.Event());
            page.npbClassField().setText("S");
            assertTrue(page.isPageComplete());
            assertTrue(w.performFinish());
        } finally {
            dialog.close();
        }
        IProject p = ResourcesPlugin.getWorkspace().getRoot().getProject("npb-from-wizard");
        assertTrue(p.exists());
        assertTrue(p.hasNature(HexoNature.ID));
        assertTrue(Arrays.stream(p.getDescription().getBuildSpec()).anyMatch(c -> HexoBuilder.ID.equals(c.getBuilderName())));
        assertTrue(p.getFile("is.c").exists());
        assertTrue(p.getFile("npbparams-S.h").exists());
        assertEquals("-DCLASS=S", new BuildSettings(p).cflags());
        assertEquals("the wizard opens the hexo perspective", HexoPerspective.ID, Ui.page().getPerspective().getId());
    }

    @Test
    public void aNameInUseIsRefusedInOneSentence() throws Exception {
        Ui.sampleProject("taken");
        NewProjectWizard w = new NewProjectWizard();
        WizardDialog dialog = open(w);
        try {
            w.page().nameField().setText("taken");
            assertFalse(w.page().isPageComplete());
            assertEquals("A project named taken exists already.", w.page().getErrorMessage());
        } finally {
            dialog.close();
        }
    }

    @Test
    public void importMakesADirectoryOfCSourcesAHexoProjectInPlace() throws Exception {
        IWizardDescriptor d = PlatformUI.getWorkbench().getImportWizardRegistry().findWizard(ImportWizard.ID);
        assertNotNull("File > Import lists the hexo import", d);
        Path dir = Files.createTempDirectory("hexo-import");
        Files.copy(Ui.hexoHome().resolve("resources/samples/hello-migrate/test.c"), dir.resolve("test.c"));
        ImportWizard w = (ImportWizard) d.createWizard();
        WizardDialog dialog = open(w);
        try {
            Path empty = Files.createTempDirectory("hexo-empty");
            w.page().directoryField().setText(empty.toString());
            assertFalse(w.page().isPageComplete());
            assertTrue(w.page().getErrorMessage(), w.page().getErrorMessage().contains("holds no .c file"));
            w.page().directoryField().setText(dir.toString());
            assertEquals(dir.getFileName().toString(), w.page().nameField().getText());
            assertTrue(w.page().getErrorMessage(), w.page().isPageComplete());
            assertTrue(w.performFinish());
        } finally {
            dialog.close();
        }
        IProject p = w.created();
        assertNotNull(p);
        assertEquals(dir, p.getLocation().toPath());
        assertTrue(p.hasNature(HexoNature.ID));
        assertTrue(p.getFile("test.c").exists());
    }
}
