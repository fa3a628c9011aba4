package io.hexo.ide.tests;

import org.eclipse.equinox.app.IApplication;
import org.eclipse.equinox.app.IApplicationContext;

/** Application io.hexo.ide.tests.headless: the tests that need the OSGi framework and the plug-ins, not a display. */
public class HeadlessTestApplication implements IApplication {

    @Override
    public Object start(IApplicationContext context) {
        context.applicationRunning();
        int failed = TestRunner.run("headless", LogicTest.class, PostCopyModelTest.class);
        return failed == 0 ? EXIT_OK : Integer.valueOf(1);
    }

    @Override
    public void stop() {
    }
}
