package io.hexo.e2e;

import io.hexo.vmm.abi.Isa;
import org.junit.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.Assert.assertEquals;

/**
 * Copies large enough for the guest kernel's `rep movsb` path on x86-64 (16 MiB and up, see
 * resources/guest/common/libc.c): wasm's memory.copy must still be memmove, for disjoint ranges at odd
 * offsets and for overlapping ones in both directions, on both ISAs.
 */
public class LargeCopiesTest {
    private static final String PROGRAM = String.join("\n",
            "#include <stdio.h>",
            "#include <stdlib.h>",
            "#include <string.h>",
            "#define N ((24u << 20) + 5)",
            "static unsigned char f(size_t i) { return (unsigned char)(i * 7 + (i >> 13)); }",
            "static const char *check(const unsigned char *p, size_t from) {",
            "    for (size_t i = 0; i < N; i++) if (p[i] != f(from + i)) return \"WRONG\";",
            "    return \"ok\";",
            "}",
            "int main(void) {",
            "    unsigned char *a = malloc(N + 64), *b = malloc(N + 64);",
            "    for (size_t i = 0; i < N + 64; i++) a[i] = f(i);",
            "    memcpy(b + 3, a + 1, N);",
            "    printf(\"disjoint %s\\n\", check(b + 3, 1));",
            "    memmove(a + 1, a + 9, N);",
            "    printf(\"overlapping, to a lower address %s\\n\", check(a + 1, 9));",
            "    memmove(a + 17, a + 1, N);",
            "    printf(\"overlapping, to a higher address %s\\n\", check(a + 17, 9));",
            "    return 0;",
            "}", "");

    @Test
    public void largeCopiesAreMemmoveOnBothIsas() {
        Path images = Hexo.program("large-copies", Map.of("main.c", PROGRAM), false);
        for (Isa isa : Isa.values()) {
            Hexo.Run r = Hexo.run(images, isa, Hexo.options());
            assertEquals(isa + ": " + r.outcome() + " " + r.notices(),
                    "disjoint ok\noverlapping, to a lower address ok\noverlapping, to a higher address ok\n", r.stdout());
        }
    }
}
