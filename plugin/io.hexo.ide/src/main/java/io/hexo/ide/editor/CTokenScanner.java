package io.hexo.ide.editor;

import java.util.List;
import java.util.Map;

import org.eclipse.jface.text.IDocument;
import org.eclipse.jface.text.TextAttribute;
import org.eclipse.jface.text.rules.IToken;
import org.eclipse.jface.text.rules.ITokenScanner;
import org.eclipse.jface.text.rules.Token;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;

import io.hexo.ide.core.source.CTokens;

/** Feeds the core's C tokens to the text presentation, with the gaps between them as default text. */
final class CTokenScanner implements ITokenScanner {

    /** Colours a C developer knows from CDT's defaults. */
    static final Map<CTokens.Kind, TextAttribute> STYLES = Map.of(
            CTokens.Kind.COMMENT, new TextAttribute(new Color(63, 127, 95)),
            CTokens.Kind.STRING, new TextAttribute(new Color(42, 0, 255)),
            CTokens.Kind.CHAR, new TextAttribute(new Color(42, 0, 255)),
            CTokens.Kind.PREPROCESSOR, new TextAttribute(new Color(100, 70, 150), null, SWT.BOLD),
            CTokens.Kind.KEYWORD, new TextAttribute(new Color(127, 0, 85), null, SWT.BOLD));

    private List<CTokens.Token> tokens = List.of();
    private int index;
    private int position;
    private int end;
    private int tokenOffset;
    private int tokenLength;

    @Override
    public void setRange(IDocument document, int offset, int length) {
        tokens = CTokens.scan(document.get());
        position = offset;
        end = offset + length;
        index = 0;
        while (index < tokens.size() && tokens.get(index).end() <= offset) {
            index++;
        }
    }

    @Override
    public IToken nextToken() {
        if (position >= end) {
            return Token.EOF;
        }
        tokenOffset = position;
        while (index < tokens.size() && STYLES.get(tokens.get(index).kind()) == null) {
            index++; // identifiers are default text
        }
        if (index < tokens.size() && tokens.get(index).offset() <= position) {
            CTokens.Token t = tokens.get(index++);
            position = Math.min(t.end(), end);
            tokenLength = position - tokenOffset;
            return new Token(STYLES.get(t.kind()));
        }
        int next = index < tokens.size() ? Math.min(tokens.get(index).offset(), end) : end;
        position = next;
        tokenLength = next - tokenOffset;
        return Token.UNDEFINED;
    }

    @Override
    public int getTokenOffset() {
        return tokenOffset;
    }

    @Override
    public int getTokenLength() {
        return tokenLength;
    }
}
