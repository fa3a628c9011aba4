package io.hexo.build;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

/** Which calling file gets which declaration, from wasm-ld's mismatches. */
public class ImplicitDeclarationsTest {
    @Test
    public void theResultTypeComesFromTheDefinitionAndEveryUndeclaredCallerGetsIt() {
        List<SignatureMismatches.Mismatch> mismatches = List.of(
                new SignatureMismatches.Mismatch("half", "(i32) -> i32", "a.c.o", "(i32) -> f64", "half.c.o"),
                new SignatureMismatches.Mismatch("hello", "(i32) -> void", "hello.c.o", "(i32) -> i32", "a.c.o"),
                // the arguments differ (a float passed as double): no declaration can mend that
                new SignatureMismatches.Mismatch("twice", "(f64) -> i32", "a.c.o", "(f32) -> f32", "twice.c.o"),
                // neither side called it undeclared: a wrong explicit declaration, not hexo's to fix
                new SignatureMismatches.Mismatch("other", "() -> i32", "b.c.o", "() -> void", "other.c.o"));
        Map<String, Set<String>> undeclared = new java.util.LinkedHashMap<>();
        undeclared.put("a.c.o", Set.of("half", "hello", "twice"));
        undeclared.put("b.c.o", Set.of("half"));
        undeclared.put("half.c.o", Set.of());
        List<ImplicitDeclarations.Declaration> plan = ImplicitDeclarations.plan(mismatches, undeclared);
        assertEquals(3, plan.size());
        assertEquals(List.of("a.c.o", "a.c.o", "b.c.o"), plan.stream().map(ImplicitDeclarations.Declaration::callerObject).toList());
        assertEquals(Set.of("double half();", "void hello();"), Set.copyOf(plan.stream().map(ImplicitDeclarations.Declaration::declaration).toList()));
        assertEquals(new ImplicitDeclarations.Declaration("b.c.o", "half", "double half();", "half.c.o"), plan.get(2));
        assertEquals("/* hexo: functions this file calls without a declaration, with their real result types */\ndouble half();\n",
                ImplicitDeclarations.header(List.of(plan.get(2))));
    }
}
