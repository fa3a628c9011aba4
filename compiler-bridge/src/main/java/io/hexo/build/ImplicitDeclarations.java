package io.hexo.build;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Old C calls functions it never declared: clang then assumes `int f()`, with the arguments of the call. On a
 * native ABI a call to a `void` or `double` function through that declaration still reaches it; in wasm the
 * call's signature must match the function's exactly, or wasm-ld makes it a trap. When the two differ only in
 * the result, an old-style declaration with the real result type (`double half();`), included into the
 * calling file, makes the call exactly what the function is, whatever its arguments were. This decides,
 * from wasm-ld's mismatches and the calls clang saw undeclared, which file gets which declarations.
 */
final class ImplicitDeclarations {
    /** A declaration for a calling object, and the sentence that tells the user. */
    record Declaration(String callerObject, String function, String declaration, String definedIn) {}

    private static final Map<String, String> C_RESULT = Map.of("void", "void", "i32", "int", "i64", "long long", "f32", "float", "f64", "double");

    private ImplicitDeclarations() {}

    /**
     * @param undeclaredByObject for each program object, the functions its source called without a declaration
     */
    static List<Declaration> plan(List<SignatureMismatches.Mismatch> mismatches, Map<String, Set<String>> undeclaredByObject) {
        // First the real signature of each function, from a pair where one side called it undeclared and the
        // other did not (wasm-ld reports each conflict against the first signature it saw, so a third file
        // calling it undeclared may not be in any pair: it gets the declaration all the same).
        Map<String, String[]> definitions = new LinkedHashMap<>();
        for (SignatureMismatches.Mismatch m : mismatches) {
            boolean aCalls = calls(undeclaredByObject, m.objectA(), m.function()), bCalls = calls(undeclaredByObject, m.objectB(), m.function());
            if (aCalls == bCalls) continue;
            String[] call = (aCalls ? m.signatureA() : m.signatureB()).split(" -> ");
            String[] definition = (aCalls ? m.signatureB() : m.signatureA()).split(" -> ");
            if (call.length != 2 || definition.length != 2 || !call[0].equals(definition[0])) continue; // arguments differ: nothing to declare
            String result = C_RESULT.get(definition[1].trim());
            if (result != null) definitions.putIfAbsent(m.function(), new String[] {result + " " + m.function() + "();", aCalls ? m.objectB() : m.objectA()});
        }
        List<Declaration> plan = new ArrayList<>();
        for (var object : undeclaredByObject.entrySet()) {
            for (var d : definitions.entrySet()) {
                if (object.getValue().contains(d.getKey())) plan.add(new Declaration(object.getKey(), d.getKey(), d.getValue()[0], d.getValue()[1]));
            }
        }
        return plan;
    }

    private static boolean calls(Map<String, Set<String>> undeclaredByObject, String object, String function) {
        return undeclaredByObject.getOrDefault(object, Set.of()).contains(function);
    }

    /** The header a calling object's source is compiled with the second time. */
    static String header(List<Declaration> forOneObject) {
        StringBuilder b = new StringBuilder("/* hexo: functions this file calls without a declaration, with their real result types */\n");
        for (Declaration d : forOneObject) b.append(d.declaration()).append('\n');
        return b.toString();
    }
}
