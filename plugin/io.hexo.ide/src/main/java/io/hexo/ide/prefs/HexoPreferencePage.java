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
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchPreferencePage;

import io.hexo.ide.core.HexoCli;
import io.hexo.ide.HexoPlugin;
import io.hexo.ide.core.prefs.Board;
import io.hexo.ide.core.prefs.BoardCheck;
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
        boards = new BoardsEditor(parent);
        addField(boards);
        boardReport = new Text(parent, SWT.MULTI | SWT.READ_ONLY | SWT.WRAP | SWT.V_SCROLL | SWT.BORDER);
        GridData rd = new GridData(SWT.FILL, SWT.FILL, true, true, 3, 1);
        rd.heightHint = 90;
        boardReport.setLayoutData(rd);
        boardReport.setText("Select an SSH board and Test Connection: hexo board test logs in and reports what the board offers.");
    }

    private BoardsEditor boards;
    private Text boardReport;

    /** The Test Connection button of the boards list. */
    public Button testConnectionButton() {
        return boards.test;
    }

    /** What the last Test Connection said. */
    public String boardReport() {
        return boardReport.getText();
    }

    /** Selects a board of the list by its stored form (ssh:user@host[:port]). */
    public void selectBoard(String stored) {
        String[] items = boards.items().getItems();
        for (int i = 0; i < items.length; i++) {
            if (items[i].equals(stored)) {
                boards.items().select(i);
                boards.selectionChanged();
            }
        }
    }

    /** Runs hexo board add + test for the board in a Job; its words go below the list. */
    private void testConnection(String stored) {
        Board b = Board.decode(stored);
        if (b == null) {
            return;
        }
        boardReport.setText("Testing " + b.address() + " (hexo board test " + BoardCheck.nameOf(b) + ") ...");
        boards.test.setEnabled(false);
        var display = boardReport.getDisplay();
        Job job = Job.create("hexo board test " + b.address(), monitor -> {
            BoardCheck.Result r = BoardCheck.test(b);
            display.asyncExec(() -> {
                if (!boardReport.isDisposed()) {
                    boardReport.setText((r.ok() ? "\u2714 " : "\u2718 ") + b.address() + (r.ok() ? ": connected\n" : ": not usable\n") + r.report());
                    boards.test.setEnabled(true);
                }
            });
        });
        job.setSystem(true);
        job.schedule();
    }

    /** The boards: the built-in emulated board always first (not stored), SSH boards added as user@host[:port]. */
    private final class BoardsEditor extends ListEditor {
        private Button test;

        BoardsEditor(Composite parent) {
            super(HexoPreferences.BOARDS, "ARM64 &boards:", parent);
        }

        org.eclipse.swt.widgets.List items() {
            return getList();
        }

        @Override
        public Composite getButtonBoxControl(Composite parent) {
            Composite box = super.getButtonBoxControl(parent);
            if (test == null) {
                test = new Button(box, SWT.PUSH);
                test.setText("&Test Connection");
                test.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
                test.setEnabled(false);
                test.addListener(SWT.Selection, e -> {
                    int i = getList().getSelectionIndex();
                    if (i > 0) {
                        testConnection(getList().getItem(i));
                    }
                });
                test.addDisposeListener(e -> test = null);
            }
            return box;
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
                    "Board address (user@host or user@host:port). Test Connection puts it in hexo's boards file"
                            + " (hexo board add) and asks hexo board test about it.", "", v);
            return d.open() == InputDialog.OK ? "ssh:" + d.getValue() : null;
        }

        @Override
        protected void selectionChanged() {
            super.selectionChanged();
            if (test != null) {
                test.setEnabled(getList().getSelectionIndex() > 0);
            }
            // the built-in board (index 0) cannot be removed or moved
            if (getList().getSelectionIndex() == 0) {
                getRemoveButton().setEnabled(false);
                getUpButton().setEnabled(false);
                getDownButton().setEnabled(false);
            }
        }
    }
}
