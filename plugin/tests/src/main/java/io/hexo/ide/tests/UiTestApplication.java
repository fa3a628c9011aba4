package io.hexo.ide.tests;

import java.lang.management.ManagementFactory;

import org.eclipse.core.runtime.IConfigurationElement;
import org.eclipse.core.runtime.IExtension;
import org.eclipse.core.runtime.Platform;
import org.eclipse.equinox.app.IApplication;
import org.eclipse.equinox.app.IApplicationContext;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.testing.TestableObject;

/**
 * Application io.hexo.ide.tests.uitest: starts the real IDE workbench application and, once it is up, runs the UI
 * tests on its UI thread through the workbench's test harness (as PDE's UI test harness does), then closes it.
 */
public class UiTestApplication implements IApplication {

    private static final String WORKBENCH_APP = "org.eclipse.ui.ide.workbench";

    private volatile int failed = -1;

    @Override
    public Object start(IApplicationContext context) throws Exception {
        IExtension ext = Platform.getExtensionRegistry().getExtension(Platform.PI_RUNTIME, Platform.PT_APPLICATIONS,
                WORKBENCH_APP);
        IConfigurationElement run = ext.getConfigurationElements()[0].getChildren("run")[0];
        IApplication workbench = (IApplication) run.createExecutableExtension("class");
        TestableObject testable = PlatformUI.getTestableObject();
        testable.setTestHarness(() -> {
            long up = ManagementFactory.getRuntimeMXBean().getUptime();
            System.out.println("[uitest] workbench started in " + up + " ms (JVM start to test harness), RSS "
                    + TestRunner.rssKb() + " kB");
            testable.testingStarting();
            PlatformUI.getWorkbench().getDisplay().syncExec(() -> {
                var shell = PlatformUI.getWorkbench().getWorkbenchWindows()[0].getShell();
                shell.setBounds(0, 0, 1400, 900);
                shell.setMaximized(true);
            });
            testable.runTest(() -> failed = TestRunner.run("uitest",
                    LaunchDialogsTest.class,
                    WorkbenchMenusTest.class,
                    ProjectWizardsTest.class,
                    InsertMigrationPointTest.class,
                    CEditorTest.class,
                    PreferencesTest.class,
                    BuildMarkersTest.class,
                    RunOnX86Test.class,
                    DebugTrapTest.class,
                    MigrationTest.class,
                    PostCopyIdeTest.class,
                    BoardIdeTest.class,
                    NewcomerFlowTest.class));
            testable.testingFinished();
        });
        Object r = workbench.start(context);
        System.out.println("[uitest] workbench exited: " + r);
        return failed == 0 ? EXIT_OK : Integer.valueOf(1);
    }

    @Override
    public void stop() {
    }
}
