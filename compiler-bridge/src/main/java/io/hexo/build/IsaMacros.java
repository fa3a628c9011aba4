package io.hexo.build;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * `#ifdef __aarch64__` in a program: natively each ISA's build takes its own branch, but hexo compiles the
 * program once, to wasm32, for both ISAs, so no ISA macro is ever defined and such code is always left out
 * (the original's remote-mem test migrates "to x86" under `#ifdef __aarch64__`). A warning at each test
 * says so, and what to use instead.
 */
final class IsaMacros {
    private static final Pattern TEST = Pattern.compile(
            "^[ \\t]*#[ \\t]*(?:if|ifdef|ifndef|elif)\\b.*?\\b(__x86_64__|__x86_64|__amd64__|__amd64|__aarch64__|__arm__|__i386__|__powerpc64__)\\b",
            Pattern.MULTILINE);

    private IsaMacros() {}

    static List<String> warnings(String source, String file) {
        String code = SizeofLong.withoutCommentsAndStrings(source);
        List<String> warnings = new ArrayList<>();
        Matcher m = TEST.matcher(code);
        while (m.find()) {
            int line = 1, lineStart = 0;
            for (int i = 0; i < m.start(1); i++) {
                if (code.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            warnings.add(file + ":" + line + ":" + (m.start(1) - lineStart + 1) + ": warning: " + m.group(1)
                    + " is never defined here: hexo compiles the program once, to wasm32, for both ISAs; hexo_current_isa() "
                    + "(<hexo.h>) or current_nid() (<migrate.h>) says at run time where it runs [hexo-isa]");
        }
        return warnings;
    }
}
