package io.hexo.ide.launch;

import org.eclipse.core.runtime.IAdapterFactory;

/**
 * Declares resources launchable so that Run As / Debug As appear on them; which shortcuts the menus then offer is
 * decided by each shortcut's contextualLaunch enablement (hexo projects only). No object is ever produced.
 */
public class LaunchableAdapterFactory implements IAdapterFactory {

    @Override
    public <T> T getAdapter(Object adaptableObject, Class<T> adapterType) {
        return null;
    }

    @Override
    public Class<?>[] getAdapterList() {
        return new Class<?>[0];
    }
}
