package io.hexo.ide;

import org.eclipse.ui.plugin.AbstractUIPlugin;
import org.osgi.framework.BundleContext;

import io.hexo.ide.build.HexoConsoles;
import io.hexo.ide.core.build.BuildOutput;
import io.hexo.ide.core.session.Guests;

/**
 * The hexo IDE's UI bundle: connects the headless core (io.hexo.ide.core) to the workbench's consoles and dialogs.
 * Logging and error statuses are the core's ({@link io.hexo.ide.core.HexoCore}): one place for both bundles.
 */
public class HexoPlugin extends AbstractUIPlugin {

    public static final String ID = "io.hexo.ide";

    private static HexoPlugin plugin;

    @Override
    public void start(BundleContext context) throws Exception {
        super.start(context);
        plugin = this;
        BuildOutput.setOpener(() -> HexoConsoles.buildConsole().newMessageStream()::println);
        Guests.get().addTrapListener(TrapDialog::show);
    }

    @Override
    public void stop(BundleContext context) throws Exception {
        plugin = null;
        super.stop(context);
    }

    public static HexoPlugin getDefault() {
        return plugin;
    }
}
