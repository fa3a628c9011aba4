package io.hexo.ide.build;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.runtime.Adapters;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import org.eclipse.ui.dialogs.PropertyPage;
import io.hexo.ide.core.build.BuildSettings;

/** Project, Properties, hexo Build: --instrument-functions, CFLAGS and the image directory. */
public class BuildPropertyPage extends PropertyPage {

    private Button instrument;
    private Text cflags;
    private Text output;

    private IProject project() {
        return Adapters.adapt(getElement(), IProject.class);
    }

    @Override
    protected Control createContents(Composite parent) {
        BuildSettings s = new BuildSettings(project());
        Composite c = new Composite(parent, SWT.NONE);
        c.setLayout(new GridLayout(2, false));
        instrument = new Button(c, SWT.CHECK);
        instrument.setText("Insert a migration point at the entry and exit of every function (--instrument-functions)");
        instrument.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        instrument.setSelection(s.instrumentFunctions());
        new Label(c, SWT.NONE).setText("CFLAGS:");
        cflags = new Text(c, SWT.BORDER);
        cflags.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        cflags.setText(s.cflags());
        cflags.setMessage("e.g. -O2 -DCLASS=S");
        new Label(c, SWT.NONE).setText("Image directory:");
        output = new Text(c, SWT.BORDER);
        output.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        output.setText(s.outputDir());
        Label hint = new Label(c, SWT.WRAP);
        hint.setText("hexo build writes prog_x86-64 and prog_aarch64 to the image directory (relative to the project).");
        hint.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        return c;
    }

    @Override
    protected void performDefaults() {
        instrument.setSelection(false);
        cflags.setText("");
        output.setText(BuildSettings.OUTPUT_DIR_DEFAULT);
        super.performDefaults();
    }

    @Override
    public boolean performOk() {
        new BuildSettings(project()).set(instrument.getSelection(), cflags.getText(), output.getText());
        return true;
    }
}
