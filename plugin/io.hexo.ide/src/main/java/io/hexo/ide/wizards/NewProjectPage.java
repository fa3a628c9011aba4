package io.hexo.ide.wizards;

import org.eclipse.jface.wizard.WizardPage;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;

import io.hexo.ide.core.project.HexoProjects;
import io.hexo.ide.core.project.Sample;

/** The project's name and what it starts with. */
public class NewProjectPage extends WizardPage {

    private Text name;
    private final Button[] samples = new Button[Sample.values().length];
    private Combo npbClass;

    NewProjectPage() {
        super("hexoProject");
        setTitle("hexo C project");
        setDescription("C sources that hexo builds into an x86-64 and an ARM64 unikernel, able to migrate between them.");
    }

    @Override
    public void createControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        c.setLayout(new GridLayout(2, false));
        new Label(c, SWT.NONE).setText("&Project name:");
        name = new Text(c, SWT.BORDER);
        name.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        name.addModifyListener(e -> validate());
        Group g = new Group(c, SWT.NONE);
        g.setText("Start from");
        g.setLayout(new GridLayout(2, false));
        g.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false, 2, 1));
        for (Sample s : Sample.values()) {
            Button b = new Button(g, SWT.RADIO);
            b.setText(s.label());
            b.setData(s);
            b.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, s == Sample.NPB_IS ? 1 : 2, 1));
            b.addListener(SWT.Selection, e -> validate());
            samples[s.ordinal()] = b;
            if (s == Sample.NPB_IS) {
                npbClass = new Combo(g, SWT.READ_ONLY);
                npbClass.setItems(Sample.NPB_CLASSES);
                npbClass.setText("A");
                npbClass.setToolTipText("Problem size: S and W take seconds, A about a minute under emulation, B and C longer");
            }
        }
        samples[0].setSelection(true);
        setControl(c);
        validate();
    }

    private void validate() {
        npbClass.setEnabled(sample() == Sample.NPB_IS);
        String problem = name.getText().isBlank() ? "Enter a project name." : HexoProjects.checkName(name.getText());
        setErrorMessage(name.getText().isBlank() ? null : problem);
        setPageComplete(problem == null);
    }

    public Text nameField() {
        return name;
    }

    public Button sampleButton(Sample s) {
        return samples[s.ordinal()];
    }

    public Combo npbClassField() {
        return npbClass;
    }

    String projectName() {
        return name.getText().trim();
    }

    Sample sample() {
        for (Button b : samples) {
            if (b.getSelection()) {
                return (Sample) b.getData();
            }
        }
        return Sample.EMPTY;
    }

    String npbClass() {
        return npbClass.getText();
    }
}
