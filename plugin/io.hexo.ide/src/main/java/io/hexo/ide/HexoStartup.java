package io.hexo.ide;

import org.eclipse.ui.IStartup;

/** Starts this bundle with the workbench: its activator connects the headless core to the console and dialogs. */
public class HexoStartup implements IStartup {

    @Override
    public void earlyStartup() {
        // the work is done by HexoPlugin.start, which loading this class triggered
    }
}
