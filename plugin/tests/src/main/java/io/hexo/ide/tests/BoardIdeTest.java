package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.core.resources.IProject;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.jface.preference.PreferenceDialog;
import org.junit.Test;

import io.hexo.e2e.LoopbackBoard;
import io.hexo.ide.core.launch.HexoLaunch;
import io.hexo.ide.core.prefs.HexoPreferences;
import io.hexo.ide.core.session.GuestSession;
import io.hexo.ide.core.session.RunSpec;
import io.hexo.ide.migration.MigrationView;
import io.hexo.ide.prefs.BoardList;
import io.hexo.ide.prefs.HexoPreferencePage;

/**
 * The IDE on an SSH board: a real Debian sshd on loopback (src-test's OpenSshServer), an x86-64 "board" that runs the
 * ARM image on its process engine. The board is added and its host key trusted on the preference page (hexo's boards
 * file), "Run on ARM board" runs there (hexo run --board), and the Migration view migrates board -> x86 and, with the
 * board as target, x86 -> board; the output is the unmigrated run's.
 */
public class BoardIdeTest {

    @Test
    public void addTrustRunOnTheBoardAndMigrateBothWays() throws Exception {
        Path dir = Files.createTempDirectory("hexo-ide-board");
        try (LoopbackBoard sshd = new LoopbackBoard(dir.resolve("sshd"))) {
            try {
                addAndTrust(sshd, dir.resolve("board-home"));
                // the hexo perspective, as a hexo project opens in: the Migration view in its own stack, beside the Console
                org.eclipse.ui.PlatformUI.getWorkbench().showPerspective(io.hexo.ide.perspective.HexoPerspective.ID, Ui.window());
                MigrationView view = (MigrationView) Ui.page().showView(MigrationView.ID);

                // Run on ARM board (pi), then Migrate: checkpoint there, hexo transfer --from-board, resume here on x86
                IProject p = Ui.sampleProject("on-board");
                ILaunchConfigurationWorkingCopy b = LaunchDialogsTest.config(HexoLaunch.TYPE_BOARD, "on-board", p);
                b.setAttribute(HexoLaunch.BOARD, "pi");
                b.setAttribute(HexoLaunch.CHECKPOINT_DIR, "ckpt");
                GuestSession s = Launches.launch(b.doSave(), ILaunchManager.RUN_MODE, 420);
                Ui.waitFor("the board to print Iteration 1/10\n" + Launches.tail(s.stderr()), 240,
                        () -> s.stdout().contains("Iteration 1/10") || s.isTerminated());
                Ui.waitFor("the view to select the newest guest", 10, () -> view.selectedGuest() == s);
                Ui.waitFor("the board's hexo to name its engine (its started event, streamed back)", 20,
                        () -> MigrationTest.cell(view, s, "Engine / board").startsWith("board pi: process"));
                Ui.waitFor("the Points column to count the board's migration points", 20,
                        () -> Long.parseLong(MigrationTest.cell(view, s, "Points")) >= 1);
                assertEquals("x86-64 (this host)", MigrationTest.cell(view, s, "Migrates to"));
                Ui.press(view.migrateButton());
                assertEquals("exit code\n" + Launches.tail(s.stderr()), 0, Launches.waitForExit(s, 300));
                assertEquals(1, s.migrations());
                assertEquals(RunSpec.ISA_X86, s.isa());
                assertEquals("back on this host", null, s.board());
                assertEquals("the output across board -> x86\n" + Launches.tail(s.stderr()), Ui.expectedOutput(p), s.stdout());
                Ui.waitFor("the Console to show the transfer", 20, () -> Ui.console(s).contains("transfer --from-board pi"));

                // Run on x86, choose the board as the view's target, Migrate: checkpoint here, transfer, hexo run --board --resume
                IProject q = Ui.sampleProject("to-board");
                ILaunchConfigurationWorkingCopy x = LaunchDialogsTest.config(HexoLaunch.TYPE_X86, "to-board", q);
                x.setAttribute(HexoLaunch.CHECKPOINT_DIR, "ckpt");
                GuestSession t = Launches.launch(x.doSave(), ILaunchManager.RUN_MODE, 420);
                Ui.waitFor("the guest to print Iteration 2/10\n" + Launches.tail(t.stderr()), 60,
                        () -> t.stdout().contains("Iteration 2/10") || t.isTerminated());
                Ui.waitFor("the view to select the newest guest", 10, () -> view.selectedGuest() == t);
                assertTrue("the target board is always visible", view.targetCombo().isVisible());
                view.chooseTarget("pi");
                assertEquals(HexoPreferences.board("pi").label(), MigrationTest.cell(view, t, "Migrates to"));
                MigrationTest.shootView(view, "migration-view-board");
                Ui.press(view.migrateButton());
                Ui.waitFor("the guest to run on the board\n" + Launches.tail(t.stderr()), 120, () -> "pi".equals(t.board()) || t.isTerminated());
                assertTrue(MigrationTest.cell(view, t, "Engine / board"), MigrationTest.cell(view, t, "Engine / board").startsWith("board pi"));
                assertEquals("exit code\n" + Launches.tail(t.stderr()), 0, Launches.waitForExit(t, 300));
                assertEquals(1, t.migrations());
                assertEquals(RunSpec.ISA_ARM, t.isa());
                assertEquals("the output across x86 -> board\n" + Launches.tail(t.stderr()), Ui.expectedOutput(q), t.stdout());
                String console = Ui.console(t);
                assertTrue("each step in the Console:\n" + Launches.tail(console), console.contains("transfer --to-board pi")
                        && console.contains("run --board pi --isa arm") && console.contains("checked there by SHA-256"));
                assertEquals("hello-migrate's ten migration points, here and on the board (events streamed back)", 10, t.pointsPassed());

                // by post-copy to the board: the minimal checkpoint goes up, the board resumes at once and fetches the pages
                // from the page server here through its SSH connection
                IProject r = Ui.sampleProject("postcopy-to-board");
                ILaunchConfigurationWorkingCopy pc = LaunchDialogsTest.config(HexoLaunch.TYPE_X86, "postcopy-to-board", r);
                pc.setAttribute(HexoLaunch.CHECKPOINT_DIR, "ckpt");
                pc.setAttribute(HexoLaunch.POST_COPY, true);
                GuestSession u = Launches.launch(pc.doSave(), ILaunchManager.RUN_MODE, 420);
                Ui.waitFor("the guest to print Iteration 2/10\n" + Launches.tail(u.stderr()), 60,
                        () -> u.stdout().contains("Iteration 2/10") || u.isTerminated());
                Ui.waitFor("the view to select the newest guest", 10, () -> view.selectedGuest() == u);
                view.chooseTarget("pi");
                assertEquals(HexoPreferences.board("pi").label() + ", by post-copy", MigrationTest.cell(view, u, "Migrates to"));
                Ui.press(view.migrateButton());
                Ui.waitFor("the post-copy hand-over to the board\n" + Launches.tail(u.stderr()), 240, () -> {
                    var m = u.postCopyMigration();
                    return m != null && m.ended() || u.isTerminated();
                });
                assertTrue("handed over to the board\n" + Launches.tail(u.stderr()), u.postCopyMigration().handedOver());
                assertEquals("exit code\n" + Launches.tail(u.stderr()), 0, Launches.waitForExit(u, 300));
                assertEquals("pi", u.board());
                assertEquals(1, u.migrations());
                assertEquals("the output across x86 -> board by post-copy\n" + Launches.tail(u.stderr()), Ui.expectedOutput(r), u.stdout());
                String pcConsole = Ui.console(u);
                assertTrue("the minimal checkpoint sent, the board's run fetching from here:\n" + Launches.tail(pcConsole),
                        pcConsole.contains("transfer --to-board pi") && java.util.regex.Pattern.compile(
                                "run --board pi --isa arm .*--resume --full-chkpt-restore 0 --server 127\\.0\\.0\\.1:\\d+ ").matcher(pcConsole).find());
                assertTrue(Launches.tail(pcConsole), pcConsole.contains("[hexo-ide] post-copy hand-over at "));
            } finally {
                Ui.hexoBoard("disconnect", "pi"); // while its sshd runs: hexo's kept-open connection, its agent and spare there
            }
        } finally {
            Ui.hexoBoard("remove", "pi");
            HexoPreferences.boardsChanged();
        }
    }

