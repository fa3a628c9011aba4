package io.hexo.ide.migration;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.jface.layout.TableColumnLayout;
import org.eclipse.jface.layout.TreeColumnLayout;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.ColumnWeightData;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.ITreeContentProvider;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.jface.viewers.TreeViewer;
import org.eclipse.jface.viewers.TreeViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.ui.part.ViewPart;

import io.hexo.vmm.checkpoint.CheckpointReport;
import io.hexo.ide.core.checkpoint.Checkpoints;
import io.hexo.ide.core.prefs.Board;
import io.hexo.ide.core.prefs.HexoPreferences;
import io.hexo.ide.core.session.GuestSession;
import io.hexo.ide.core.session.Guests;
import io.hexo.ide.core.session.RunSpec;

/**
 * Window, Show View, hexo, Migration: the guests launched from the IDE with a Migrate button, and the checkpoints
 * found in the workspace's projects (what {@code hexo inspect DIR --json} says), drawn as a bar of memory regions.
 */
public class MigrationView extends ViewPart {

    public static final String ID = "io.hexo.ide.migration.view";

    private TableViewer guests;
    private final java.util.Set<GuestSession> shown = new java.util.HashSet<>();
    private Button migrate;
    private Button terminate;
    private Combo target;
    private Button postCopy;
    private PostCopyPanel postCopyPanel;
    /** The boards Migrate can send a guest to: the built-in one until hexo board list --json has answered. */
    private volatile List<Board> targets = List.of(Board.EMULATED);
    private TreeViewer checkpoints;
    private RegionBar bar;
    private Label status;
    private volatile List<CheckpointReport> found = List.of();
    private Job refreshJob;

    private final Consumer<GuestSession> listener = s -> {
        if (guests == null || guests.getControl().isDisposed()) {
            return;
        }
        guests.getControl().getDisplay().asyncExec(() -> {
            if (!guests.getControl().isDisposed()) {
                updateGuests();
                if (s != null && (s.state() == GuestSession.State.RESUMING || s.isTerminated())) {
                    refreshCheckpoints();
                }
            }
        });
    };

