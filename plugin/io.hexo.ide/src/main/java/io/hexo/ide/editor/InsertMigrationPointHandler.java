package io.hexo.ide.editor;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.commands.ExecutionException;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.runtime.Adapters;
import org.eclipse.jface.text.BadLocationException;
import org.eclipse.jface.text.IDocument;
import org.eclipse.jface.action.IStatusLineManager;
import org.eclipse.jface.text.IRewriteTarget;
import org.eclipse.jface.text.ITextOperationTarget;
import org.eclipse.jface.text.ITextViewer;
import org.eclipse.jface.text.ITextViewerExtension5;
import org.eclipse.jface.text.ITextSelection;
import org.eclipse.ui.IEditorInput;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.handlers.HandlerUtil;
import org.eclipse.ui.texteditor.ITextEditor;
import io.hexo.ide.core.source.MigrationPoint;

/** Command io.hexo.ide.insertMigrationPoint: "Insert popcorn_check_migrate" in a C editor. */
public class InsertMigrationPointHandler extends AbstractHandler {

    @Override
    public Object execute(ExecutionEvent event) throws ExecutionException {
        IEditorPart part = HandlerUtil.getActiveEditor(event);
        ITextEditor editor = Adapters.adapt(part, ITextEditor.class);
        if (editor == null || !isC(editor.getEditorInput())) {
            throw new ExecutionException("Insert popcorn_check_migrate works in C source files (.c)");
        }
        insert(editor);
        return null;
    }

    /** Inserts a migration point at the editor's caret as one undoable edit. */
    public static void insert(ITextEditor editor) throws ExecutionException {
        if (!editor.isEditable()) {
            throw new ExecutionException("The editor is read-only");
        }
        IDocument doc = editor.getDocumentProvider().getDocument(editor.getEditorInput());
        int caret = caret(editor);
        IRewriteTarget target = editor.getAdapter(IRewriteTarget.class);
        IStatusLineManager status = editor.getEditorSite().getActionBars().getStatusLineManager();
        try {
            String reason = MigrationPoint.reasonAgainst(doc, caret);
            status.setErrorMessage(reason);
            if (reason != null) {
                return;
            }
            if (target != null) {
                target.beginCompoundChange();
            }
            editor.selectAndReveal(MigrationPoint.apply(doc, caret), 0);
        } catch (BadLocationException e) {
            throw new ExecutionException("cannot insert the migration point", e);
        } finally {
            if (target != null) {
                target.endCompoundChange();
            }
        }
    }

    /**
     * The caret, not the selection's start: after an Undo the inserted text is selected with the caret at its end,
     * and the selection's start may be at file scope.
     */
    static int caret(ITextEditor editor) {
        ITextViewer viewer = editor.getAdapter(ITextOperationTarget.class) instanceof ITextViewer v ? v : null;
        if (viewer != null && viewer.getTextWidget() != null) {
            int widget = viewer.getTextWidget().getCaretOffset();
            int model = viewer instanceof ITextViewerExtension5 folded ? folded.widgetOffset2ModelOffset(widget)
                    : widget + viewer.getVisibleRegion().getOffset();
            if (model >= 0) {
                return model;
            }
        }
        ITextSelection sel = (ITextSelection) editor.getSelectionProvider().getSelection();
        return sel.getOffset() + sel.getLength();
    }

    public static boolean isC(IEditorInput input) {
        IFile f = input == null ? null : Adapters.adapt(input, IFile.class);
        String name = f != null ? f.getName() : input == null ? "" : input.getName();
        return name.endsWith(".c");
    }
}
