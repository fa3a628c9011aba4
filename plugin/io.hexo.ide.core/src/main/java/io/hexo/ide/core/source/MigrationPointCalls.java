package io.hexo.ide.core.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Where C source calls a migration point: the names the editor's ruler marks, found in code only (not in comments or strings). */
public final class MigrationPointCalls {

    /** hexo.h's migration points and the original's (Popcorn, HermitCore) names for them. */
    public static final Set<String> NAMES = Set.of("popcorn_check_migrate", "hexo_check_migrate", "check_migrate",
            "HERMIT_MIGPOINT", "HERMIT_FORCE_MIGRATION", "force_migration_flag");

    private MigrationPointCalls() {
    }

    /** The identifiers of the calls, in order: a name above followed by "(". */
    public static List<CTokens.Token> find(String text) {
        List<CTokens.Token> calls = new ArrayList<>();
        for (CTokens.Token t : CTokens.scan(text)) {
            if (t.kind() != CTokens.Kind.IDENTIFIER || !NAMES.contains(text.substring(t.offset(), t.end()))) {
                continue;
            }
            int j = t.end();
            while (j < text.length() && Character.isWhitespace(text.charAt(j))) {
                j++;
            }
            if (j < text.length() && text.charAt(j) == '(') {
                calls.add(t);
            }
        }
        return calls;
    }
}
