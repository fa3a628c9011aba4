package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import org.eclipse.core.resources.IProject;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationType;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.ui.DebugUITools;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.CTabFolder;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Shell;
import org.junit.Test;

import io.hexo.ide.core.launch.HexoLaunch;

/** The "Run on x86" and "Run on ARM board" launch configuration types, their validation and their dialogs. */
public class LaunchDialogsTest {

    static ILaunchConfigurationWorkingCopy config(String type, String name, IProject p) throws Exception {
        ILaunchManager lm = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationType t = lm.getLaunchConfigurationType(type);
        assertNotNull("launch configuration type " + type, t);
        ILaunchConfigurationWorkingCopy wc = t.newInstance(null, lm.generateLaunchConfigurationName(name));
        wc.setAttribute(HexoLaunch.PROJECT, p == null ? "" : p.getName());
        return wc;
    }

    @Test
    public void typesAndValidation() throws Exception {
        ILaunchManager lm = DebugPlugin.getDefault().getLaunchManager();
        assertEquals("Run on x86", lm.getLaunchConfigurationType(HexoLaunch.TYPE_X86).getName());
        assertEquals("Run on ARM board", lm.getLaunchConfigurationType(HexoLaunch.TYPE_BOARD).getName());
        assertTrue(lm.getLaunchConfigurationType(HexoLaunch.TYPE_X86).supportsMode(ILaunchManager.DEBUG_MODE));
        IProject p = Ui.sampleProject("dialogs");
        ILaunchConfigurationWorkingCopy wc = config(HexoLaunch.TYPE_X86, "x", null);
        assertEquals("Choose the C project to run", HexoLaunch.validate(wc));
        wc.setAttribute(HexoLaunch.PROJECT, "no-such-project");
        assertTrue(HexoLaunch.validate(wc).contains("does not exist"));
        wc.setAttribute(HexoLaunch.PROJECT, p.getName());
        assertNull(HexoLaunch.validate(wc));
        wc.setAttribute(HexoLaunch.MEM, "lots");
        assertTrue(HexoLaunch.validate(wc).startsWith("MEM"));
        wc.setAttribute(HexoLaunch.MEM, "512M");
        wc.setAttribute(HexoLaunch.MIGRATE_AFTER, "soon");
        assertTrue(HexoLaunch.validate(wc).contains("MIGTEST"));
        wc.setAttribute(HexoLaunch.MIGRATE_AFTER, "0");
        wc.setAttribute(HexoLaunch.RESUME, true);
        wc.setAttribute(HexoLaunch.CHECKPOINT_DIR, "nothing-here");
        assertTrue(HexoLaunch.validate(wc).startsWith("Resume"));
        ILaunchConfigurationWorkingCopy b = config(HexoLaunch.TYPE_BOARD, "b", p);
        b.setAttribute(HexoLaunch.BOARD, "ssh:pi@unknown");
        assertTrue(HexoLaunch.validate(b), HexoLaunch.validate(b).startsWith("There is no board ssh:pi@unknown in hexo's boards file"));
        b.setAttribute(HexoLaunch.BOARD, "emulated");
        assertNull(HexoLaunch.validate(b));
    }

