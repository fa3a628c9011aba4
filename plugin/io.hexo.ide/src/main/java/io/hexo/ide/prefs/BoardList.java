package io.hexo.ide.prefs;

import java.util.List;
import java.util.function.Consumer;

import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Text;

import io.hexo.ide.core.prefs.Board;
import io.hexo.ide.core.prefs.BoardCheck;
import io.hexo.ide.core.prefs.HexoPreferences;

/**
 * The ARM64 boards on the preference page: the built-in board first (implicit, not removable), then the boards of
 * hexo's one boards file. Add, Remove and Test Connection are hexo board add / remove / test; a board whose host key
 * is not yet known is offered hexo board trust after the user has seen the fingerprint. Nothing is stored in Eclipse.
 */
public final class BoardList {

    private final org.eclipse.swt.widgets.List list;
    private final Button add;
    private final Button remove;
    private final Button test;
    private final Text report;
    private List<Board> boards = List.of();

    BoardList(Composite parent) {
        Group g = new Group(parent, SWT.NONE);
        g.setText("ARM64 boards (hexo board list: " + "the boards file the command line edits too)");
        g.setLayout(new GridLayout(2, false));
        g.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 3, 1));
        list = new org.eclipse.swt.widgets.List(g, SWT.SINGLE | SWT.BORDER | SWT.V_SCROLL);
        GridData ld = new GridData(SWT.FILL, SWT.FILL, true, true);
        ld.heightHint = 70;
        list.setLayoutData(ld);
        Composite buttons = new Composite(g, SWT.NONE);
        buttons.setLayout(new GridLayout(1, true));
        buttons.setLayoutData(new GridData(SWT.FILL, SWT.TOP, false, false));
        add = button(buttons, "&Add...", e -> addBoard());
        remove = button(buttons, "&Remove", e -> removeBoard());
        test = button(buttons, "&Test Connection", e -> testConnection());
        report = new Text(g, SWT.MULTI | SWT.READ_ONLY | SWT.WRAP | SWT.V_SCROLL | SWT.BORDER);
        GridData rd = new GridData(SWT.FILL, SWT.FILL, true, true, 2, 1);
        rd.heightHint = 100;
        report.setLayoutData(rd);
        report.setText("Select a board and Test Connection: hexo board test logs in and reports what the board offers.");
        list.addListener(SWT.Selection, e -> updateButtons());
    }

    private static Button button(Composite parent, String text, org.eclipse.swt.widgets.Listener l) {
        Button b = new Button(parent, SWT.PUSH);
        b.setText(text);
        b.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        b.addListener(SWT.Selection, l);
        return b;
    }

    /** Reads the boards again (hexo board list --json). */
    void reload() {
        String selected = selected() == null ? null : selected().id();
        boards = HexoPreferences.boards();
        list.removeAll();
        for (Board b : boards) {
            list.add(b.label());
        }
        for (int i = 0; i < boards.size(); i++) {
            if (boards.get(i).id().equals(selected)) {
                list.select(i);
            }
        }
        updateButtons();
    }

    private void updateButtons() {
        Board b = selected();
        remove.setEnabled(b != null && b.isSsh());
        test.setEnabled(b != null && b.isSsh());
    }

    public Board selected() {
        int i = list.getSelectionIndex();
        return i < 0 || i >= boards.size() ? null : boards.get(i);
    }

    /** Selects the board of that id (its name in the boards file, or Board.EMULATED_ID). */
    public void select(String id) {
        for (int i = 0; i < boards.size(); i++) {
            if (boards.get(i).id().equals(id)) {
                list.select(i);
            }
        }
        updateButtons();
    }

    public List<Board> boards() {
        return boards;
    }

    public Button addButton() {
        return add;
    }

    public Button removeButton() {
        return remove;
    }

    public Button testConnectionButton() {
        return test;
    }

    /** What the last Add, Remove, Test Connection or trust said. */
    public String report() {
        return report.getText();
    }

    private void addBoard() {
        BoardDialog d = new BoardDialog(list.getShell());
        if (d.open() != BoardDialog.OK) {
            return;
        }
        BoardDialog.Values v = d.values();
        BoardCheck.Result r = BoardCheck.add(v.name(), v.host(), v.port(), v.user(), v.key(), v.home());
        report.setText((r.ok() ? "\u2714 " : "\u2718 ") + r.report());
        reload();
        select(v.name());
    }

    private void removeBoard() {
        Board b = selected();
        if (b == null || !b.isSsh()) {
            return;
        }
        BoardCheck.Result r = BoardCheck.forget(b);
        report.setText((r.ok() ? "\u2714 " : "\u2718 ") + r.report());
        reload();
    }

    /** hexo board test in a Job; its words go below the list. An unknown host key is offered hexo board trust. */
    private void testConnection() {
        Board b = selected();
        if (b == null || !b.isSsh()) {
            return;
        }
        report.setText("Testing " + b.address() + " (hexo board test " + b.id() + ") ...");
        test.setEnabled(false);
        run("hexo board test " + b.id(), () -> BoardCheck.test(b), r -> {
            String fingerprint = r.unknownHostKey();
            if (fingerprint != null) {
                report.setText("\u2718 " + b.id() + ": its host key is not known yet (" + fingerprint + ")\n" + r.report());
                offerTrust(b, fingerprint);
                return;
            }
            report.setText((r.ok() ? "\u2714 " : "\u2718 ") + b.address() + (r.ok() ? ": connected\n" : ": not usable\n") + r.report());
        });
    }

    private void offerTrust(Board b, String fingerprint) {
        boolean yes = MessageDialog.openQuestion(list.getShell(), "Trust board " + b.id() + "?",
                "Board " + b.id() + " (" + b.address() + ") presented a host key that ~/.ssh/known_hosts does not know:\n\n"
                        + fingerprint + "\n\nIf that is the fingerprint the board shows (ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub"
                        + " there), record it with hexo board trust " + b.id() + "?");
        if (!yes) {
            return;
        }
        report.setText("Recording the host key of " + b.id() + " (hexo board trust " + b.id() + ") ...");
        run("hexo board trust " + b.id(), () -> {
            BoardCheck.Result t = BoardCheck.trust(b);
            return t.ok() ? new BoardCheck.Result(0, t.report() + "\n" + BoardCheck.test(b).report()) : t;
        }, r -> report.setText((r.ok() ? "\u2714 " : "\u2718 ") + r.report()));
    }

    private void run(String name, java.util.function.Supplier<BoardCheck.Result> work, Consumer<BoardCheck.Result> then) {
        var display = list.getDisplay();
        Job job = Job.create(name, monitor -> {
            BoardCheck.Result r = work.get();
            display.asyncExec(() -> {
                if (!report.isDisposed()) {
                    then.accept(r);
                    updateButtons();
                }
            });
        });
        job.setSystem(true);
        job.schedule();
    }
}