    /** Add... and Test Connection on the preference page; the unknown host key is shown and trusted. */
    private static void addAndTrust(LoopbackBoard sshd, Path home) throws Exception {
        PreferenceDialog d = PreferencesTest.open();
        try {
            BoardList boards = ((HexoPreferencePage) d.getSelectedPage()).boards();
            PreferencesTest.addBoard(boards, "pi", "127.0.0.1", sshd.port(), System.getProperty("user.name"),
                    sshd.clientKey().toString(), home.toString());
            Ui.waitFor("the board in the list", 10, () -> boards.selected() != null && boards.selected().id().equals("pi"));
            String[] asked = new String[1];
            Ui.answer(MessageDialog.class, w -> {
                asked[0] = w.getShell().getText() + "\n" + texts(w.getShell());
                return "Yes";
            });
            Ui.press(boards.testConnectionButton());
            String fingerprint = sshd.hostKeyFingerprint();
            Ui.waitFor("trust and hexo board test\n" + boards.report(), 120, () -> boards.report().contains("  isa "));
            assertTrue("the question shows the fingerprint: " + asked[0], asked[0] != null && asked[0].contains(fingerprint)
                    && asked[0].startsWith("Trust board pi?"));
            assertTrue(boards.report(), boards.report().startsWith("\u2714 board pi") && boards.report().contains("recorded in"));
            assertTrue(Ui.hexoBoard("test", "pi"), Ui.hexoBoard("test", "pi").contains("host key " + fingerprint));
        } finally {
            d.close();
        }
    }

    private static String texts(org.eclipse.swt.widgets.Composite c) {
        StringBuilder sb = new StringBuilder();
        for (org.eclipse.swt.widgets.Control child : c.getChildren()) {
            if (child instanceof org.eclipse.swt.widgets.Label l) {
                sb.append(l.getText()).append('\n');
            } else if (child instanceof org.eclipse.swt.widgets.Composite cc) {
                sb.append(texts(cc));
            }
        }
        return sb.toString();
    }
}
