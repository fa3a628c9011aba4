package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.eclipse.core.resources.IProject;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.junit.Test;

import io.hexo.ide.core.launch.HexoLaunch;
import io.hexo.ide.core.session.GuestSession;

/** A "Run on x86" launch of the 10-iteration sample: built first, output in the Console, exit code 0. */
public class RunOnX86Test {

    @Test
    public void runOnX86ShowsOutputInConsole() throws Exception {
        IProject p = Ui.sampleProject("run-x86");
        ILaunchConfigurationWorkingCopy wc = LaunchDialogsTest.config(HexoLaunch.TYPE_X86, "run-x86", p);
        GuestSession s = Launches.launch(wc.doSave(), ILaunchManager.RUN_MODE, 420);
        assertEquals("exit code\n" + Launches.tail(s.stderr()), 0, Launches.waitForExit(s, 120));
        Ui.waitFor("the Console to show the last iteration", 20, () -> Ui.console(s).contains("Iteration 9/10"));
        assertEquals(Ui.expectedOutput(p), s.stdout());
        assertTrue(Ui.console(s).contains("Iteration 0/10"));
        assertEquals(0, s.migrations());
    }
}
