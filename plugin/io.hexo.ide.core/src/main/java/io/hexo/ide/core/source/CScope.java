package io.hexo.ide.core.source;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Where an offset of C source is: inside a function body (and in which block), or elsewhere. A lexical scan that
 * skips comments, string and character literals and preprocessor lines; enough to tell a statement position from
 * file scope, a struct or an initializer without a C parser.
 */
public final class CScope {

    /** The innermost block around an offset inside a function body: where its opening brace is. */
    public record Block(int openBrace) {
    }

    private enum Kind { FUNCTION, BLOCK, OTHER }

    private record Open(int offset, Kind kind) {
    }

    private CScope() {
    }

    /**
     * The innermost block at offset when every enclosing brace is a function body or a statement block; null when
     * the offset is at file scope, in a struct, enum or initializer, or inside a comment or literal.
     */
    public static Block blockAt(String text, int offset) {
        Deque<Open> open = new ArrayDeque<>();
        int end = Math.min(offset, text.length());
        char last = 0; // the last significant character before the current one
        boolean lineStart = true;
        int i = 0;
        while (i < end) {
            char c = text.charAt(i);
            if (c == '\n') {
                lineStart = true;
                i++;
                continue;
            }
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (lineStart && c == '#') {
                i = CTokens.endOfDirective(text, i);
                if (i > end) {
                    return null;
                }
                continue;
            }
            lineStart = false;
            if (c == '/' && i + 1 < text.length() && text.charAt(i + 1) == '/') {
                int nl = text.indexOf('\n', i);
                if (nl < 0 || nl >= end) {
                    return null;
                }
                i = nl;
                continue;
            }
            if (c == '/' && i + 1 < text.length() && text.charAt(i + 1) == '*') {
                int close = text.indexOf("*/", i + 2);
                if (close < 0 || close + 2 > end) {
                    return null;
                }
                i = close + 2;
                continue;
            }
            if (c == '"' || c == '\'') {
                int close = CTokens.endOfLiteral(text, i);
                if (close > end) {
                    return null;
                }
                i = close;
                last = c;
                continue;
            }
            if (c == '{') {
                open.push(new Open(i, kindOf(open, last, text, i)));
            } else if (c == '}' && !open.isEmpty()) {
                open.pop();
            }
            last = c;
            i++;
        }
        if (open.isEmpty()) {
            return null;
        }
        for (Open o : open) {
            if (o.kind() == Kind.OTHER) {
                return null;
            }
        }
        return open.peekLast().kind() == Kind.FUNCTION ? new Block(open.peek().offset()) : null;
    }

    private static Kind kindOf(Deque<Open> open, char last, String text, int brace) {
        if (open.isEmpty()) {
            // at file scope only a function definition's body follows a closing parenthesis
            return last == ')' ? Kind.FUNCTION : Kind.OTHER;
        }
        if (last == ')' || last == ';' || last == '{' || last == '}' || last == ':' || endsWithKeyword(text, brace)) {
            return Kind.BLOCK;
        }
        return Kind.OTHER;
    }

    private static boolean endsWithKeyword(String text, int brace) {
        String before = text.substring(0, brace).stripTrailing();
        return before.endsWith("else") || before.endsWith("do");
    }
}
