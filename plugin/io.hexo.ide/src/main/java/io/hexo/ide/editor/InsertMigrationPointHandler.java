package io.hexo.ide.editor;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.commands.ExecutionException;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.runtime.Adapters;
import org.eclipse.jface.text.BadLocationException;
import org.eclipse.jface.text.IDocument;
import org.eclipse.jface.text.IRewriteTarget;
import org.eclipse.jface.text.ITextSelection;
import org.eclipse.ui.IEditorInput;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.handlers.HandlerUtil;
import org.eclipse.ui.texteditor.ITextEditor;

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
        ITextSelection sel = (ITextSelection) editor.getSelectionProvider().getSelection();
        IRewriteTarget target = editor.getAdapter(IRewriteTarget.class);
        try {
            if (target != null) {
                target.beginCompoundChange();
            }
            int caret = MigrationPoint.apply(doc, sel.getOffset());
            editor.selectAndReveal(caret, 0);
        } catch (BadLocationException e) {
            throw new ExecutionException("cannot insert the migration point", e);
        } finally {
            if (target != null) {
                target.endCompoundChange();
            }
        }
    }

    public static boolean isC(IEditorInput input) {
        IFile f = input == null ? null : Adapters.adapt(input, IFile.class);
        String name = f != null ? f.getName() : input == null ? "" : input.getName();
        return name.endsWith(".c");
    }
}
