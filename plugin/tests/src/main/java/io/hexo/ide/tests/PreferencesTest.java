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
        assertEquals(5, Toolchain.check().size());
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
}
