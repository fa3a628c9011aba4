package io.hexo.build;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a program's behaviour would differ from a native LP64 build and no rewrite can help: it asks for the
 * size of `long` or `size_t`, which are 4 bytes in wasm32 and 8 on x86-64 and AArch64 Linux. The build warns
 * at each `sizeof` of such a type, with file:line. Pointers are 4 bytes too, but `sizeof(int *)` nearly
 * always sizes an allocation of pointers, which is right either way: warning there would bury the rest.
 */
final class SizeofLong {
    private static final Pattern SIZEOF = Pattern.compile(
            "\\bsizeof\\s*\\(\\s*((?:(?:const|volatile|signed|unsigned)\\s+)*(?:long(?:\\s+int)?|size_t|ssize_t|ptrdiff_t|intptr_t|uintptr_t))\\s*\\)");
    private static final Pattern LONG_LONG = Pattern.compile("\\blong\\s+long\\b");

    private SizeofLong() {}

    static List<String> warnings(String source, String file) {
        String code = withoutCommentsAndStrings(source);
        List<String> warnings = new ArrayList<>();
        Matcher m = SIZEOF.matcher(code);
        while (m.find()) {
            String type = m.group(1).replaceAll("\\s+", " ").trim();
            if (LONG_LONG.matcher(type).find()) continue;
            int line = 1, lineStart = 0;
            for (int i = 0; i < m.start(); i++) {
                if (code.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            warnings.add(file + ":" + line + ":" + (m.start() - lineStart + 1) + ": warning: sizeof(" + type
                    + ") is 4 here (wasm32 is ILP32) but 8 in a native LP64 build: code that depends on it behaves differently [hexo-lp64]");
        }
        return warnings;
    }

    /** The text with comments and string/char literals blanked, newlines and columns kept. */
    static String withoutCommentsAndStrings(String s) {
        StringBuilder b = new StringBuilder(s);
        int i = 0, n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            char next = i + 1 < n ? s.charAt(i + 1) : 0;
            int end;
            if (c == '/' && next == '*') {
                int close = s.indexOf("*/", i + 2);
                end = close < 0 ? n : close + 2;
            } else if (c == '/' && next == '/') {
                int nl = s.indexOf('\n', i);
                end = nl < 0 ? n : nl;
            } else if (c == '"' || c == '\'') {
                end = i + 1;
                while (end < n && s.charAt(end) != c && s.charAt(end) != '\n') end += s.charAt(end) == '\\' ? 2 : 1;
                end = Math.min(end + 1, n);
            } else {
                i++;
                continue;
            }
            for (int k = i; k < end; k++) if (b.charAt(k) != '\n') b.setCharAt(k, ' ');
            i = end;
        }
        return b.toString();
    }
}
