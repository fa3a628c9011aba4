package io.hexo.ide.core.build;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One compiler diagnostic as hexo build prints it: {@code path/file.c:LINE:COL: error: message}. */
public record Diagnostic(String path, int line, int column, Severity severity, String message) {

    public enum Severity { ERROR, WARNING, NOTE }

    private static final Pattern LINE = Pattern.compile(
            "^(.+?):(\\d+):(?:(\\d+):)?\\s*(fatal error|error|warning|note):\\s*(.*)$");

    /** The diagnostic on this output line, or null. */
    public static Diagnostic parse(String line) {
        Matcher m = LINE.matcher(line.strip());
        if (!m.matches()) {
            return null;
        }
        String kind = m.group(4);
        Severity s = kind.endsWith("error") ? Severity.ERROR : kind.equals("warning") ? Severity.WARNING : Severity.NOTE;
        int col = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        return new Diagnostic(m.group(1), Integer.parseInt(m.group(2)), col, s, m.group(5));
    }
}
