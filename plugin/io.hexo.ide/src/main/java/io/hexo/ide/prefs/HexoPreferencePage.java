package io.hexo.ide.prefs;

import org.eclipse.jface.dialogs.IInputValidator;
import org.eclipse.jface.dialogs.InputDialog;
import org.eclipse.jface.preference.DirectoryFieldEditor;
import org.eclipse.jface.preference.FieldEditorPreferencePage;
import org.eclipse.jface.preference.ListEditor;
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
import io.hexo.ide.core.prefs.Board;
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
        for (Toolchain.Tool t : Toolchain.check()) {
            Label l = new Label(status, SWT.NONE);
            l.setText((t.found() ? "\u2714 " : "\u2718 ") + t.describe() + "   [" + t.purpose() + "]");
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
        addField(new BoardsEditor(parent));
    }

    /** The boards: the built-in emulated board always first (not stored), SSH boards added as user@host[:port]. */
    private static final class BoardsEditor extends ListEditor {
        BoardsEditor(Composite parent) {
            super(HexoPreferences.BOARDS, "ARM64 &boards:", parent);
        }

        @Override
        protected void doLoad() {
            getList().add(Board.EMULATED.label());
            super.doLoad();
        }

        @Override
        protected void doLoadDefault() {
            getList().removeAll();
            getList().add(Board.EMULATED.label());
        }

        @Override
        protected String createList(String[] items) {
            StringBuilder sb = new StringBuilder();
            for (String item : items) {
                if (item.startsWith("ssh:")) {
                    sb.append(sb.length() > 0 ? "," : "").append(item);
                }
            }
            return sb.toString();
        }

        @Override
        protected String[] parseString(String stringList) {
            return stringList.isBlank() ? new String[0] : stringList.split(",");
        }

        @Override
        protected String getNewInputObject() {
            IInputValidator v = Board::checkSshAddress;
            InputDialog d = new InputDialog(getShell(), "Add an SSH board",
                    "Board address (user@host or user@host:port). The board runs hexo run --isa arm over SSH "
                            + "once the hexo command line supports remote boards.", "", v);
            return d.open() == InputDialog.OK ? "ssh:" + d.getValue() : null;
        }

        @Override
        protected void selectionChanged() {
            super.selectionChanged();
            // the built-in board (index 0) cannot be removed or moved
            if (getList().getSelectionIndex() == 0) {
                getRemoveButton().setEnabled(false);
                getUpButton().setEnabled(false);
                getDownButton().setEnabled(false);
            }
        }
    }
}
