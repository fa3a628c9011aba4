package io.hexo.ide.editor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.jface.text.DocumentEvent;
import org.eclipse.jface.text.IDocument;
import org.eclipse.jface.text.IDocumentListener;
import org.eclipse.jface.text.ITextInputListener;
import org.eclipse.jface.text.ITextViewer;
import org.eclipse.jface.text.Position;
import org.eclipse.jface.text.reconciler.IReconciler;
import org.eclipse.jface.text.reconciler.IReconcilingStrategy;
import org.eclipse.jface.text.source.Annotation;
import org.eclipse.jface.text.source.IAnnotationModel;
import org.eclipse.jface.text.source.IAnnotationModelExtension;
import org.eclipse.jface.text.source.ISourceViewer;

import io.hexo.ide.core.source.CTokens;
import io.hexo.ide.core.source.MigrationPointCalls;

/**
 * Marks each migration point ({@link MigrationPointCalls}) of a C file in the editor's rulers, again after every edit.
 * Contributed to the generic editor as a reconciler; the annotation type's look is in plugin.xml.
 */
public class MigrationPointMarks implements IReconciler, IDocumentListener, ITextInputListener {

    /** The annotation type (plugin.xml: annotationTypes and markerAnnotationSpecification). */
    public static final String TYPE = "io.hexo.ide.migrationPoint";

    private ISourceViewer viewer;
    private Annotation[] shown = new Annotation[0];

    @Override
    public void install(ITextViewer textViewer) {
        if (!(textViewer instanceof ISourceViewer sv)) {
            return;
        }
        viewer = sv;
        viewer.addTextInputListener(this);
        inputDocumentChanged(null, viewer.getDocument());
    }

    @Override
    public void uninstall() {
        if (viewer != null) {
            viewer.removeTextInputListener(this);
            if (viewer.getDocument() != null) {
                viewer.getDocument().removeDocumentListener(this);
            }
        }
    }

    @Override
    public void inputDocumentAboutToBeChanged(IDocument oldInput, IDocument newInput) {
        if (oldInput != null) {
            oldInput.removeDocumentListener(this);
        }
    }

    @Override
    public void inputDocumentChanged(IDocument oldInput, IDocument newInput) {
        if (newInput != null) {
            newInput.addDocumentListener(this);
            mark(newInput);
        }
    }

    @Override
    public void documentAboutToBeChanged(DocumentEvent event) {
    }

    @Override
    public void documentChanged(DocumentEvent event) {
        mark(event.getDocument());
    }

    private void mark(IDocument document) {
        IAnnotationModel model = viewer.getAnnotationModel();
        if (!(model instanceof IAnnotationModelExtension ext)) {
            return; // the model comes with the editor's input: the next change marks
        }
        String text = document.get();
        List<CTokens.Token> calls = MigrationPointCalls.find(text);
        Map<Annotation, Position> added = new HashMap<>();
        for (CTokens.Token t : calls) {
            String name = text.substring(t.offset(), t.end());
            added.put(new Annotation(TYPE, false, "Migration point: " + name + "() — the guest can move to the other ISA here"),
                    new Position(t.offset(), t.length()));
        }
        ext.replaceAnnotations(shown, added);
        shown = added.keySet().toArray(new Annotation[0]);
    }

    @Override
    public IReconcilingStrategy getReconcilingStrategy(String contentType) {
        return null;
    }
}
