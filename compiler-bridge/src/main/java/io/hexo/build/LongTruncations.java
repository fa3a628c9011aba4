package io.hexo.build;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A 64-bit value stored in a `long`: whole on LP64 Linux, cut to 32 bits in wasm32 (`long us = tv.tv_sec *
 * 1000000 + tv.tv_usec;`). clang reports every 64-to-32-bit conversion (-Wshorten-64-to-32); the ones into
 * `long` or `unsigned long` are where the program behaves differently from its native build (into `int`, it
 * truncates natively too), so those become warnings with file:line.
 */
final class LongTruncations {
    private static final Pattern SHORTEN = Pattern.compile(
            "^(.*):(\\d+):(\\d+): warning: implicit conversion loses integer precision: ('[^']*'(?: \\(aka '[^']*'\\))?) to '([^']*)'(?: \\(aka '([^']*)'\\))? \\[-Wshorten-64-to-32\\]",
            Pattern.MULTILINE);
    private static final Pattern LONG = Pattern.compile("(unsigned )?long( int)?");

    private LongTruncations() {}

    static List<String> warnings(String clangOutput, String file) {
        List<String> warnings = new ArrayList<>();
        Matcher m = SHORTEN.matcher(clangOutput);
        while (m.find()) {
            String to = m.group(6) != null ? m.group(6) : m.group(5);
            if (!m.group(1).equals(file) || !LONG.matcher(to).matches()) continue;
            warnings.add(file + ":" + m.group(2) + ":" + m.group(3) + ": warning: a 64-bit " + m.group(4) + " is stored in '" + m.group(5)
                    + "', which is 32 bits here and 64 in a native LP64 build: values past 2^31 differ [hexo-lp64]");
        }
        return warnings;
    }
}