    @Test
    public void aBoardThatCannotRunSaysSoBeforeAnyBuild() throws Exception {
        IProject p = Ui.sampleProject("ssh-board");
        ILaunchConfigurationWorkingCopy b = config(HexoLaunch.TYPE_BOARD, "ssh", p);
        b.setAttribute(HexoLaunch.BOARD, "gone");
        String why = "There is no board gone in hexo's boards file";
        assertTrue(HexoLaunch.validate(b), HexoLaunch.validate(b).startsWith(why));
        long t0 = System.nanoTime();
        try {
            b.doSave().launch(ILaunchManager.RUN_MODE, new org.eclipse.core.runtime.NullProgressMonitor());
            org.junit.Assert.fail("the launch on a board that is not configured started");
        } catch (org.eclipse.core.runtime.CoreException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(why));
        }
        assertTrue("refused at once", System.nanoTime() - t0 < 5_000_000_000L);
        assertTrue("nothing was built", !java.nio.file.Files.exists(p.getLocation().toPath().resolve("build")));
    }

    @Test
    public void runAsShortcutsReuseTheProjectsConfiguration() throws Exception {
        IProject p = Ui.sampleProject("shortcut");
        ILaunchConfiguration x = io.hexo.ide.launch.HexoLaunchShortcut.configurationFor(p, HexoLaunch.TYPE_X86);
        assertEquals(p.getName(), x.getAttribute(HexoLaunch.PROJECT, ""));
        assertEquals(x, io.hexo.ide.launch.HexoLaunchShortcut.configurationFor(p, HexoLaunch.TYPE_X86));
        ILaunchConfiguration b = io.hexo.ide.launch.HexoLaunchShortcut.configurationFor(p, HexoLaunch.TYPE_BOARD);
        assertEquals(HexoLaunch.TYPE_BOARD, b.getType().getIdentifier());
        assertNull(HexoLaunch.validate(b));
        x.delete();
        b.delete();
    }

    @Test
    public void dialogScreenshots() throws Exception {
        IProject p = Ui.sampleProject("hello-migrate");
        ILaunchConfigurationWorkingCopy x86 = config(HexoLaunch.TYPE_X86, "hello-migrate on x86", p);
        x86.setAttribute(HexoLaunch.MIGRATE_AFTER, "5");
        x86.setAttribute(HexoLaunch.MEM, "1G");
        ILaunchConfiguration x = x86.doSave();
        ILaunchConfigurationWorkingCopy board = config(HexoLaunch.TYPE_BOARD, "hello-migrate on the board", p);
        board.setAttribute(HexoLaunch.VERBOSE, true);
        ILaunchConfiguration b = board.doSave();
        assertTrue(openAndShoot(x, 1, "launch-run-on-x86"));
        assertTrue(openAndShoot(b, 1, "launch-run-on-arm-board"));
        assertTrue(openAndShoot(x, 0, "launch-run-on-x86-main"));
    }

    /** Opens the Run Configurations dialog on a configuration, shows tab number tab, takes a screenshot, closes it. */
    static boolean openAndShoot(ILaunchConfiguration config, int tab, String shot) {
        Shell window = Ui.page().getWorkbenchWindow().getShell();
        boolean[] seen = new boolean[1];
        Runnable[] shoot = new Runnable[1];
        int[] tries = new int[1];
        shoot[0] = () -> {
            Shell dialog = null;
            for (Shell s : Ui.display().getShells()) {
                if (s != window && s.isVisible() && !s.isDisposed()) {
                    dialog = s;
                }
            }
            if (dialog == null) {
                if (tries[0]++ < 40) {
                    Ui.display().timerExec(500, shoot[0]);
                }
                return;
            }
            seen[0] = true;
            dialog.setBounds(60, 40, 1040, 780);
            CTabFolder folder = find(dialog, CTabFolder.class);
            if (folder != null && folder.getItemCount() > tab) {
                folder.setSelection(tab);
                Event e = new Event();
                e.item = folder.getItem(tab);
                folder.notifyListeners(SWT.Selection, e);
            }
            Ui.screenshot(shot);
            dialog.close();
        };
        Ui.display().timerExec(2000, shoot[0]);
        DebugUITools.openLaunchConfigurationDialogOnGroup(window, new StructuredSelection(config),
                IDebugUIConstants.ID_RUN_LAUNCH_GROUP);
        return seen[0];
    }

    static <T> T find(Control c, Class<T> type) {
        if (type.isInstance(c)) {
            return type.cast(c);
        }
        if (c instanceof Composite comp) {
            for (Control child : comp.getChildren()) {
                T t = find(child, type);
                if (t != null) {
                    return t;
                }
            }
        }
        return null;
    }
}
