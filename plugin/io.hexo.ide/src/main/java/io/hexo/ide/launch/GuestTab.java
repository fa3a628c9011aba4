package io.hexo.ide.launch;

import java.util.List;

import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.swt.SWT;
import org.eclipse.swt.events.SelectionListener;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;

import io.hexo.ide.core.prefs.Board;
import io.hexo.ide.core.prefs.HexoPreferences;
import io.hexo.ide.core.session.RunSpec;
import io.hexo.ide.core.launch.HexoLaunch;

/** The micro-VM: MEM, VERBOSE, checkpoint directory, MIGTEST, RESUME, post-copy, and the engine (x86) or the board (ARM). */
public class GuestTab extends HexoTab {

    private static final String[] ENGINES = {RunSpec.ENGINE_AUTO, RunSpec.ENGINE_KVM, RunSpec.ENGINE_PROCESS};

    private Text mem;
    private Button verbose;
    private Text checkpointDir;
    private Text migrateAfter;
    private Button resume;
    private Button postCopy;
    private Combo where;
    private List<Board> boards;

    public GuestTab(boolean board) {
        super(board);
    }

    @Override
    public String getName() {
        return board ? "Board" : "Guest";
    }

    @Override
    public void createControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        c.setLayout(new GridLayout(1, false));
        setControl(c);
        SelectionListener sel = SelectionListener.widgetSelectedAdapter(e -> {
            setDirty(true);
            updateLaunchConfigurationDialog();
        });

        Group w = new Group(c, SWT.NONE);
        w.setText(board ? "ARM64 board" : "x86-64 host");
        w.setLayout(new GridLayout(2, false));
        w.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        new Label(w, SWT.NONE).setText(board ? "B&oard:" : "&Engine:");
        where = new Combo(w, SWT.READ_ONLY);
        where.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        if (board) {
            boards = HexoPreferences.boards();
            for (Board b : boards) {
                where.add(b.label());
            }
        } else {
            where.setItems("auto (KVM when /dev/kvm is usable, else the process engine)", "kvm", "process (a Linux process)");
        }
        where.addSelectionListener(sel);
        Label whereHint = new Label(w, SWT.WRAP);
        whereHint.setText(board ? "SSH boards are hexo's (hexo board add, or Window > Preferences > hexo): hexo run --board deploys there and runs."
                : "The engine of hexo run --isa x86.");
        whereHint.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));

        Group vm = new Group(c, SWT.NONE);
        vm.setText("Micro-VM");
        vm.setLayout(new GridLayout(2, false));
        vm.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        mem = text(vm, "&Memory (MEM):", "default " + HexoPreferences.defaultMem() + " (Preferences > hexo)");
        verbose = new Button(vm, SWT.CHECK);
        verbose.setText("&Kernel log (VERBOSE; always on in Debug mode)");
        verbose.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        verbose.addSelectionListener(sel);

        Group mig = new Group(c, SWT.NONE);
        mig.setText("Migration");
        mig.setLayout(new GridLayout(2, false));
        mig.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        checkpointDir = text(mig, "&Checkpoint directory:", "default " + HexoPreferences.defaultCheckpointDir()
                + " (relative to the project)");
        migrateAfter = text(mig, "Migrate &after seconds (MIGTEST):", "0 = only when asked (Migration view)");
        resume = new Button(mig, SWT.CHECK);
        resume.setText("&Resume from the checkpoint (RESUME)");
        resume.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        resume.addSelectionListener(sel);
        postCopy = new Button(mig, SWT.CHECK);
        postCopy.setText("Mi&grate by post-copy (FULL_CHKPT_SAVE=0): the other side resumes at once, pages follow");
        postCopy.setToolTipText("hexo run --full-chkpt-save 0: at the migration point the guest's pages are served from here, and the"
                + " other side resumes at once with --full-chkpt-restore 0 --server (an SSH board through its SSH connection). Runs on"
                + " this host serve; also the Migration view's Post-copy box.");
        postCopy.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        postCopy.addSelectionListener(sel);
    }

    @Override
    public void setDefaults(ILaunchConfigurationWorkingCopy config) {
        config.setAttribute(HexoLaunch.MEM, "");
        config.setAttribute(HexoLaunch.VERBOSE, false);
        config.setAttribute(HexoLaunch.CHECKPOINT_DIR, "");
        config.setAttribute(HexoLaunch.MIGRATE_AFTER, "0");
        config.setAttribute(HexoLaunch.RESUME, false);
        config.setAttribute(HexoLaunch.POST_COPY, false);
        if (board) {
            config.setAttribute(HexoLaunch.BOARD, Board.EMULATED_ID);
        } else {
            config.setAttribute(HexoLaunch.ENGINE, RunSpec.ENGINE_AUTO);
        }
    }

    @Override
    public void initializeFrom(ILaunchConfiguration config) {
        mem.setText(get(config, HexoLaunch.MEM, ""));
        verbose.setSelection(get(config, HexoLaunch.VERBOSE, false));
        checkpointDir.setText(get(config, HexoLaunch.CHECKPOINT_DIR, ""));
        migrateAfter.setText(get(config, HexoLaunch.MIGRATE_AFTER, "0"));
        resume.setSelection(get(config, HexoLaunch.RESUME, false));
        postCopy.setSelection(get(config, HexoLaunch.POST_COPY, false));
        if (board) {
            String id = get(config, HexoLaunch.BOARD, Board.EMULATED_ID);
            int idx = 0;
            for (int i = 0; i < boards.size(); i++) {
                if (boards.get(i).id().equals(id)) {
                    idx = i;
                }
            }
            where.select(idx);
        } else {
            String e = get(config, HexoLaunch.ENGINE, RunSpec.ENGINE_AUTO);
            if (e.equals("emulated")) {
                e = RunSpec.ENGINE_PROCESS; // the CLI reads the retired word as the process engine too
            }
            int idx = 0;
            for (int i = 0; i < ENGINES.length; i++) {
                if (ENGINES[i].equals(e)) {
                    idx = i;
                }
            }
            where.select(idx);
        }
    }

    @Override
    public void performApply(ILaunchConfigurationWorkingCopy config) {
        config.setAttribute(HexoLaunch.MEM, mem.getText().trim());
        config.setAttribute(HexoLaunch.VERBOSE, verbose.getSelection());
        config.setAttribute(HexoLaunch.CHECKPOINT_DIR, checkpointDir.getText().trim());
        config.setAttribute(HexoLaunch.MIGRATE_AFTER, migrateAfter.getText().trim().isEmpty() ? "0" : migrateAfter.getText().trim());
        config.setAttribute(HexoLaunch.RESUME, resume.getSelection());
        config.setAttribute(HexoLaunch.POST_COPY, postCopy.getSelection());
        int i = Math.max(0, where.getSelectionIndex());
        if (board) {
            config.setAttribute(HexoLaunch.BOARD, boards.get(Math.min(i, boards.size() - 1)).id());
        } else {
            config.setAttribute(HexoLaunch.ENGINE, ENGINES[Math.min(i, ENGINES.length - 1)]);
        }
    }
}
