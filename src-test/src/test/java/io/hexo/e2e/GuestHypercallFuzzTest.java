package io.hexo.e2e;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.run.Outcome;
import org.junit.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Fuzzing through the whole real path — WASI shim, doorbell, engine, hypercall table — on both ISAs
 * (so the ARM64 board too): a guest makes 20 000 WASI calls with random descriptors, lengths
 * and addresses (valid, at the edge of memory, far outside it). The VMM must survive, refuse what is
 * bad, create nothing outside the working directory, and behave identically on both ISAs.
 */
public class GuestHypercallFuzzTest {
    private static final String PROGRAM = String.join("\n",
            "#include <stdio.h>",
            "#include <stdint.h>",
            "#include <wasi/api.h>",
            "static uint32_t seed = 12345;",
            "static uint32_t rnd(void) { seed = seed * 1103515245u + 12345u; return seed >> 1; }",
            "static char buf[8192];",
            "/* An address and length that either stay inside buf or leave memory: anything else would let the",
            " * VMM legitimately write over this program's own data. */",
            "static uint32_t span;",
            "static uint32_t addr(void) {",
            "    uint32_t end = (uint32_t)__builtin_wasm_memory_size(0) * 65536u;",
            "    uint32_t k = rnd() % 4;",
            "    span = k == 0 ? 0 : k == 1 ? rnd() % 64 : k == 2 ? rnd() % 100000 : rnd();",
            "    switch (rnd() % 4) {",
            "    case 0: { uint32_t off = rnd() % (sizeof buf - 64); /* room for the fixed-size results */ if (span > sizeof buf - off) span = sizeof buf - off; return (uint32_t)(uintptr_t)buf + off; }",
            "    case 1: span += 64; return end - rnd() % 64;  /* straddles the end */",
            "    case 2: return 0xfffffff0u;",
            "    default: return end + rnd() % 0x40000000u;",
            "    }",
            "}",
            "static uint32_t len(void) { return span; }",
            "static const char *paths[] = {\"f1.txt\", \"f2.txt\", \"../escape.txt\", \"/abs.txt\", \"dir/x\", \"\", \"a/../f1.txt\", \"..\"};",
            "int main(void) {",
            "    unsigned counts[80] = {0};",
            "    for (int i = 0; i < 20000; i++) {",
            "        __wasi_fd_t fd = 3 + rnd() % 8;",
            "        __wasi_errno_t e;",
            "        switch (rnd() % 12) {",
            "        case 0: { __wasi_fd_t out; e = __wasi_path_open(3, 0, paths[rnd() % 8], rnd() % 16, rnd(), rnd(), rnd() % 32, &out); break; }",
            "        case 1: { uint32_t a = addr(); __wasi_ciovec_t v = {(const uint8_t *)(uintptr_t)a, len()}; __wasi_size_t n; e = __wasi_fd_write(fd, &v, 1, &n); break; }",
            "        case 2: { uint32_t a = addr(); __wasi_iovec_t v = {(uint8_t *)(uintptr_t)a, len()}; __wasi_size_t n; e = __wasi_fd_read(fd, &v, 1, &n); break; }",
            "        case 3: { __wasi_filesize_t n; e = __wasi_fd_seek(fd, (int64_t)rnd() - (1 << 30), rnd() % 4, &n); break; }",
            "        case 4: e = __wasi_fd_close(fd); break;",
            "        case 5: e = __wasi_path_unlink_file(3, paths[rnd() % 8]); break;",
            "        case 6: e = __wasi_fd_filestat_get(fd, (__wasi_filestat_t *)(uintptr_t)addr()); break;",
            "        case 7: e = __wasi_path_filestat_get(3, 0, paths[rnd() % 8], (__wasi_filestat_t *)(uintptr_t)addr()); break;",
            "        case 8: { uint32_t a = addr(); e = __wasi_random_get((uint8_t *)(uintptr_t)a, len()); break; }",
            "        case 9: e = __wasi_fd_fdstat_get(rnd() % 12, (__wasi_fdstat_t *)(uintptr_t)addr()); break;",
            "        case 10: { __wasi_timestamp_t t; e = __wasi_clock_time_get(rnd() % 6, 0, rnd() % 2 ? &t : (__wasi_timestamp_t *)(uintptr_t)addr()); break; }",
            "        default: { __wasi_prestat_t p; e = __wasi_fd_prestat_get(rnd() % 6, &p); break; }",
            "        }",
            "        counts[e < 80 ? e : 79]++;",
            "    }",
            "    for (int i = 0; i < 80; i++) if (counts[i]) printf(\"errno %d: %u\\n\", i, counts[i]);",
            "    printf(\"fuzz done: 20000 calls\\n\");",
            "    return 0;",
            "}", "");

    @Test
    public void twentyThousandRandomCallsOnEachIsa() throws Exception {
        Path images = Hexo.program("fuzz", Map.of("fuzz.c", PROGRAM), false);
        String first = null;
        for (Isa isa : Isa.values()) {
            Path parent = Hexo.tempDir("fuzz"), wd = Files.createDirectory(parent.resolve("wd"));
            long t0 = System.nanoTime();
            Hexo.Run r = Hexo.run(images, isa, Hexo.options().workdir(wd).mem(256L << 20));
            double s = (System.nanoTime() - t0) / 1e9;
            assertTrue(isa + ": " + r.outcome() + " " + r.stderr(), r.outcome() instanceof Outcome.Exited);
            assertTrue(r.stdout(), r.stdout().endsWith("fuzz done: 20000 calls\n"));
            try (Stream<Path> s1 = Files.list(parent)) {
                assertEquals("nothing may appear beside the working directory", 1, s1.count());
            }
            System.out.printf("guest fuzz on %s: 20000 WASI calls in %.2f s%n", isa.displayName(), s);
            if (first == null) first = r.stdout();
            else assertEquals("both ISAs answer every call the same way", first, r.stdout());
        }
    }
}
