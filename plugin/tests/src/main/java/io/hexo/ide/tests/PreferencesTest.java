package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.eclipse.jface.preference.PreferenceDialog;
import org.eclipse.ui.dialogs.PreferencesUtil;
import org.junit.Test;

import io.hexo.ide.core.prefs.HexoPreferences;
import io.hexo.ide.core.prefs.Toolchain;

/** Window, Preferences, hexo: the page opens, shows the toolchain status; defaults are the documented ones. */
public class PreferencesTest {

    @Test
    public void preferencePage() {
        Toolchain.Report tools = Toolchain.check();
        assertEquals("hexo check --toolchain answered: " + tools.problem(), null, tools.problem());
        assertTrue("the build's tools, as compiler-bridge lists them: " + tools.tools(),
                tools.tools().stream().anyMatch(t -> t.name().equals("clang-16") && t.found()));
        assertEquals("2G", HexoPreferences.defaultMem());
        assertEquals("checkpoint", HexoPreferences.defaultCheckpointDir());
        PreferenceDialog d = open();
        assertTrue("the hexo page is selected", d.getSelectedPage() != null
                && d.getSelectedPage().getClass().getName().equals("io.hexo.ide.prefs.HexoPreferencePage"));
        Ui.screenshot("preferences");
        d.close();
    }

    @Test
    public void boardsAreHexosBoardsFileAndTestConnectionAsksHexoBoardTest() throws Exception {
        PreferenceDialog d = open();
        try {
            io.hexo.ide.prefs.BoardList boards = ((io.hexo.ide.prefs.HexoPreferencePage) d.getSelectedPage()).boards();
            assertEquals("the built-in board first", io.hexo.ide.core.prefs.Board.EMULATED, boards.boards().get(0));
            boards.select(io.hexo.ide.core.prefs.Board.EMULATED_ID);
            assertTrue("the built-in board is neither tested nor removed",
                    !boards.testConnectionButton().isEnabled() && !boards.removeButton().isEnabled());
            addBoard(boards, "nowhere", "127.0.0.1", 1, "nobody", "", "");
            assertTrue(boards.report(), boards.report().startsWith("\u2714 board nowhere: nobody@127.0.0.1:1"));
            assertTrue("hexo board list sees it", Ui.hexoBoard("list").contains("nowhere  nobody@127.0.0.1:1"));
            assertEquals("nowhere", boards.selected().id());
            Ui.press(boards.testConnectionButton());
            Ui.waitFor("hexo board test to answer", 90, () -> !boards.report().startsWith("Testing"));
            String report = boards.report();
            // nothing listens on port 1: hexo board test says why in one sentence
            assertTrue(report, report.startsWith("\u2718 nobody@127.0.0.1:1: not usable\nhexo: "));
            assertEquals("one sentence: " + report, 2, report.split("\n").length);
            Ui.press(boards.removeButton());
            assertFalse("removed from hexo's boards file", Ui.hexoBoard("list").contains("nowhere"));
            assertEquals(1, boards.boards().size());
        } finally {
            d.close();
        }
    }

    static PreferenceDialog open() {
        PreferenceDialog d = PreferencesUtil.createPreferenceDialogOn(Ui.page().getWorkbenchWindow().getShell(),
                "io.hexo.ide.preferences", null, null);
        d.setBlockOnOpen(false);
        d.open();
        d.getShell().setSize(1000, 800);
        Ui.spin(800);
        return d;
    }

    /** Add... on the page, the dialog filled and OK pressed as a user would. */
    static void addBoard(io.hexo.ide.prefs.BoardList boards, String name, String host, int port, String user, String key, String home) {
        Ui.answer(io.hexo.ide.prefs.BoardDialog.class, w -> {
            ((io.hexo.ide.prefs.BoardDialog) w).fill(name, host, port, user, key, home);
            return "OK";
        });
        Ui.press(boards.addButton());
    }
}
