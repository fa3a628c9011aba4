package io.hexo.ide.core.source;

import java.util.regex.Pattern;

import org.eclipse.jface.text.BadLocationException;
import org.eclipse.jface.text.IDocument;
import org.eclipse.jface.text.IRegion;
import org.eclipse.jface.text.TextUtilities;

/**
 * Inserting a migration point into C source: {@code popcorn_check_migrate();} on a new line after the caret's line,
 * inside a function body only, indented as the enclosing block's statements, and {@code #include <hermit/migration.h>}
 * after the last {@code #include} when missing.
 */
public final class MigrationPoint {

    public static final String CALL = "popcorn_check_migrate();";
    public static final String INCLUDE = "#include <hermit/migration.h>";

    private static final Pattern HAS_INCLUDE = Pattern.compile("(?m)^\\s*#\\s*include\\s*[<\"]hermit/migration\\.h[>\"]");
    private static final Pattern INCLUDE_LINE = Pattern.compile("^\\s*#\\s*include\\b.*");

    /** The change to make, computed on the document's text: where and what to insert, and the caret after it. */
    public record Edit(int includeOffset, String includeText, int callOffset, int callReplaceLength, String callText,
            int caretAfter) {
    }

    private MigrationPoint() {
    }

    /** Why no migration point can go at caret, in one sentence, or null when it can. */
    public static String reasonAgainst(IDocument doc, int caret) throws BadLocationException {
        return block(doc, caret) == null
                ? "A migration point goes inside a function body: put the caret on a statement's line." : null;
    }

    /** The block the call would go in: the one open at the end of the caret's line (the call goes after that line). */
    private static CScope.Block block(IDocument doc, int caret) throws BadLocationException {
        IRegion info = doc.getLineInformationOfOffset(Math.max(0, Math.min(caret, doc.getLength())));
        String content = doc.get(info.getOffset(), info.getLength());
        // on an empty line the call replaces the line, so the scope is the one at its start
        int at = content.isBlank() ? info.getOffset() : info.getOffset() + info.getLength();
        return CScope.blockAt(doc.get(), at);
    }

    /** The indentation of the block's statements: its first statement line's, else the brace line's plus one level. */
    private static String indentOf(IDocument doc, CScope.Block block) throws BadLocationException {
        int braceLine = doc.getLineOfOffset(block.openBrace());
        for (int l = braceLine + 1; l < doc.getNumberOfLines(); l++) {
            String line = lineText(doc, l);
            if (line.isBlank()) {
                continue;
            }
            if (!line.strip().startsWith("}")) {
                return leading(line);
            }
            break;
        }
        return leading(lineText(doc, braceLine)) + (doc.get().contains("\n\t") ? "\t" : "    ");
    }

    private static String lineText(IDocument doc, int line) throws BadLocationException {
        IRegion r = doc.getLineInformation(line);
        return doc.get(r.getOffset(), r.getLength());
    }

    private static String leading(String line) {
        return line.substring(0, line.length() - line.stripLeading().length());
    }

    /** The edit for a migration point at caret; IllegalArgumentException with the reason outside a function body. */
    public static Edit compute(IDocument doc, int caret) throws BadLocationException {
        String text = doc.get();
        String nl = TextUtilities.getDefaultLineDelimiter(doc);
        CScope.Block block = block(doc, caret);
        if (block == null) {
            throw new IllegalArgumentException(reasonAgainst(doc, caret));
        }
        // the call
        int line = doc.getLineOfOffset(Math.max(0, Math.min(caret, doc.getLength())));
        IRegion info = doc.getLineInformation(line);
        String content = doc.get(info.getOffset(), info.getLength());
        String indent = indentOf(doc, block);
        int callOffset;
        int replace;
        String call;
        if (content.isBlank()) {
            // the caret line is empty: the call goes on it
            callOffset = info.getOffset();
            replace = info.getLength();
            call = indent + CALL;
        } else {
            // a new line after the caret line
            callOffset = info.getOffset() + info.getLength();
            replace = 0;
            call = nl + indent + CALL;
        }
        // the include
        int includeOffset = -1;
        String include = null;
        if (!HAS_INCLUDE.matcher(text).find()) {
            int last = -1;
            for (int i = 0; i < doc.getNumberOfLines(); i++) {
                IRegion r = doc.getLineInformation(i);
                if (INCLUDE_LINE.matcher(doc.get(r.getOffset(), r.getLength())).matches()) {
                    last = i;
                }
            }
            if (last >= 0) {
                IRegion r = doc.getLineInformation(last);
                includeOffset = r.getOffset() + r.getLength();
                include = nl + INCLUDE;
            } else {
                includeOffset = 0;
                include = INCLUDE + nl;
            }
        }
        int caretAfter = callOffset + call.length();
        if (include != null && includeOffset <= callOffset) {
            caretAfter += include.length();
        }
        return new Edit(includeOffset, include, callOffset, replace, call, caretAfter);
    }

    /**
     * Applies the edit to the document as one replacement of the span from the first to the last change, so that it
     * is a single document change: one undo step whatever the editor's undo manager.
     */
    public static int apply(IDocument doc, int caret) throws BadLocationException {
        Edit e = compute(doc, caret);
        if (e.includeText() == null) {
            doc.replace(e.callOffset(), e.callReplaceLength(), e.callText());
            return e.callOffset() + e.callText().length();
        }
        int start = Math.min(e.includeOffset(), e.callOffset());
        int end = Math.max(e.includeOffset(), e.callOffset() + e.callReplaceLength());
        String middle;
        String replacement;
        int caretAfter;
        if (e.includeOffset() <= e.callOffset()) {
            middle = doc.get(e.includeOffset(), e.callOffset() - e.includeOffset());
            replacement = e.includeText() + middle + e.callText();
            caretAfter = start + replacement.length();
        } else {
            middle = doc.get(e.callOffset() + e.callReplaceLength(),
                    e.includeOffset() - e.callOffset() - e.callReplaceLength());
            replacement = e.callText() + middle + e.includeText();
            caretAfter = e.callOffset() + e.callText().length();
        }
        doc.replace(start, end - start, replacement);
        return caretAfter;
    }
}
