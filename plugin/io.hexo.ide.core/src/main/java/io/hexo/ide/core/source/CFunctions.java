package io.hexo.ide.core.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a C function is defined, read from the sources: for a trap hexo could name only by function (a program built
 * without -g has no DWARF to say where). A definition is the name at file scope, its parameter list, then its body,
 * old-style (K&R) parameter declarations allowed in between.
 */
public final class CFunctions {

    /** A definition: the file and its 1-based line. */
    public record Place(Path file, int line) {
    }

    private CFunctions() {
    }

    /** The first definition of function among the .c files under dir (sorted, build output skipped), or null. */
    public static Place find(Path dir, String function, List<String> skipDirs) {
        if (function == null || dir == null || !Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> files = Files.walk(dir, 8)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".c") && Files.isRegularFile(p))
                    .filter(p -> skipDirs.stream().noneMatch(s -> dir.relativize(p).startsWith(s))).sorted().toList()) {
                String text = Files.readString(f);
                int at = definition(text, function);
                if (at >= 0) {
                    return new Place(f, 1 + (int) text.substring(0, at).chars().filter(c -> c == '\n').count());
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
        return null;
    }

    /** The offset of function's name in its definition in text, or -1. */
    public static int definition(String text, String function) {
        boolean[] code = new boolean[text.length()];
        java.util.Arrays.fill(code, true);
        for (CTokens.Token t : CTokens.scan(text)) {
            if (t.kind() != CTokens.Kind.IDENTIFIER && t.kind() != CTokens.Kind.KEYWORD) {
                java.util.Arrays.fill(code, t.offset(), Math.min(t.end(), text.length()), false);
            }
        }
        int depth = 0;
        int next = 0;
        for (CTokens.Token t : CTokens.scan(text)) {
            for (; next < t.offset(); next++) {
                if (code[next] && text.charAt(next) == '{') {
                    depth++;
                } else if (code[next] && text.charAt(next) == '}') {
                    depth--;
                }
            }
            if (depth == 0 && t.kind() == CTokens.Kind.IDENTIFIER && text.startsWith(function, t.offset())
                    && t.length() == function.length() && hasBody(text, code, t.end())) {
                return t.offset();
            }
        }
        return -1;
    }

    private static boolean hasBody(String text, boolean[] code, int i) {
        i = skipSpace(text, code, i);
        if (i >= text.length() || text.charAt(i) != '(') {
            return false;
        }
        int parens = 0;
        for (; i < text.length(); i++) {
            if (!code[i]) {
                continue;
            }
            char c = text.charAt(i);
            if (c == '(') {
                parens++;
            } else if (c == ')' && --parens == 0) {
                break;
            }
        }
        i = skipSpace(text, code, i + 1);
        if (i >= text.length() || text.charAt(i) == ';') {
            return false; // a prototype
        }
        for (; i < text.length(); i++) {
            if (!code[i]) {
                continue;
            }
            char c = text.charAt(i);
            if (c == '{') {
                return true;
            }
            // what K&R parameter declarations may hold between ")" and "{"
            if (!(Character.isLetterOrDigit(c) || Character.isWhitespace(c) || "_*,;[]".indexOf(c) >= 0)) {
                return false;
            }
        }
        return false;
    }

    private static int skipSpace(String text, boolean[] code, int i) {
        while (i < text.length() && (!code[i] || Character.isWhitespace(text.charAt(i)))) {
            i++;
        }
        return i;
    }
}
