package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.model.IProcess;

import io.hexo.ide.core.session.GuestSession;

/** Launching a configuration from a test on the UI thread: the launch (and its build) run in another thread. */
final class Launches {

    private Launches() {
    }

    static GuestSession launch(ILaunchConfiguration c, String mode, long timeoutSeconds) {
        ILaunch[] launch = new ILaunch[1];
        Throwable[] error = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                launch[0] = c.launch(mode, new NullProgressMonitor());
            } catch (Throwable e) {
                error[0] = e;
            }
        }, "test launch " + c.getName());
        t.start();
        Ui.waitFor("the launch of " + c.getName() + " (hexo build first)", timeoutSeconds, () -> !t.isAlive());
        if (error[0] != null) {
            fail("launch of " + c.getName() + " failed: " + error[0]);
        }
        IProcess[] ps = launch[0].getProcesses();
        assertEquals("one hexo process in the launch", 1, ps.length);
        return (GuestSession) ps[0];
    }

    static int waitForExit(GuestSession s, long timeoutSeconds) throws Exception {
        Ui.waitFor("the guest to finish (" + s + ")\n--- stderr ---\n" + tail(s.stderr()), timeoutSeconds, s::isTerminated);
        Ui.spin(500);
        return s.getExitValue();
    }

    static String tail(String s) {
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }
}
