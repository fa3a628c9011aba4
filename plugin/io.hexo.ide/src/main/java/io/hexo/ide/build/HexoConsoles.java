package io.hexo.ide.build;

import org.eclipse.ui.console.ConsolePlugin;
import org.eclipse.ui.console.IConsole;
import org.eclipse.ui.console.IConsoleManager;
import org.eclipse.ui.console.MessageConsole;

/** The "hexo build" console (launches get the Debug console of their process). */
public final class HexoConsoles {

    public static final String BUILD_CONSOLE = "hexo build";

    private HexoConsoles() {
    }

    public static synchronized MessageConsole buildConsole() {
        IConsoleManager mgr = ConsolePlugin.getDefault().getConsoleManager();
        for (IConsole c : mgr.getConsoles()) {
            if (c instanceof MessageConsole mc && BUILD_CONSOLE.equals(c.getName())) {
                return mc;
            }
        }
        MessageConsole mc = new MessageConsole(BUILD_CONSOLE, null);
        mgr.addConsoles(new IConsole[] {mc});
        return mc;
    }
}
