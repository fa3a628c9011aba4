package io.hexo.ide.core;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Plugin;
import org.eclipse.core.runtime.Status;
import org.osgi.framework.BundleContext;

/** The headless core of the hexo IDE: logging and the preference node. hexo itself always runs as a child process. */
public class HexoCore extends Plugin {

    public static final String ID = "io.hexo.ide.core";
    /** Where preferences live: the node the IDE used before the core/UI split, so that settings carry over. */
    public static final String PREFERENCES = "io.hexo.ide";

    private static HexoCore plugin;

    @Override
    public void start(BundleContext context) throws Exception {
        super.start(context);
        plugin = this;
    }

    @Override
    public void stop(BundleContext context) throws Exception {
        plugin = null;
        super.stop(context);
    }

    public static void log(IStatus status) {
        if (plugin != null) {
            plugin.getLog().log(status);
        }
    }

    public static void log(String message, Throwable t) {
        log(new Status(IStatus.ERROR, ID, message, t));
    }

    public static IStatus error(String message) {
        return new Status(IStatus.ERROR, ID, message);
    }
}
