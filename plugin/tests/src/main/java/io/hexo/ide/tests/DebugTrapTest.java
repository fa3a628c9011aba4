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
        assertTrue(s.spec().verbose());
        Ui.waitFor("the Console to show the trap banner", 20, () -> Ui.console(s).contains("*** The guest trapped"));
        String console = Ui.console(s);
        assertTrue("the guest's output", console.contains("before the trap"));
        assertTrue("the command line has --verbose", console.contains("--verbose"));
    }
}
