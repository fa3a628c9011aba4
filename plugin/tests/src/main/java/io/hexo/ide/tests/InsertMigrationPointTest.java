package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.eclipse.core.commands.Command;
import org.eclipse.core.commands.NotEnabledException;
import org.eclipse.core.commands.NotHandledException;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.jface.text.IDocument;
import org.eclipse.jface.text.ITextOperationTarget;
import org.eclipse.jface.text.ITextSelection;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.commands.ICommandService;
import org.eclipse.ui.handlers.IHandlerService;
import org.eclipse.ui.ide.IDE;
import org.eclipse.ui.texteditor.ITextEditor;
import org.junit.After;
import org.junit.Test;

/** "Insert popcorn_check_migrate" on a real editor buffer: indentation, include added once, one undo, disabled outside C. */
public class InsertMigrationPointTest {

    static final String CMD = "io.hexo.ide.insertMigrationPoint";
    static final String SOURCE = "#include <stdio.h>\n#include <stdlib.h>\n\nint main(void) {\n    int i;\n"
            + "    for (i = 0; i < 3; i++) {\n        printf(\"%d\\n\", i);\n    }\n    return 0;\n}\n";

    @After
    public void close() {
        Ui.page().closeAllEditors(false);
    }

    private IProject project() throws Exception {
        IProject p = ResourcesPlugin.getWorkspace().getRoot().getProject("insert-test");
        if (!p.exists()) {
            p.create(null);
        }
        p.open(null);
        return p;
    }

    private static void execute() throws Exception {
        IHandlerService hs = PlatformUI.getWorkbench().getService(IHandlerService.class);
        hs.executeCommand(CMD, null);
        Ui.spin(100);
    }

    @Test
    public void insertsAtCaretWithIndentationAndIncludeOnceAsOneUndo() throws Exception {
        IFile f = Ui.write(project().getFile("loop.c"), SOURCE);
        IEditorPart part = IDE.openEditor(Ui.page(), f);
        assertTrue("a .c file opens in a text editor, got " + part.getClass(), part instanceof ITextEditor);
        ITextEditor editor = (ITextEditor) part;
        IDocument doc = editor.getDocumentProvider().getDocument(editor.getEditorInput());
        int caret = doc.get().indexOf("printf") + 3;
        editor.selectAndReveal(caret, 0);
        Ui.spin(300);
        Command command = PlatformUI.getWorkbench().getService(ICommandService.class).getCommand(CMD);
        Ui.waitFor("the command to be enabled on a .c editor", 10, command::isEnabled);

        execute();
        String expected = "#include <stdio.h>\n#include <stdlib.h>\n#include <hermit/migration.h>\n\nint main(void) {\n"
                + "    int i;\n    for (i = 0; i < 3; i++) {\n        printf(\"%d\\n\", i);\n"
                + "        popcorn_check_migrate();\n    }\n    return 0;\n}\n";
        assertEquals(expected, doc.get());
        int after = ((ITextSelection) editor.getSelectionProvider().getSelection()).getOffset();
        assertEquals("caret after the inserted call",
                expected.indexOf("popcorn_check_migrate();") + "popcorn_check_migrate();".length(), after);

        // a second migration point: the include is not added again
        editor.selectAndReveal(doc.get().indexOf("int i;") + 2, 0);
        execute();
        assertEquals(1, LogicTest.count(doc.get(), "#include <hermit/migration.h>"));
        assertEquals(2, LogicTest.count(doc.get(), "popcorn_check_migrate();"));
        assertTrue(doc.get().contains("    int i;\n    popcorn_check_migrate();\n"));

        // each insertion is one undoable edit
        ITextOperationTarget target = editor.getAdapter(ITextOperationTarget.class);
        target.doOperation(ITextOperationTarget.UNDO);
        Ui.spin(100);
        assertEquals(expected, doc.get());
        target.doOperation(ITextOperationTarget.UNDO);
        Ui.spin(100);
        assertEquals(SOURCE, doc.get());
        editor.doRevertToSaved();
    }

    @Test
    public void atFileScopeTheStatusLineSaysWhyAndNothingChanges() throws Exception {
        IFile f = Ui.write(project().getFile("scope.c"), SOURCE);
        ITextEditor editor = (ITextEditor) IDE.openEditor(Ui.page(), f);
        IDocument doc = editor.getDocumentProvider().getDocument(editor.getEditorInput());
        editor.selectAndReveal(doc.get().indexOf("#include <stdlib.h>") + 3, 0);
        Ui.spin(300);
        execute();
        assertEquals(SOURCE, doc.get());
        String reason = io.hexo.ide.core.source.MigrationPoint.reasonAgainst(doc, doc.get().indexOf("#include <stdlib.h>"));
        assertTrue(reason, reason.startsWith("A migration point goes inside a function body"));
        Ui.waitFor("the status line to show: " + reason, 5, () -> shows(Ui.window().getShell(), reason));
        // after an Undo leaves a selection starting at file scope, the caret (at its end) decides
        int start = doc.get().indexOf("#include <stdlib.h>");
        int body = doc.get().indexOf("    return 0;");
        editor.selectAndReveal(start, body + 4 - start);
        Ui.spin(200);
        execute();
        assertTrue(doc.get(), doc.get().contains("    return 0;\n    popcorn_check_migrate();\n}"));
        editor.doRevertToSaved();
    }

    /** True when a label of the window (the status line's among them) shows text. */
    static boolean shows(org.eclipse.swt.widgets.Control c, String text) {
        if (c instanceof org.eclipse.swt.custom.CLabel l && text.equals(l.getText())) {
            return true;
        }
        if (c instanceof org.eclipse.swt.widgets.Composite comp) {
            for (org.eclipse.swt.widgets.Control child : comp.getChildren()) {
                if (shows(child, text)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    public void disabledOutsideCFiles() throws Exception {
        IFile f = Ui.write(project().getFile("notes.txt"), "not C\n");
        IEditorPart part = IDE.openEditor(Ui.page(), f);
        Ui.spin(300);
        Command command = PlatformUI.getWorkbench().getService(ICommandService.class).getCommand(CMD);
        assertFalse("disabled on a .txt editor", command.isEnabled());
        try {
            execute();
            fail("the command ran on a .txt file");
        } catch (NotEnabledException | NotHandledException expected) {
            // as it should
        }
        ITextEditor editor = (ITextEditor) part;
        assertEquals("not C\n", editor.getDocumentProvider().getDocument(editor.getEditorInput()).get());
    }
}
