package io.hexo.ide;

import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.PlatformUI;

import io.hexo.ide.core.launch.HexoLaunchDelegate;
import io.hexo.ide.core.session.GuestSession;
import io.hexo.ide.core.session.RunSpec;

/** A debug launch's guest trapped: say where, in a dialog (tests turn dialogs off with -Dhexo.ide.noDialogs=true). */
final class TrapDialog {

    private TrapDialog() {
    }

    static void show(GuestSession s) {
        if (Boolean.getBoolean(HexoLaunchDelegate.NO_DIALOGS) || !PlatformUI.isWorkbenchRunning()) {
            return;
        }
        Display d = PlatformUI.getWorkbench().getDisplay();
        d.asyncExec(() -> MessageDialog.openError(d.getActiveShell(), "hexo: guest trap",
                "The guest " + s.spec().program() + " trapped on " + RunSpec.isaLabel(s.isa()) + ":\n\n"
                        + (s.trapMessage() == null ? "(no message)" : s.trapMessage())
                        + "\n\nThe kernel log (--verbose) is in the Console."));
    }
}
