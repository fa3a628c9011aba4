package io.hexo.ide.core.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The lexical pieces of C source an editor colours and the migration-point finder reads: comments, string and character
 * literals, preprocessor lines, keywords and identifiers (everything else is left out). One scan for both, so that a
 * call in a comment is neither coloured as code nor marked as a migration point.
 */
public final class CTokens {

    public enum Kind { COMMENT, STRING, CHAR, PREPROCESSOR, KEYWORD, IDENTIFIER }

    public record Token(Kind kind, int offset, int length) {
        public int end() {
            return offset + length;
        }
    }

    /** C17's keywords and the common extensions a C developer expects coloured. */
    static final Set<String> KEYWORDS = Set.of("auto", "break", "case", "char", "const", "continue", "default", "do",
            "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
            "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
            "unsigned", "void", "volatile", "while", "_Alignas", "_Alignof", "_Atomic", "_Bool", "_Complex", "_Generic",
            "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local", "__attribute__", "asm", "__asm__", "bool",
            "true", "false", "NULL");

    private CTokens() {
    }

    public static List<Token> scan(String text) {
        List<Token> out = new ArrayList<>();
        int n = text.length();
        boolean lineStart = true;
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\n') {
                lineStart = true;
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (lineStart && c == '#') {
                int end = endOfDirective(text, i);
                out.add(new Token(Kind.PREPROCESSOR, i, end - i));
                i = end;
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
                int nl = text.indexOf('\n', i);
                int end = nl < 0 ? n : nl;
                out.add(new Token(Kind.COMMENT, i, end - i));
                i = end;
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int close = text.indexOf("*/", i + 2);
                int end = close < 0 ? n : close + 2;
                out.add(new Token(Kind.COMMENT, i, end - i));
                lineStart = false;
                i = end;
            } else if (c == '"' || c == '\'') {
                int end = Math.min(endOfLiteral(text, i), n);
                out.add(new Token(c == '"' ? Kind.STRING : Kind.CHAR, i, end - i));
                lineStart = text.charAt(end - 1) == '\n' && end - 1 > i;
                i = end;
            } else if (Character.isJavaIdentifierStart(c) && c != '$') {
                int end = i + 1;
                while (end < n && Character.isJavaIdentifierPart(text.charAt(end)) && text.charAt(end) != '$') {
                    end++;
                }
                boolean number = i > 0 && Character.isDigit(text.charAt(i - 1));
                if (!number) {
                    out.add(new Token(KEYWORDS.contains(text.substring(i, end)) ? Kind.KEYWORD : Kind.IDENTIFIER, i, end - i));
                }
                lineStart = false;
                i = end;
            } else {
                lineStart = false;
                i++;
            }
        }
        return out;
    }

    /** The end of the preprocessor directive starting at i: its newline, after any backslash-continued lines. */
    static int endOfDirective(String text, int i) {
        while (true) {
            int nl = text.indexOf('\n', i);
            if (nl < 0) {
                return text.length();
            }
            if (nl > 0 && text.charAt(nl - 1) == '\\') {
                i = nl + 1;
                continue;
            }
            return nl;
        }
    }

    /**
     * Just after the string or character literal starting at i (its closing quote, or the newline that ends an
     * unterminated one); text.length() + 1 when the text ends inside it.
     */
    static int endOfLiteral(String text, int i) {
        char quote = text.charAt(i);
        for (int j = i + 1; j < text.length(); j++) {
            char c = text.charAt(j);
            if (c == '\\') {
                j++;
            } else if (c == quote || c == '\n') {
                return j + 1;
            }
        }
        return text.length() + 1;
    }
}
