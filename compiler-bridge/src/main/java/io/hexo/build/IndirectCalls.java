package io.hexo.build;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a call through a function pointer can reach a migration point: if not, Asyncify need not
 * instrument for it ({@code asyncify-ignore-indirect}).
 *
 * <p>Binaryen must otherwise assume that any {@code call_indirect} may unwind the stack, so every function
 * that makes one gets Asyncify's state checks at entry and after each call (dhry's {@code one_pass} calls
 * through a table of function pointers; printf calls its stream's write function), and so does everything
 * that calls such a function. The proof is the module's call graph (wasm-objdump of the linked, not yet
 * instrumented module): the functions that can reach the {@code hexo.migrate} import through direct calls,
 * or through an indirect call that could land on one of them; if no function in the table is among them,
 * no indirect call can be on the stack when the guest migrates. Measured with callgrind, class S: dhry
 * 1.398 -> 1.288 G instructions (native 0.641 G); nothing else moved. A program built with
 * {@code --instrument-functions} has a migration point in every function, so the table reaches one and
 * nothing changes.
 */
final class IndirectCalls {
    private static final Pattern MIGRATE_IMPORT = Pattern.compile("(?m)^ - func\\[(\\d+)\\] sig=\\d+ <[^>]*> <- hexo\\.migrate$");
    private static final Pattern IMPORT_SECTION = Pattern.compile("(?m)^Import\\[\\d+\\]:$");
    private static final Pattern ELEM_SECTION = Pattern.compile("(?m)^Elem\\[\\d+\\]:$");
    private static final Pattern ELEM = Pattern.compile("(?m)^  - elem\\[\\d+\\] = func\\[(\\d+)\\]");
    private static final Pattern FUNCTION = Pattern.compile("^[0-9a-f]+ func\\[(\\d+)\\] <.*>:$");
    private static final Pattern CALL = Pattern.compile("\\|\\s+call (\\d+)(?: |$)");
    private static final Pattern CALL_INDIRECT = Pattern.compile("\\|\\s+call_indirect ");

    private IndirectCalls() {}

    /**
     * @param details    {@code wasm-objdump -x} of the module (imports, table elements)
     * @param disassembly {@code wasm-objdump -d} of the module
     */
    static boolean mayReachMigration(String details, String disassembly) throws BuildException {
        Matcher m = MIGRATE_IMPORT.matcher(details);
        if (!m.find()) {
            if (!IMPORT_SECTION.matcher(details).find()) throw shape("imports");
            return false; // no migration point at all
        }
        int migrate = Integer.parseInt(m.group(1));
        Set<Integer> table = new HashSet<>();
        Matcher e = ELEM.matcher(details);
        while (e.find()) table.add(Integer.parseInt(e.group(1)));
        if (table.isEmpty() && ELEM_SECTION.matcher(details).find()) throw shape("table elements");

        Map<Integer, List<Integer>> calls = new HashMap<>();
        Set<Integer> indirect = new HashSet<>();
        Integer current = null;
        for (String line : disassembly.split("\n")) {
            Matcher f = FUNCTION.matcher(line);
            if (f.matches()) {
                current = Integer.parseInt(f.group(1));
                calls.put(current, new ArrayList<>());
                continue;
            }
            if (current == null) continue;
            Matcher c = CALL.matcher(line);
            if (c.find()) calls.get(current).add(Integer.parseInt(c.group(1)));
            else if (CALL_INDIRECT.matcher(line).find()) indirect.add(current);
        }
        if (calls.isEmpty()) throw shape("functions");

        // The functions that can reach the import, to a fixed point: an indirect call counts as a call to
        // every function in the table.
        Set<Integer> reach = new HashSet<>(Set.of(migrate));
        boolean changed = true;
        while (changed) {
            changed = false;
            boolean tableReaches = table.stream().anyMatch(reach::contains);
            for (Map.Entry<Integer, List<Integer>> fn : calls.entrySet()) {
                if (reach.contains(fn.getKey())) continue;
                if (fn.getValue().stream().anyMatch(reach::contains) || (tableReaches && indirect.contains(fn.getKey()))) {
                    reach.add(fn.getKey());
                    changed = true;
                }
            }
        }
        return table.stream().anyMatch(reach::contains);
    }

    private static BuildException shape(String what) {
        return new BuildException("wasm-objdump printed the module's " + what + " in a form hexo does not know"
                + " (is wabt other than Debian 12's 1.0.32?): reinstall it with tools/install.sh");
    }
}
