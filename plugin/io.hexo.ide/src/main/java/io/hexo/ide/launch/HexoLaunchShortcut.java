package io.hexo.ide.launch;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationType;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.ui.DebugUITools;
import org.eclipse.debug.ui.ILaunchShortcut;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.ui.IEditorPart;

import io.hexo.ide.build.BuildHandler;
import io.hexo.ide.core.launch.HexoLaunch;

/**
 * Run As / Debug As > "Run on x86" or "Run on ARM board" on a project or one of its files: reuses the project's
 * configuration of that type, or creates one with the defaults.
 */
public class HexoLaunchShortcut implements ILaunchShortcut {

    private final String type;

    protected HexoLaunchShortcut(String type) {
        this.type = type;
    }

    public HexoLaunchShortcut() {
        this(HexoLaunch.TYPE_X86);
    }

    /** The "Run on ARM board" shortcut. */
    public static class Board extends HexoLaunchShortcut {
        public Board() {
            super(HexoLaunch.TYPE_BOARD);
        }
    }

    @Override
    public void launch(ISelection selection, String mode) {
        launch(BuildHandler.projectOf(selection), mode);
    }

    @Override
    public void launch(IEditorPart editor, String mode) {
        launch(BuildHandler.projectOf(editor), mode);
    }

    private void launch(IProject project, String mode) {
        if (project == null) {
            return;
        }
        try {
            DebugUITools.launch(configurationFor(project, type), mode);
        } catch (CoreException e) {
            io.hexo.ide.core.HexoCore.log(e.getStatus());
        }
    }

    /** The project's configuration of this type, created (and saved) when there is none. */
    public static ILaunchConfiguration configurationFor(IProject project, String type) throws CoreException {
        ILaunchManager lm = DebugPlugin.getDefault().getLaunchManager();
        ILaunchConfigurationType t = lm.getLaunchConfigurationType(type);
        for (ILaunchConfiguration c : lm.getLaunchConfigurations(t)) {
            if (project.getName().equals(c.getAttribute(HexoLaunch.PROJECT, ""))) {
                return c;
            }
        }
        String suffix = HexoLaunch.TYPE_BOARD.equals(type) ? " on the board" : " on x86";
        ILaunchConfigurationWorkingCopy wc = t.newInstance(null, lm.generateLaunchConfigurationName(project.getName() + suffix));
        wc.setAttribute(HexoLaunch.PROJECT, project.getName());
        wc.setMappedResources(new org.eclipse.core.resources.IResource[] {project});
        return wc.doSave();
    }
}
