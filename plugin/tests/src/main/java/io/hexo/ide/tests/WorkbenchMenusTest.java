package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.ui.ILaunchConfigurationTab;
import org.eclipse.jface.viewers.ISelectionProvider;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.viewers.Viewer;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Menu;
import org.eclipse.swt.widgets.MenuItem;
import org.eclipse.ui.IPageLayout;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.console.IConsoleConstants;
import org.junit.Test;

import io.hexo.ide.core.launch.HexoLaunch;
import io.hexo.ide.launch.X86TabGroup;
import io.hexo.ide.perspective.HexoPerspective;
import io.hexo.ide.core.project.HexoNature;

/**
 * The workbench's own menus, evaluated for a real selection in the Project Explorer: Run As / Debug As offer the
 * hexo launches on a hexo project, folder and file (and not on another project); the hexo perspective has the Run
 * menu and keeps the Migration view out of the Console's stack; a new configuration takes the selected project.
 */
public class WorkbenchMenusTest {

    @Test
    public void runAsAndDebugAsOnProjectFolderAndFile() throws Exception {
        IProject p = Ui.sampleProject("menus");
        p.getFolder("src").create(true, true, null);
        Ui.write(p.getFolder("src").getFile("extra.c"), "int extra(void) { return 1; }\n");
        Viewer explorer = explorer();
        for (IResource r : List.of(p, p.getFolder("src"), p.getFile("test.c"))) {
            List<String> run = submenu(explorer, r, "Run As");
            assertTrue("Run As on " + r.getFullPath() + ": " + run, run.stream().anyMatch(s -> s.endsWith("Run on x86")));
            assertTrue("Run As on " + r.getFullPath() + ": " + run, run.stream().anyMatch(s -> s.endsWith("Run on ARM board")));
            List<String> debug = submenu(explorer, r, "Debug As");
            assertTrue("Debug As on " + r.getFullPath() + ": " + debug, debug.stream().anyMatch(s -> s.endsWith("Run on x86")));
        }
        // a project without the hexo nature is not offered hexo launches
        IProject plain = ResourcesPlugin.getWorkspace().getRoot().getProject("plain-menus");
        if (!plain.exists()) {
            plain.create(null);
        }
        plain.open(null);
        assertFalse(submenu(explorer, plain, "Run As").stream().anyMatch(s -> s.endsWith("Run on x86")));
    }

    @Test
    public void hexoPerspectiveHasTheRunMenuAndKeepsTheMigrationViewOutOfTheConsolesStack() throws Exception {
        PlatformUI.getWorkbench().showPerspective(HexoPerspective.ID, Ui.window());
        Ui.spin(300);
        assertEquals(HexoPerspective.ID, Ui.page().getPerspective().getId());
        List<String> menus = new ArrayList<>();
        for (MenuItem i : Ui.window().getShell().getMenuBar().getItems()) {
            menus.add(i.getText().replace("&", ""));
        }
        assertTrue("the menu bar: " + menus, menus.contains("Run"));
        IViewPart migration = Ui.page().showView(HexoPerspective.MIGRATION_VIEW);
        IViewPart console = Ui.page().showView(IConsoleConstants.ID_CONSOLE_VIEW);
        assertFalse("the Console shares the Migration view's stack",
                Arrays.asList(Ui.page().getViewStack(migration)).contains(console));
        assertTrue("the Migration view is visible with the Console in front", Ui.page().isPartVisible(migration));
    }

    @Test
    public void newConfigurationTakesTheSelectedProject() throws Exception {
        IProject p = Ui.sampleProject("selected");
        Viewer explorer = explorer();
        explorer.setSelection(new StructuredSelection(p.getFile("test.c")), true);
        Ui.spin(200);
        ILaunchConfigurationWorkingCopy wc = DebugPlugin.getDefault().getLaunchManager()
                .getLaunchConfigurationType(HexoLaunch.TYPE_X86).newInstance(null, "fresh");
        X86TabGroup tabs = new X86TabGroup();
        tabs.createTabs(null, "run");
        for (ILaunchConfigurationTab t : tabs.getTabs()) {
            t.setDefaults(wc);
        }
        assertEquals(p.getName(), wc.getAttribute(HexoLaunch.PROJECT, ""));
        tabs.dispose();
    }

    @Test
    public void theWindowAndTheProductAreBrandedHexo() {
        assertEquals("hexo", org.eclipse.core.runtime.Platform.getProduct().getName());
        Ui.spin(300);
        String title = Ui.window().getShell().getText();
        assertTrue("the window title names hexo: " + title, title.endsWith(" - hexo") || title.equals("hexo"));
    }

    /** The Project Explorer's viewer, the view shown. */
    static Viewer explorer() throws Exception {
        IViewPart v = Ui.page().showView(IPageLayout.ID_PROJECT_EXPLORER);
        ISelectionProvider sp = v.getSite().getSelectionProvider();
        assertTrue(sp instanceof Viewer);
        Ui.spin(200);
        return (Viewer) sp;
    }

    /** The labels of a submenu of the viewer's context menu, shown (and so filled) for resource as the selection. */
    static List<String> submenu(Viewer viewer, IResource resource, String name) {
        viewer.setSelection(new StructuredSelection(resource), true);
        Ui.spin(200);
        Menu menu = viewer.getControl().getMenu();
        assertNotNull("the explorer has a context menu", menu);
        menu.notifyListeners(SWT.Show, new Event());
        Ui.spin(100);
        try {
            for (MenuItem i : menu.getItems()) {
                if (i.getText().replace("&", "").startsWith(name) && i.getMenu() != null) {
                    Menu sub = i.getMenu();
                    sub.notifyListeners(SWT.Show, new Event());
                    Ui.spin(100);
                    List<String> labels = new ArrayList<>();
                    for (MenuItem s : sub.getItems()) {
                        labels.add(s.getText().replace("&", ""));
                    }
                    sub.notifyListeners(SWT.Hide, new Event());
                    return labels;
                }
            }
            List<String> top = Arrays.stream(menu.getItems()).map(MenuItem::getText).toList();
            return name.equals("Run As") && resource.getProject() != null && hasNature(resource.getProject())
                    ? failWith(name + " is missing from the context menu of " + resource.getFullPath() + ": " + top)
                    : List.of();
        } finally {
            menu.notifyListeners(SWT.Hide, new Event());
            Ui.spin(50);
        }
    }

    private static boolean hasNature(IProject p) {
        try {
            return p.hasNature(HexoNature.ID);
        } catch (org.eclipse.core.runtime.CoreException e) {
            return false;
        }
    }

    private static List<String> failWith(String message) {
        throw new AssertionError(message);
    }
}