    @Override
    public void createPartControl(Composite parent) {
        SashForm sash = new SashForm(parent, SWT.VERTICAL);

        Group g = new Group(sash, SWT.NONE);
        g.setText("Running guests (launched from this IDE)");
        g.setLayout(new GridLayout(1, false));
        Composite buttons = new Composite(g, SWT.NONE);
        // above the table, so that however short the view is, Migrate and Terminate stay visible
        buttons.setLayout(new GridLayout(6, false));
        buttons.setLayoutData(new GridData(SWT.LEFT, SWT.TOP, false, false));
        migrate = new Button(buttons, SWT.PUSH);
        migrate.setText("&Migrate");
        migrate.setToolTipText("Checkpoint the selected guest at its next migration point and resume it on the other ISA"
                + " (from x86-64: on the target board)");
        migrate.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        migrate.addListener(SWT.Selection, e -> migrateSelected());
        terminate = new Button(buttons, SWT.PUSH);
        terminate.setText("&Terminate");
        terminate.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        terminate.addListener(SWT.Selection, e -> {
            GuestSession s = selectedGuest();
            if (s != null) {
                s.terminate();
            }
        });
        Label to = new Label(buttons, SWT.NONE);
        to.setText("Target &board:");
        target = new Combo(buttons, SWT.READ_ONLY);
        GridData td = new GridData(SWT.FILL, SWT.CENTER, false, false);
        td.widthHint = 260; // a board's label is long; Post-copy and Clear finished stay in sight
        target.setLayoutData(td);
        target.setToolTipText("Where Migrate sends a guest running on x86-64: the built-in board on this host, or a board of"
                + " hexo's boards file (checkpoint here, hexo transfer --to-board, hexo run --board --resume)");
        target.addListener(SWT.Selection, e -> {
            GuestSession s = selectedGuest();
            int i = target.getSelectionIndex();
            if (s != null && i >= 0 && i < targets.size()) {
                s.setTargetBoard(targets.get(i).id());
            }
        });
        postCopy = new Button(buttons, SWT.CHECK);
        postCopy.setText("&Post-copy");
        postCopy.setToolTipText("Migrate by post-copy: at the migration point the source serves the guest's pages and the other side"
                + " resumes at once, fetching them as the program touches them (hexo run --full-chkpt-save 0, then --resume"
                + " --full-chkpt-restore 0 --server). hexo fixes this when a run starts: a change applies from the guest's next run"
                + " and to the next launch of its configuration. To an SSH board, the board reaches the page server through its SSH"
                + " connection.");
        postCopy.addListener(SWT.Selection, e -> {
            GuestSession s = selectedGuest();
            if (s != null) {
                s.setPostCopy(postCopy.getSelection());
            }
        });
        Button clear = new Button(buttons, SWT.PUSH);
        clear.setText("&Clear finished");
        clear.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        clear.addListener(SWT.Selection, e -> Guests.get().clearFinished());
        Composite tableBox = new Composite(g, SWT.NONE);
        tableBox.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        TableColumnLayout tl = new TableColumnLayout();
        tableBox.setLayout(tl);
        guests = new TableViewer(tableBox, SWT.SINGLE | SWT.FULL_SELECTION | SWT.BORDER);
        guests.getTable().setHeaderVisible(true);
        guests.getTable().setLinesVisible(true);
        guests.setContentProvider(ArrayContentProvider.getInstance());
        column(tl, "Launch \u2014 program", 5, GuestSession::title);
        column(tl, "ISA", 2, s -> RunSpec.isaLabel(s.isa()));
        column(tl, "Engine / board", 2, GuestSession::engine);
        column(tl, "State", 3, s -> s.state().name().toLowerCase()
                + (s.isTerminated() ? exit(s) : "") + (s.migrations() > 0 ? ", migrated " + s.migrations() + "x" : "") + postCopyState(s));
        column(tl, "Points", 1, s -> Long.toString(s.pointsPassed()));
        column(tl, "Migrates to", 3, this::target);
        column(tl, "PID", 1, s -> s.isTerminated() ? "" : Long.toString(s.pid()));
        guests.addSelectionChangedListener(e -> updateButtons());
        postCopyPanel = new PostCopyPanel(g);

        Group c = new Group(sash, SWT.NONE);
        c.setText("Checkpoints in the workspace (hexo inspect)");
        c.setLayout(new GridLayout(2, false));
        Composite treeBox = new Composite(c, SWT.NONE);
        treeBox.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        TreeColumnLayout trl = new TreeColumnLayout();
        treeBox.setLayout(trl);
        checkpoints = new TreeViewer(treeBox, SWT.SINGLE | SWT.FULL_SELECTION | SWT.BORDER);
        checkpoints.getTree().setHeaderVisible(true);
        checkpoints.getTree().setLinesVisible(true);
        checkpoints.setContentProvider(new Content());
        treeColumn(trl, "Checkpoint / file", 5, o -> o instanceof CheckpointReport ci ? shortName(ci) : ((CheckpointReport.FileRow) o).name());
        treeColumn(trl, "Region", 2, o -> o instanceof CheckpointReport ci
                ? (ci.valid() ? (ci.isa() != null ? ci.isa() : "?") : "invalid") : ((CheckpointReport.FileRow) o).regionOrKind());
        treeColumn(trl, "Size", 2, o -> o instanceof CheckpointReport ci ? bytes(ci.totalSize()) : bytes(((CheckpointReport.FileRow) o).size()));
        treeColumn(trl, "Pages stored / allocated", 3, o -> o instanceof CheckpointReport ci
                ? (ci.problem() != null ? ci.problem() : ci.totalPagesStored() + " / " + ci.totalPagesAllocated())
                : ((CheckpointReport.FileRow) o).pagesStored() + " / " + ((CheckpointReport.FileRow) o).pagesAllocated());
        checkpoints.addSelectionChangedListener(e -> {
            Object o = ((IStructuredSelection) e.getSelection()).getFirstElement();
            if (o instanceof CheckpointReport ci) {
                bar.setCheckpoint(ci);
            } else if (o instanceof CheckpointReport.FileRow f) {
                for (CheckpointReport ci : found) {
                    if (ci.files().contains(f)) {
                        bar.setCheckpoint(ci);
                    }
                }
            }
        });
        Button refresh = new Button(c, SWT.PUSH);
        refresh.setText("&Refresh");
        refresh.setLayoutData(new GridData(SWT.FILL, SWT.TOP, false, false));
        refresh.addListener(SWT.Selection, e -> {
            HexoPreferences.boardsChanged(); // boards added from a terminal since
            loadTargets();
            refreshCheckpoints();
        });
        bar = new RegionBar(c);
        GridData bd = new GridData(SWT.FILL, SWT.TOP, true, false, 2, 1);
        bd.heightHint = 64;
        bar.setLayoutData(bd);
        status = new Label(c, SWT.NONE);
        status.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false, 2, 1));
        sash.setWeights(2, 3);

        Guests.get().addListener(listener);
        showTargets();
        updateGuests();
        loadTargets();
        refreshCheckpoints();
    }

    /** Asks hexo for its boards in a Job (a JVM start: not on the UI thread), then shows them in the combo. */
    private void loadTargets() {
        Job job = Job.create("hexo board list", monitor -> {
            List<Board> boards = HexoPreferences.boards();
            if (!target.isDisposed()) {
                target.getDisplay().asyncExec(() -> {
                    if (!target.isDisposed()) {
                        targets = boards;
                        showTargets();
                        updateButtons();
                        guests.refresh(true);
                    }
                });
            }
        });
        job.setSystem(true);
        job.schedule();
    }

    private void showTargets() {
        target.setItems(targets.stream().map(Board::label).toArray(String[]::new));
    }

    /** Where Migrate sends the guest: the launch's board from x86, this host from the board; and how, when by post-copy. */
    private String target(GuestSession s) {
        String how = s.migratesByPostCopy() && !s.isTerminated() ? ", by post-copy" : "";
        if (RunSpec.ISA_ARM.equals(s.isa())) {
            return RunSpec.isaLabel(RunSpec.ISA_X86) + " (this host)" + how;
        }
        return targets.stream().filter(b -> b.id().equals(s.targetBoard())).map(Board::label).findFirst().orElse(s.targetBoard()) + how;
    }

    /** ", post-copy resumed" while a post-copy migration moves pages; nothing once it ended. */
    private static String postCopyState(GuestSession s) {
        io.hexo.ide.core.session.PostCopyMigration m = s.postCopyMigration();
        if (m == null || m.ended() || s.isTerminated()) {
            return "";
        }
        var side = m.destination() != null ? m.destination() : m.source();
        return side == null ? "" : ", post-copy " + side.phase();
    }

    private static String exit(GuestSession s) {
        try {
            return " (exit " + s.getExitValue() + ")";
        } catch (Exception e) {
            return "";
        }
    }

    private static String shortName(CheckpointReport ci) {
        String dir = ci.directory() == null ? "?" : ci.directory();
        Path p = Path.of(dir);
        for (IProject proj : ResourcesPlugin.getWorkspace().getRoot().getProjects()) {
            if (proj.getLocation() != null && p.startsWith(proj.getLocation().toPath())) {
                return proj.getName() + "/" + proj.getLocation().toPath().relativize(p);
            }
        }
        return dir;
    }

    static String bytes(long n) {
        if (n < 10 * 1024) {
            return n + " B";
        }
        if (n < 10L * 1024 * 1024) {
            return (n / 1024) + " KiB";
        }
        return (n / (1024 * 1024)) + " MiB";
    }

    private void column(TableColumnLayout tl, String title, int weight, java.util.function.Function<GuestSession, String> f) {
        TableViewerColumn col = new TableViewerColumn(guests, SWT.NONE);
        col.getColumn().setText(title);
        tl.setColumnData(col.getColumn(), new ColumnWeightData(weight, 40));
        col.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                return f.apply((GuestSession) element);
            }
        });
    }

    private void treeColumn(TreeColumnLayout tl, String title, int weight, java.util.function.Function<Object, String> f) {
        TreeViewerColumn col = new TreeViewerColumn(checkpoints, SWT.NONE);
        col.getColumn().setText(title);
        tl.setColumnData(col.getColumn(), new ColumnWeightData(weight, 40));
        col.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                String s = f.apply(element);
                return s == null ? "" : s;
            }
        });
    }

    private static final class Content implements ITreeContentProvider {
        @Override
        public Object[] getElements(Object input) {
            return ((List<?>) input).toArray();
        }

        @Override
        public Object[] getChildren(Object parent) {
            return parent instanceof CheckpointReport ci ? ci.files().toArray() : new Object[0];
        }

        @Override
        public Object getParent(Object element) {
            return null;
        }

        @Override
        public boolean hasChildren(Object element) {
            return element instanceof CheckpointReport ci && !ci.files().isEmpty();
        }
    }

    private void updateGuests() {
        Object sel = ((IStructuredSelection) guests.getSelection()).getFirstElement();
        List<GuestSession> all = Guests.get().sessions();
        // a guest started since the last update is the one the user wants to act on
        GuestSession newest = all.stream().filter(g -> !shown.contains(g))
                .max(java.util.Comparator.comparingLong(GuestSession::startedAt)).orElse(null);
        shown.clear();
        shown.addAll(all);
        guests.setInput(all);
        if (newest != null) {
            guests.setSelection(new StructuredSelection(newest), true);
        } else if (sel != null) {
            guests.setSelection(new StructuredSelection(sel));
        }
        guests.refresh(true);
        updateButtons();
    }

    private void updateButtons() {
        GuestSession s = selectedGuest();
        String id = s != null ? s.targetBoard() : Board.EMULATED_ID;
        target.deselectAll();
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i).id().equals(id)) {
                target.select(i);
            }
        }
        target.setEnabled(s != null && !s.isTerminated());
        postCopy.setSelection(s != null && s.postCopy());
        postCopy.setEnabled(s != null && !s.isTerminated());
        postCopyPanel.show(s == null ? null : s.postCopyMigration());
        if (s != null) {
            guests.reveal(s); // the panel may have taken room from the table
        }
        migrate.setEnabled(s != null && s.canMigrate());
        terminate.setEnabled(s != null && !s.isTerminated());
    }

    public GuestSession selectedGuest() {
        return (GuestSession) ((IStructuredSelection) guests.getSelection()).getFirstElement();
    }

    /** The Migrate button: SIGUSR1 to the selected guest's hexo; it resumes on the other ISA in the same Console. */
    public boolean migrateSelected() {
        GuestSession s = selectedGuest();
        boolean ok = s != null && s.migrate();
        updateGuests();
        return ok;
    }

    /** Finds the checkpoint directories of the open projects and runs hexo inspect on each, in a Job. */
    public Job refreshCheckpoints() {
        if (refreshJob != null) {
            refreshJob.cancel();
        }
        Job job = new Job("hexo inspect: checkpoints") {
            @Override
            protected IStatus run(IProgressMonitor monitor) {
                List<CheckpointReport> infos = new ArrayList<>();
                for (IProject p : ResourcesPlugin.getWorkspace().getRoot().getProjects()) {
                    if (!p.isOpen()) {
                        continue;
                    }
                    for (Path dir : Checkpoints.find(p)) {
                        if (monitor.isCanceled()) {
                            return Status.CANCEL_STATUS;
                        }
                        infos.add(Checkpoints.inspect(dir));
                    }
                }
                found = List.copyOf(infos);
                if (checkpoints != null && !checkpoints.getControl().isDisposed()) {
                    checkpoints.getControl().getDisplay().asyncExec(() -> showCheckpoints());
                }
                return Status.OK_STATUS;
            }
        };
        job.setSystem(true);
        refreshJob = job;
        job.schedule();
        return job;
    }

    private void showCheckpoints() {
        if (checkpoints.getControl().isDisposed()) {
            return;
        }
        checkpoints.setInput(found);
        checkpoints.expandAll();
        CheckpointReport shown = bar.getCheckpoint();
        CheckpointReport pick = null;
        for (CheckpointReport ci : found) {
            if (shown != null && ci.directory() != null && ci.directory().equals(shown.directory())) {
                pick = ci;
            }
        }
        if (pick == null && !found.isEmpty()) {
            pick = found.get(0);
        }
        bar.setCheckpoint(pick);
        status.setText(found.isEmpty() ? "No checkpoint in the workspace yet: migrate a guest, or launch with MIGTEST"
                : found.size() + " checkpoint(s)");
    }

    public List<CheckpointReport> checkpoints() {
        return found;
    }

    public TableViewer guestViewer() {
        return guests;
    }

    public TreeViewer checkpointViewer() {
        return checkpoints;
    }

    public Button terminateButton() {
        return terminate;
    }

    /** The target board combo: where Migrate sends a guest that runs on x86-64. */
    public Combo targetCombo() {
        return target;
    }

    /** Chooses the target board of the selected guest, as picking it in the combo does. */
    public void chooseTarget(String boardId) {
        HexoPreferences.boardsChanged();
        targets = HexoPreferences.boards(); // as the combo would show them once loaded
        showTargets();
        updateButtons();
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i).id().equals(boardId)) {
                target.select(i);
                target.notifyListeners(SWT.Selection, new org.eclipse.swt.widgets.Event());
            }
        }
    }

    /** The Post-copy check box beside the target board. */
    public Button postCopyBox() {
        return postCopy;
    }

    /** What the post-copy panel shows for the selected guest (title, each side, the hand-over), or "" while hidden. */
    public String postCopyText() {
        return postCopyPanel.isShown() ? postCopyPanel.text() : "";
    }

    /** The post-copy panel's pages bars, 0 to 1000 (source, destination). */
    public int[] postCopyBars() {
        return postCopyPanel.bars();
    }

    public Button migrateButton() {
        return migrate;
    }

    public RegionBar regionBar() {
        return bar;
    }

    @Override
    public void setFocus() {
        guests.getControl().setFocus();
    }

    @Override
    public void dispose() {
        Guests.get().removeListener(listener);
        super.dispose();
    }
}
