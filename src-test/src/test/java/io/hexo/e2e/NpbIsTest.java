package io.hexo.e2e;

import io.hexo.vmm.abi.Isa;
import org.junit.Test;

import java.nio.file.Path;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** NPB IS verifies itself on both ISAs, and after moving between them mid-sort. */
public class NpbIsTest {
    private static final Path IS = Hexo.sample("npb-is", "-DCLASS=S");

    @Test
    public void classSVerifiesOnBothIsas() {
        for (Isa isa : Isa.values()) {
            Hexo.Run r = Hexo.run(IS, isa, Hexo.options());
            assertEquals(r.stderr() + r.notices(), 0, r.status());
            assertTrue(r.stdout(), r.stdout().matches("(?s).*Verification\\s+=\\s+SUCCESSFUL.*"));
            assertTrue(r.stdout(), r.stdout().contains("IS Benchmark") && r.stdout().contains("class S"));
        }
    }

    @Test
    public void classSVerifiesAfterMigratingX86ToArmMidSort() {
        Path ck = Hexo.tempDir("npb");
        Hexo.Run first = Hexo.run(IS, Isa.X86_64, Hexo.options().checkpointDir(ck).migrateAt(5));
        assertEquals(first.stderr() + first.notices(), 75, first.status());
        Hexo.Run second = Hexo.run(IS, Isa.AARCH64, Hexo.options().checkpointDir(ck).resume());
        assertEquals(second.stderr() + second.notices(), 0, second.status());
        String all = first.stdout() + second.stdout();
        assertTrue(all, all.matches("(?s).*\\n\\s+4\\n\\s+5\\n\\s+6\\n.*Verification\\s+=\\s+SUCCESSFUL.*"));
    }
}
