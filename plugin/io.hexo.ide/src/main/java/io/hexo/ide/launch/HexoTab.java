package io.hexo.ide.launch;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.ui.AbstractLaunchConfigurationTab;
import org.eclipse.swt.SWT;
import org.eclipse.swt.events.ModifyListener;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import io.hexo.ide.core.launch.HexoLaunch;

/** Common parts of the hexo tabs: validation through {@link HexoLaunch#validate}. */
abstract class HexoTab extends AbstractLaunchConfigurationTab {

    protected final boolean board;
    protected final ModifyListener dirty = e -> {
        setDirty(true);
        updateLaunchConfigurationDialog();
    };

    HexoTab(boolean board) {
        this.board = board;
    }

    @Override
    public boolean isValid(ILaunchConfiguration config) {
        setErrorMessage(null);
        setMessage(null);
        try {
            String problem = HexoLaunch.validate(config);
            if (problem != null) {
                setErrorMessage(problem);
                return false;
            }
        } catch (CoreException e) {
            setErrorMessage(e.getMessage());
            return false;
        }
        return true;
    }

    protected Text text(Composite parent, String label, String hint) {
        Label l = new Label(parent, SWT.NONE);
        l.setText(label);
        Text t = new Text(parent, SWT.BORDER);
        t.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        if (hint != null) {
            t.setMessage(hint);
        }
        t.addModifyListener(dirty);
        return t;
    }

    protected static String get(ILaunchConfiguration c, String key, String def) {
        try {
            return c.getAttribute(key, def);
        } catch (CoreException e) {
            return def;
        }
    }

    protected static boolean get(ILaunchConfiguration c, String key, boolean def) {
        try {
            return c.getAttribute(key, def);
        } catch (CoreException e) {
            return def;
        }
    }
}
