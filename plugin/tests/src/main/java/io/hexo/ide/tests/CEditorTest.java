package io.hexo.ide.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.jface.text.IDocument;
import org.eclipse.jface.text.Position;
import org.eclipse.jface.text.source.Annotation;
import org.eclipse.jface.text.source.IAnnotationModel;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.StyleRange;
import org.eclipse.swt.custom.StyledText;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.ide.IDE;
import org.eclipse.ui.texteditor.ITextEditor;
import org.eclipse.ui.texteditor.MarkerAnnotation;
import org.junit.Test;

import io.hexo.ide.editor.MigrationPointMarks;

/**
 * .c files in the platform's generic editor: C colours (keywords, comments, strings, preprocessor), migration points
 * marked in the ruler and kept current while typing, and a build's problem marker that moves with the edits.
 */
public class CEditorTest {

    static final String SOURCE = "#include <stdio.h>\n"                       // line 1: preprocessor
            + "#include <hermit/migration.h>\n\n"
            + "/* popcorn_check_migrate(); in a comment is no migration point */\n" // line 4: comment
            + "int main(void) {\n"                                            // line 5: keyword
            + "    for (int i = 0; i < 3; i++) {\n"
            + "        popcorn_check_migrate();\n"
            + "        printf(\"popcorn_check_migrate() %d\\n\", i);\n"       // a string, not a point
            + "    }\n"
            + "    HERMIT_FORCE_MIGRATION();\n"
            + "    return 0;\n}\n";

    static ITextEditor open(IFile f) throws Exception {
        IEditorPart part = IDE.openEditor(Ui.page(), f);
        Ui.spin(800);
        assertTrue("a text editor: " + part, part instanceof ITextEditor);
        return (ITextEditor) part;
    }

    static List<Position> migrationPoints(ITextEditor editor) {
        IAnnotationModel model = editor.getDocumentProvider().getAnnotationModel(editor.getEditorInput());
        assertNotNull("the editor has an annotation model", model);
        // the marks live in the viewer's (visual) model, which also shows the resource's markers
        IAnnotationModel visual = ((org.eclipse.jface.text.source.ISourceViewer) editor.getAdapter(org.eclipse.jface.text.ITextOperationTarget.class))
                .getAnnotationModel();
        List<Position> points = new ArrayList<>();
        for (Iterator<Annotation> it = visual.getAnnotationIterator(); it.hasNext();) {
            Annotation a = it.next();
            if (MigrationPointMarks.TYPE.equals(a.getType())) {
                points.add(visual.getPosition(a));
            }
        }
        points.sort((a, b) -> Integer.compare(a.offset, b.offset));
        return points;
    }

    private static StyleRange styleAt(StyledText text, int offset) {
        StyleRange r = text.getStyleRangeAtOffset(offset);
        return r == null ? new StyleRange() : r;
    }

    @Test
    public void cSourceOpensInTheGenericEditorWithColoursAndMarkedMigrationPoints() throws Exception {
        IProject p = Ui.sampleProject("c-editor");
        IFile f = Ui.write(p.getFile("colours.c"), SOURCE);
        ITextEditor editor = open(f);
        assertEquals("the platform's generic editor", "org.eclipse.ui.genericeditor.GenericEditor", editor.getSite().getId());
        StyledText text = (StyledText) editor.getAdapter(org.eclipse.swt.widgets.Control.class);
        Ui.waitFor("the C colours", 10, () -> styleAt(text, SOURCE.indexOf("int main")).foreground != null);
        StyleRange keyword = styleAt(text, SOURCE.indexOf("int main"));
        StyleRange comment = styleAt(text, SOURCE.indexOf("/* popcorn") + 5);
        StyleRange string = styleAt(text, SOURCE.indexOf("\"popcorn") + 3);
        StyleRange preprocessor = styleAt(text, SOURCE.indexOf("#include") + 2);
        StyleRange identifier = styleAt(text, SOURCE.indexOf("printf"));
        assertEquals("keywords bold", SWT.BOLD, keyword.fontStyle & SWT.BOLD);
        assertNotNull(comment.foreground);
        assertNotNull(string.foreground);
        assertNotNull(preprocessor.foreground);
        assertEquals("identifiers plain", null, identifier.foreground);
        assertNotEquals("comments and keywords differ", comment.foreground.getRGB(), keyword.foreground.getRGB());
        assertNotEquals("strings and comments differ", string.foreground.getRGB(), comment.foreground.getRGB());
        assertNotEquals("preprocessor and keywords differ", preprocessor.foreground.getRGB(), keyword.foreground.getRGB());
        Ui.screenshot("c-editor");

        List<Position> points = migrationPoints(editor);
        assertEquals("the two calls, not the comment or the string: " + points, 2, points.size());
        assertEquals(SOURCE.indexOf("popcorn_check_migrate();\n        printf"), points.get(0).offset);
        assertEquals(SOURCE.indexOf("HERMIT_FORCE_MIGRATION"), points.get(1).offset);

        // typing a call marks it at once; the marks follow the text
        IDocument doc = editor.getDocumentProvider().getDocument(editor.getEditorInput());
        doc.replace(SOURCE.indexOf("    return 0;"), 0, "    check_migrate();\n");
        Ui.spin(300);
        assertEquals(3, migrationPoints(editor).size());
        doc.replace(0, 0, "// moved\n");
        Ui.spin(300);
        assertEquals(SOURCE.indexOf("HERMIT_FORCE_MIGRATION") + "// moved\n".length(), migrationPoints(editor).get(1).offset);
        editor.doRevertToSaved();
        editor.close(false);
    }

    @Test
    public void aProblemMarkerMovesWithEditsUntilTheNextBuild() throws Exception {
        IProject p = Ui.sampleProject("marker-move");
        IFile test = p.getFile("test.c");
        String good = new String(test.getContents().readAllBytes());
        String broken = good.replaceFirst("\n", "\nint broken = ;\n"); // line 2
        Ui.write(test, broken);
        BuildMarkersTest.buildFromProjectExplorer(p);
        IMarker[] errs = BuildMarkersTest.errors(p);
        assertEquals(1, errs.length);
        assertEquals(2, errs[0].getAttribute(IMarker.LINE_NUMBER, -1));

        ITextEditor editor = open(test);
        IDocument doc = editor.getDocumentProvider().getDocument(editor.getEditorInput());
        doc.replace(0, 0, "/* one */\n/* two */\n/* three */\n");
        Ui.spin(300);
        IAnnotationModel model = editor.getDocumentProvider().getAnnotationModel(editor.getEditorInput());
        Position at = null;
        for (Iterator<Annotation> it = model.getAnnotationIterator(); it.hasNext();) {
            Annotation a = it.next();
            if (a instanceof MarkerAnnotation ma && ma.getMarker().equals(errs[0])) {
                at = model.getPosition(a);
            }
        }
        assertNotNull("the error's annotation in the editor", at);
        assertEquals("the error moved three lines down with the edit", 2 + 3, doc.getLineOfOffset(at.offset) + 1);
        editor.doRevertToSaved();
        editor.close(false);
        Ui.write(test, good);
        BuildMarkersTest.buildFromProjectExplorer(p);
        assertEquals("the next build replaces the markers", 0, BuildMarkersTest.errors(p).length);
    }
}
