package io.hexo.ide.editor;

import org.eclipse.jface.text.IDocument;
import org.eclipse.jface.text.ITypedRegion;
import org.eclipse.jface.text.Region;
import org.eclipse.jface.text.DocumentEvent;
import org.eclipse.jface.text.IRegion;
import org.eclipse.jface.text.presentation.IPresentationDamager;
import org.eclipse.jface.text.presentation.PresentationReconciler;
import org.eclipse.jface.text.rules.DefaultDamagerRepairer;

/**
 * C colours for {@code .c}/{@code .h} in the platform's generic editor (CDT is not on Maven Central): comments, string
 * and character literals, preprocessor lines and keywords, from the core's {@link io.hexo.ide.core.source.CTokens}.
 * Every edit recolours the whole file: opening or closing a comment changes the lines after it, and C files are small.
 */
public class CPresentationReconciler extends PresentationReconciler {

    public CPresentationReconciler() {
        DefaultDamagerRepairer dr = new DefaultDamagerRepairer(new CTokenScanner());
        setDamager(new WholeDocument(), IDocument.DEFAULT_CONTENT_TYPE);
        setRepairer(dr, IDocument.DEFAULT_CONTENT_TYPE);
    }

    private static final class WholeDocument implements IPresentationDamager {
        private IDocument document;

        @Override
        public void setDocument(IDocument document) {
            this.document = document;
        }

        @Override
        public IRegion getDamageRegion(ITypedRegion partition, DocumentEvent event, boolean documentPartitioningChanged) {
            return new Region(0, document.getLength());
        }
    }
}
