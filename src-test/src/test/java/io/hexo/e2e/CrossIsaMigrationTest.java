package io.hexo.e2e;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.run.Outcome;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The cross-ISA equivalence suite: a program migrated at any of its migration points, in either
 * direction, or three times in a row, prints exactly what an unmigrated run prints and exits the same.
 */
@RunWith(Parameterized.class)
public class CrossIsaMigrationTest {
    @Parameters(name = "{0}")
    public static List<Object[]> samples() {
        List<Object[]> c = new ArrayList<>();
        for (String s : List.of("stress-recursion", "stress-funcptr", "stress-malloc", "stress-float", "stress-files",
                "stress-ctor", "stress-args", "stress-bigheap", "stress-strcmp")) c.add(new Object[] {s});
        return c;
    }

    private final String sample;

    public CrossIsaMigrationTest(String sample) {
        this.sample = sample;
    }

    private Hexo.Options base(Path workdir, Path ckpt) {
        Hexo.Options o = Hexo.options().workdir(workdir).checkpointDir(ckpt);
        if (sample.equals("stress-args")) o.args("a", "b c").env("HEXO_TEST=yes");
        return o;
    }

    private long totalPoints() {
        Hexo.Run r = Hexo.run(Hexo.sample(sample), Isa.X86_64, base(Hexo.tempDir("wd"), Hexo.tempDir("ck")));
        assertTrue(r.outcome() instanceof Outcome.Exited);
        assertTrue(sample + " has no migration point", r.pointsReached() > 0);
        return r.pointsReached();
    }

    /** Runs the hops: start on `first`, migrate at each point in turn, alternating ISAs, then finish. */
    private void hops(Isa first, long... points) {
        Path images = Hexo.sample(sample);
        Path wd = Hexo.tempDir("wd"), ck = Hexo.tempDir("ck");
        StringBuilder out = new StringBuilder();
        Isa isa = first;
        boolean resume = false;
        for (long p : points) {
            Hexo.Options o = base(wd, ck).migrateAt(p);
            if (resume) o.resume();
            Hexo.Run r = Hexo.run(images, isa, o);
            assertTrue(sample + " at point " + p + " on " + isa + ": " + r.outcome() + r.notices() + r.stderr(),
                    r.outcome() instanceof Outcome.Checkpointed);
            assertEquals(p, ((Outcome.Checkpointed) r.outcome()).pointsReached());
            out.append(r.stdout());
            isa = isa.other();
            resume = true;
        }
        Hexo.Run last = Hexo.run(images, isa, base(wd, ck).resume());
        out.append(last.stdout());
        assertEquals(last.outcome() + " " + last.notices() + last.stderr(), Hexo.expected(sample), out.toString());
        assertEquals(sample.equals("stress-args") ? 3 : 0, last.status());
    }

    @Test
    public void x86ToArmAtFirstMiddleAndLastPoint() {
        long n = totalPoints();
        for (long p : new long[] {1, Math.max(1, n / 2), n}) hops(Isa.X86_64, p);
    }

    @Test
    public void armToX86AtFirstMiddleAndLastPoint() {
        long n = totalPoints();
        for (long p : new long[] {1, Math.max(1, n / 2), n}) hops(Isa.AARCH64, p);
    }

    @Test
    public void threeHopPingPong() {
        long n = totalPoints();
        if (n >= 3) hops(Isa.X86_64, 1, Math.max(2, n / 2), n);
        else hops(Isa.X86_64, n);
    }
}
