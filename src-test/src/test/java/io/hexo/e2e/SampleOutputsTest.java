package io.hexo.e2e;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.run.Outcome;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

import java.util.ArrayList;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** Every sample gives its expected output, byte for byte, on both ISAs. */
@RunWith(Parameterized.class)
public class SampleOutputsTest {
    @Parameters(name = "{0} on {1}")
    public static List<Object[]> cases() {
        List<Object[]> c = new ArrayList<>();
        for (String s : List.of("stress-recursion", "stress-funcptr", "stress-malloc", "stress-float", "stress-files",
                "stress-ctor", "stress-args", "stress-bigheap", "hello-migrate", "stress-strcmp")) {
            for (Isa isa : Isa.values()) c.add(new Object[] {s, isa});
        }
        return c;
    }

    private final String sample;
    private final Isa isa;

    public SampleOutputsTest(String sample, Isa isa) {
        this.sample = sample;
        this.isa = isa;
    }

    @Test
    public void outputMatchesExpected() {
        Hexo.Options o = Hexo.options();
        if (sample.equals("stress-args")) o.args("a", "b c").env("HEXO_TEST=yes");
        Hexo.Run r = Hexo.run(Hexo.sample(sample), isa, o);
        assertEquals(r.stderr() + r.notices(), Hexo.expected(sample), r.stdout());
        assertEquals("exit status", sample.equals("stress-args") ? 3 : 0, r.status());
        assertTrue(r.outcome() instanceof Outcome.Exited);
    }
}
