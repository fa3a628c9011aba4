package io.hexo.ide.launch;

import org.eclipse.debug.ui.AbstractLaunchConfigurationTabGroup;
import org.eclipse.debug.ui.CommonTab;
import org.eclipse.debug.ui.EnvironmentTab;
import org.eclipse.debug.ui.ILaunchConfigurationDialog;
import org.eclipse.debug.ui.ILaunchConfigurationTab;

/** Tabs of "Run on x86". The Environment tab's variables become --env K=V of the guest. */
public class X86TabGroup extends AbstractLaunchConfigurationTabGroup {

    protected boolean board() {
        return false;
    }

    @Override
    public void createTabs(ILaunchConfigurationDialog dialog, String mode) {
        setTabs(new ILaunchConfigurationTab[] {
            new MainTab(board()), new GuestTab(board()), new EnvironmentTab(), new CommonTab()
        });
    }
}
