package io.hexo.ide;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.jface.text.BadLocationException;
import org.eclipse.jface.text.IDocument;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.ide.IDE;
import org.eclipse.ui.texteditor.ITextEditor;

import io.hexo.ide.core.HexoCore;
import io.hexo.ide.core.launch.HexoLaunchDelegate;
import io.hexo.ide.core.session.GuestSession;
import io.hexo.ide.core.session.RunSpec;
import io.hexo.ide.core.source.CFunctions;

/**
 * A debug launch's guest trapped: the editor opens at the trapping C function's definition (when known), and a dialog
 * says what happened (tests turn dialogs off with -Dhexo.ide.noDialogs=true; the editor still opens).
 */
final class TrapDialog {

    private TrapDialog() {
    }

    static void show(GuestSession s) {
        if (!PlatformUI.isWorkbenchRunning()) {
            return;
        }
        Display d = PlatformUI.getWorkbench().getDisplay();
        d.asyncExec(() -> {
            openAt(s.trapPlace());
            if (!Boolean.getBoolean(HexoLaunchDelegate.NO_DIALOGS)) {
                MessageDialog.openError(d.getActiveShell(), "hexo: guest trap",
                        "The guest " + s.spec().program() + " trapped on " + RunSpec.isaLabel(s.isa()) + ":\n\n"
                                + (s.trapMessage() == null ? "(no message)" : s.trapMessage())
                                + "\n\nThe kernel log (--verbose) is in the Console.");
            }
        });
    }

    /** Opens the workspace file at the place, its line selected; nothing when the place is unknown or outside it. */
    private static void openAt(CFunctions.Place place) {
        IWorkbenchWindow window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
        if (place == null || window == null || window.getActivePage() == null) {
            return;
        }
        IFile[] files = ResourcesPlugin.getWorkspace().getRoot().findFilesForLocationURI(place.file().toUri());
        if (files.length == 0) {
            return;
        }
        try {
            IEditorPart part = IDE.openEditor(window.getActivePage(), files[0]);
            if (part instanceof ITextEditor editor) {
                IDocument doc = editor.getDocumentProvider().getDocument(editor.getEditorInput());
                var line = doc.getLineInformation(place.line() - 1);
                editor.selectAndReveal(line.getOffset(), line.getLength());
            }
        } catch (PartInitException e) {
            HexoCore.log(e.getStatus());
        } catch (BadLocationException e) {
            // the file changed since the build: the editor is open, at its start
        }
    }
}
