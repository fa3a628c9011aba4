package io.hexo.ide.wizards;

import java.nio.file.Path;

import org.eclipse.jface.wizard.WizardPage;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.DirectoryDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;

import io.hexo.ide.core.project.HexoProjects;

/** The directory of C sources and the project's name (the directory's, by default). */
public class ImportPage extends WizardPage {

    private Text directory;
    private Text name;

    ImportPage() {
        super("hexoImport");
        setTitle("C sources as a hexo project");
        setDescription("The project uses the directory where it is: nothing is copied.");
    }

    @Override
    public void createControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        c.setLayout(new GridLayout(3, false));
        new Label(c, SWT.NONE).setText("&Directory:");
        directory = new Text(c, SWT.BORDER);
        directory.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        Button browse = new Button(c, SWT.PUSH);
        browse.setText("B&rowse...");
        browse.addListener(SWT.Selection, e -> {
            String d = new DirectoryDialog(getShell()).open();
            if (d != null) {
                directory.setText(d);
            }
        });
        new Label(c, SWT.NONE).setText("&Project name:");
        name = new Text(c, SWT.BORDER);
        name.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        directory.addModifyListener(e -> {
            Path p = directory();
            if (p != null && p.getFileName() != null) {
                name.setText(p.getFileName().toString());
            }
            validate();
        });
        name.addModifyListener(e -> validate());
        setControl(c);
        validate();
    }

    private void validate() {
        String problem = directory.getText().isBlank() ? "Choose a directory of C sources."
                : HexoProjects.checkSourceDirectory(directory());
        if (problem == null) {
            problem = HexoProjects.checkName(name.getText().trim());
        }
        setErrorMessage(directory.getText().isBlank() ? null : problem);
        setPageComplete(problem == null);
    }

    Path directory() {
        String d = directory.getText().trim();
        return d.isEmpty() ? null : Path.of(d).toAbsolutePath().normalize();
    }

    String projectName() {
        return name.getText().trim();
    }

    public Text directoryField() {
        return directory;
    }

    public Text nameField() {
        return name;
    }
}
