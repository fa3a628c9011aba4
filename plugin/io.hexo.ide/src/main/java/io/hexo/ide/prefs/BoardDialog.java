package io.hexo.ide.prefs;

import org.eclipse.jface.dialogs.TitleAreaDialog;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;

/** Add a board: the fields of hexo board add (name, host, port, user, key, home); hexo itself checks them. */
public final class BoardDialog extends TitleAreaDialog {

    public record Values(String name, String host, int port, String user, String key, String home) {
    }

    private Text name, host, port, user, key, home;
    private Values values;

    BoardDialog(Shell parent) {
        super(parent);
    }

    @Override
    protected Control createDialogArea(Composite parent) {
        Composite area = (Composite) super.createDialogArea(parent);
        setTitle("Add an ARM64 board");
        setMessage("hexo board add: the board goes into hexo's boards file, for the IDE and the command line alike."
                + " Keys only: no password is ever stored.");
        getShell().setText("Add board");
        Composite c = new Composite(area, SWT.NONE);
        c.setLayout(new GridLayout(2, false));
        c.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        name = field(c, "&Name:", "");
        host = field(c, "&Host (ARM_TARGET_IP):", "");
        port = field(c, "&Port:", "22");
        user = field(c, "&User (ARM_TARGET_USER):", System.getProperty("user.name", ""));
        key = field(c, "&Key file (empty: ~/.ssh/id_*):", "");
        home = field(c, "Hexo h&ome there (ARM_TARGET_HOME; empty: ~/hexo):", "");
        return area;
    }

    private static Text field(Composite c, String label, String value) {
        new Label(c, SWT.NONE).setText(label);
        Text t = new Text(c, SWT.BORDER);
        t.setText(value);
        t.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        return t;
    }

    /** Sets the fields as a user types them (tests drive the dialog through these). */
    public void fill(String n, String h, int p, String u, String k, String hm) {
        name.setText(n);
        host.setText(h);
        port.setText(Integer.toString(p));
        user.setText(u);
        key.setText(k);
        home.setText(hm);
    }

    @Override
    protected void okPressed() {
        int p;
        try {
            p = Integer.parseInt(port.getText().trim());
        } catch (NumberFormatException e) {
            setErrorMessage("Port " + port.getText() + " is not a number: SSH listens on 22 unless the board says otherwise");
            return;
        }
        if (name.getText().isBlank() || host.getText().isBlank() || user.getText().isBlank()) {
            setErrorMessage("A board needs a name, a host and a user");
            return;
        }
        values = new Values(name.getText().trim(), host.getText().trim(), p, user.getText().trim(), key.getText().trim(), home.getText().trim());
        super.okPressed();
    }

    Values values() {
        return values;
    }
}
