package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
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
        PreferenceDialog d = PreferencesUtil.createPreferenceDialogOn(Ui.page().getWorkbenchWindow().getShell(),
                "io.hexo.ide.preferences", null, null);
        d.setBlockOnOpen(false);
        d.open();
        d.getShell().setSize(1000, 700);
        Ui.spin(800);
        assertTrue("the hexo page is selected", d.getSelectedPage() != null
                && d.getSelectedPage().getClass().getName().equals("io.hexo.ide.prefs.HexoPreferencePage"));
        Ui.screenshot("preferences");
        d.close();
    }

    @Test
    public void testConnectionAsksHexoBoardTestAboutTheSelectedBoard() {
        var prefs = HexoPreferences.node();
        String before = prefs.get(HexoPreferences.BOARDS, "");
        String stored = "ssh:nobody@127.0.0.1:1";
        prefs.put(HexoPreferences.BOARDS, stored);
        PreferenceDialog d = PreferencesUtil.createPreferenceDialogOn(Ui.page().getWorkbenchWindow().getShell(),
                "io.hexo.ide.preferences", null, null);
        d.setBlockOnOpen(false);
        d.open();
        try {
            Ui.spin(500);
            io.hexo.ide.prefs.HexoPreferencePage page = (io.hexo.ide.prefs.HexoPreferencePage) d.getSelectedPage();
            assertTrue("disabled for the built-in board", !page.testConnectionButton().isEnabled());
            page.selectBoard(stored);
            assertTrue("enabled for an SSH board", page.testConnectionButton().isEnabled());
            page.testConnectionButton().notifyListeners(org.eclipse.swt.SWT.Selection, new org.eclipse.swt.widgets.Event());
            Ui.waitFor("hexo board test to answer", 90, () -> !page.boardReport().startsWith("Testing"));
            String report = page.boardReport();
            // nothing listens on port 1: hexo board test says why in one sentence (no key here, or the refused connection)
            assertTrue(report, report.startsWith("\u2718 nobody@127.0.0.1:1: not usable\nhexo: "));
            assertEquals("one sentence: " + report, 2, report.split("\n").length);
        } finally {
            d.close();
            io.hexo.ide.core.prefs.BoardCheck.forget(io.hexo.ide.core.prefs.Board.decode(stored));
            prefs.put(HexoPreferences.BOARDS, before);
        }
    }
}
