package io.hexo.build;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A call through an implicit declaration (`int f()` with the call's arguments) to a function defined with
 * another signature: C lets it through, wasm does not — wasm-ld links the call to a stub that stops the program.
 * wasm-ld says which function, clang said where it was called without a declaration: together, one warning
 * per call site with file:line, before the program ever runs.
 */
final class SignatureMismatches {
    private static final Pattern MISMATCH = Pattern.compile("warning: function signature mismatch: (\\S+)\\n>>> defined as (.*) in (.*)\\n>>> defined as (.*) in (.*)");
    private static final Pattern UNDECLARED = Pattern.compile("^(.*?:\\d+:\\d+): warning: call to undeclared function '([^']+)'", Pattern.MULTILINE);

    /** A function wasm-ld found with two signatures, and the two objects. */
    record Mismatch(String function, String signatureA, String objectA, String signatureB, String objectB) {}

    private SignatureMismatches() {}

    static List<Mismatch> parseLinker(String linkerOutput) {
        List<Mismatch> found = new ArrayList<>();
        Matcher m = MISMATCH.matcher(linkerOutput);
        while (m.find()) found.add(new Mismatch(m.group(1), m.group(2).trim(), m.group(3).trim(), m.group(4).trim(), m.group(5).trim()));
        return found;
    }

    /** function -> the places (file:line:col) it was called without a declaration, from the compilers' output. */
    static Map<String, List<String>> undeclaredCalls(String compilerOutput) {
        Map<String, List<String>> calls = new LinkedHashMap<>();
        Matcher m = UNDECLARED.matcher(compilerOutput);
        while (m.find()) calls.computeIfAbsent(m.group(2), k -> new ArrayList<>()).add(m.group(1));
        return calls;
    }

    /** The warnings to show: per undeclared call site when known, otherwise per function. */
    static List<String> warnings(List<Mismatch> mismatches, Map<String, List<String>> undeclared, java.util.function.UnaryOperator<String> sourceOfObject) {
        List<String> out = new ArrayList<>();
        for (Mismatch m : mismatches) {
            String name = BuildDiagnostics.withUserNames(m.function());
            String detail = name + " is " + m.signatureA() + " in " + sourceOfObject.apply(m.objectA()) + " but " + m.signatureB() + " in "
                    + sourceOfObject.apply(m.objectB()) + " (wasm signatures): a call through the wrong one stops the program; declare "
                    + name + " (#include its header) where it is called";
            List<String> sites = undeclared.getOrDefault(m.function(), List.of());
            if (sites.isEmpty()) {
                out.add("hexo: warning: " + detail);
            } else {
                for (String site : sites) out.add(BuildDiagnostics.withUserNames(site) + ": warning: " + name + " is called without a declaration; " + detail);
            }
        }
        return out;
    }
}
