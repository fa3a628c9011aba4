package io.hexo.e2e;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.run.Outcome;
import org.junit.BeforeClass;
import org.junit.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** A guest that faults is reported — what it did and in which function — on both ISAs; the VMM survives. */
public class GuestTrapsTest {
    private static Path images;

    @BeforeClass
    public static void build() {
        images = Hexo.program("traps", Map.of("traps.c", String.join("\n",
                "#include <stdio.h>",
                "#include <stdlib.h>",
                "#include <string.h>",
                "__attribute__((noinline)) int divide(int a, int b) { return a / b; }",
                "__attribute__((noinline)) void poke_far(void) { *(volatile int *)0xF0000000u = 1; }",
                "__attribute__((noinline)) int recurse(int n) { volatile int pad[4] = {n}; return recurse(n + 1) + pad[0]; }",
                "int main(int argc, char **argv) {",
                "    const char *what = argv[1];",
                "    printf(\"before %s\\n\", what); fflush(stdout);",
                "    if (!strcmp(what, \"div\")) return divide(1, argc - 2);",
                "    if (!strcmp(what, \"far\")) poke_far();",
                "    if (!strcmp(what, \"abort\")) abort();",
                "    if (!strcmp(what, \"stack\")) return recurse(0);",
                "    return 0;",
                "}", "")), false);
    }

    private Outcome.Trapped trap(Isa isa, String what) {
        Hexo.Run r = Hexo.run(images, isa, Hexo.options().args(what).mem(256L << 20));
        assertTrue(what + " on " + isa + ": " + r.outcome(), r.outcome() instanceof Outcome.Trapped);
        assertEquals("before " + what + "\n", r.stdout());
        assertEquals(Outcome.STATUS_TRAP, r.status());
        return (Outcome.Trapped) r.outcome();
    }

    @Test
    public void divisionByZeroIsReportedWithItsFunction() {
        for (Isa isa : Isa.values()) {
            Outcome.Trapped t = trap(isa, "div");
            assertEquals(Abi.TRAP_DIV_BY_ZERO, t.kind());
            assertEquals(t.message(), "divide", t.function());
            assertTrue(t.message(), t.message().startsWith("the guest divided an integer by zero in function divide"));
        }
    }

    @Test
    public void accessOutsideGuestMemoryIsReported() {
        for (Isa isa : Isa.values()) {
            Outcome.Trapped t = trap(isa, "far");
            assertEquals(t.message(), Abi.TRAP_OUT_OF_BOUNDS, t.kind());
            assertEquals(t.message(), "poke_far", t.function());
        }
    }

    @Test
    public void abortIsReported() {
        for (Isa isa : Isa.values()) assertEquals(Abi.TRAP_UNREACHABLE, trap(isa, "abort").kind());
    }

    @Test
    public void runawayRecursionIsReportedAsStackExhaustion() {
        for (Isa isa : Isa.values()) {
            Outcome.Trapped t = trap(isa, "stack");
            assertTrue(t.message(), t.kind() == Abi.TRAP_STACK_EXHAUSTED || t.kind() == Abi.TRAP_OUT_OF_BOUNDS);
        }
    }
}
