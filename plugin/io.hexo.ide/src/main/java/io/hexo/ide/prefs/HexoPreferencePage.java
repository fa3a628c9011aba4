package io.hexo.ide.prefs;

import org.eclipse.jface.preference.DirectoryFieldEditor;
import org.eclipse.jface.preference.FieldEditorPreferencePage;
import org.eclipse.jface.preference.StringFieldEditor;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchPreferencePage;

import io.hexo.ide.core.HexoCli;
import io.hexo.ide.HexoPlugin;
import io.hexo.ide.core.prefs.HexoPreferences;
import io.hexo.ide.core.prefs.Toolchain;

/** Window, Preferences, hexo: toolchain status, hexo home, default MEM and checkpoint directory, boards. */
public class HexoPreferencePage extends FieldEditorPreferencePage implements IWorkbenchPreferencePage {

    public HexoPreferencePage() {
        super(GRID);
        setDescription("hexo compiles unmodified C into an x86-64 and an ARM64 unikernel and migrates them while they run.");
    }

    @Override
    public void init(IWorkbench workbench) {
        setPreferenceStore(HexoPlugin.getDefault().getPreferenceStore());
        getPreferenceStore().setDefault(HexoPreferences.DEFAULT_MEM, HexoPreferences.MEM_DEFAULT);
        getPreferenceStore().setDefault(HexoPreferences.DEFAULT_CHECKPOINT_DIR, HexoPreferences.CHECKPOINT_DIR_DEFAULT);
    }

    @Override
    protected void createFieldEditors() {
        Composite parent = getFieldEditorParent();
        Group status = new Group(parent, SWT.NONE);
        status.setText("Toolchain");
        status.setLayout(new GridLayout(1, false));
        status.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false, 3, 1));
        Label cli = new Label(status, SWT.NONE);
        cli.setText("hexo: " + (HexoCli.available() ? "found (" + HexoCli.executable() + ")"
                : "not found - set hexo home below, or start the IDE with ./hexo ide"));
        Toolchain.Report report = Toolchain.check();
        if (report.problem() != null) {
            new Label(status, SWT.NONE).setText("\u2718 " + report.problem());
        }
        for (Toolchain.Tool t : report.tools()) {
            Label l = new Label(status, SWT.NONE);
            l.setText((t.found() ? "\u2714 " : "\u2718 ") + t.describe());
        }

        addField(new DirectoryFieldEditor(HexoPreferences.HEXO_HOME, "hexo &home (holds the hexo launcher):", parent));
        StringFieldEditor mem = new StringFieldEditor(HexoPreferences.DEFAULT_MEM, "Default &MEM:", parent) {
            @Override
            protected boolean doCheckState() {
                String problem = HexoPreferences.checkMem(getStringValue());
                setErrorMessage(problem);
                return problem == null;
            }
        };
        mem.setEmptyStringAllowed(false);
        addField(mem);
        addField(new StringFieldEditor(HexoPreferences.DEFAULT_CHECKPOINT_DIR,
                "Default &checkpoint directory (relative to the project):", parent));
        boards = new BoardList(parent);
        HexoPreferences.boardsChanged(); // the file may have been edited from a terminal since: read it again
        boards.reload();
    }

    private BoardList boards;

    /** The boards list (hexo's boards file) with Add, Remove and Test Connection. */
    public BoardList boards() {
        return boards;
    }
}
