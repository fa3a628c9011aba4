package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.junit.Test;

import io.hexo.ide.core.launch.HexoLaunch;
import io.hexo.ide.core.session.GuestSession;

/** Debug mode: hexo run --verbose (the kernel log in the Console) and a clear message when the guest traps. */
public class DebugTrapTest {

    static final String TRAP = "#include <stdio.h>\n#include <hermit/migration.h>\n\nint main(void) {\n"
            + "    popcorn_check_migrate();\n    printf(\"before the trap\\n\");\n    fflush(stdout);\n"
            + "    __builtin_trap();\n    return 0;\n}\n";

    @Test
    public void debugLaunchShowsKernelLogAndStopsOnTrap() throws Exception {
        IProject p = ResourcesPlugin.getWorkspace().getRoot().getProject("trap");
        if (p.exists()) {
            p.delete(true, true, null);
        }
        p.create(null);
        p.open(null);
        Ui.write(p.getFile("trap.c"), TRAP);
        ILaunchConfigurationWorkingCopy wc = LaunchDialogsTest.config(HexoLaunch.TYPE_X86, "trap", p);
        GuestSession s = Launches.launch(wc.doSave(), ILaunchManager.DEBUG_MODE, 420);
        assertEquals("exit code of a guest trap\n" + Launches.tail(s.stderr()), 70, Launches.waitForExit(s, 120));
        assertEquals(GuestSession.State.TRAPPED, s.state());
        assertNotNull("the trap message", s.trapMessage());
        assertEquals("the C function, not clang's __original_main", "main", s.trap().function());
        assertTrue(s.spec().verbose());
        Ui.waitFor("the Console to show the trap banner", 20, () -> Ui.console(s).contains("*** The guest trapped"));
        String console = Ui.console(s);
        assertTrue("the guest's output", console.contains("before the trap"));
        assertTrue("the command line has --verbose", console.contains("--verbose"));
        // built without -g: the project's sources say where main is, and the editor opens there
        assertEquals(p.getLocation().toPath().resolve("trap.c"), s.trapPlace().file());
        assertEquals(4, s.trapPlace().line());
        assertEditorAt(p.getFile("trap.c"), 4);
    }

    /** The active editor shows file with the caret on line (1-based). */
    static void assertEditorAt(org.eclipse.core.resources.IFile file, int line) throws Exception {
        Ui.waitFor("an editor on " + file.getName(), 20, () -> Ui.page().getActiveEditor() != null
                && file.equals(Ui.page().getActiveEditor().getEditorInput().getAdapter(org.eclipse.core.resources.IFile.class)));
        var editor = (org.eclipse.ui.texteditor.ITextEditor) Ui.page().getActiveEditor();
        var doc = editor.getDocumentProvider().getDocument(editor.getEditorInput());
        int caret = ((org.eclipse.jface.text.ITextSelection) editor.getSelectionProvider().getSelection()).getOffset();
        assertEquals("the caret's line", line, doc.getLineOfOffset(caret) + 1);
        editor.close(false);
    }

    @Test
    public void withDebugInformationTheTrapSaysWhereTheFunctionIs() throws Exception {
        IProject p = ResourcesPlugin.getWorkspace().getRoot().getProject("trap-g");
        if (p.exists()) {
            p.delete(true, true, null);
        }
        p.create(null);
        p.open(null);
        Ui.write(p.getFile("trap.c"), TRAP);
        new io.hexo.ide.core.build.BuildSettings(p).set(false, "-g", "build");
        GuestSession s = Launches.launch(LaunchDialogsTest.config(HexoLaunch.TYPE_X86, "trap-g", p).doSave(), ILaunchManager.DEBUG_MODE, 420);
        assertEquals(70, Launches.waitForExit(s, 120));
        assertEquals("main", s.trap().function());
        assertEquals(p.getLocation().toPath().resolve("trap.c").toString(), s.trap().file());
        assertEquals("main is defined on line 4", Integer.valueOf(4), s.trap().line());
        Ui.waitFor("the Console's banner to name trap.c:4", 20, () -> Ui.console(s).contains("trap.c:4 ***"));
    }
}
