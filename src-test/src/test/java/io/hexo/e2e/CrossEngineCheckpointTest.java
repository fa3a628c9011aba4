package io.hexo.e2e;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.EngineChoice;
import io.hexo.vmm.guest.GuestConsole;
import io.hexo.vmm.run.Outcome;
import io.hexo.vmm.vm.Vm;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * Checkpoints cross every engine: a program hops KVM x86-64 → process AArch64 (qemu-user) → process
 * x86-64 (native) → KVM x86-64 → process AArch64, migrating at successive migration points, and prints
 * byte for byte what an unmigrated run prints. Where /dev/kvm does not work, its hops run on the
 * process engine (the matrix then proves the process engine alone).
 */
@RunWith(Parameterized.class)
public class CrossEngineCheckpointTest {
    @Parameters(name = "{0}")
    public static List<Object[]> samples() {
        List<Object[]> c = new ArrayList<>();
        for (String s : List.of("hello-migrate", "stress-recursion", "stress-bigheap", "stress-malloc")) c.add(new Object[] {s});
        return c;
    }

    record Hop(Isa isa, EngineChoice engine) {
        @Override
        public String toString() { return engine.name().toLowerCase() + " " + isa.displayName(); }
    }

    private static final EngineChoice X86_KVM = KvmRig.HOST_KVM ? EngineChoice.KVM : EngineChoice.PROCESS;
    private static final List<Hop> HOPS = List.of(new Hop(Isa.X86_64, X86_KVM), new Hop(Isa.AARCH64, EngineChoice.PROCESS),
            new Hop(Isa.X86_64, EngineChoice.PROCESS), new Hop(Isa.X86_64, X86_KVM), new Hop(Isa.AARCH64, EngineChoice.PROCESS));

    private final String sample;

    public CrossEngineCheckpointTest(String sample) {
        this.sample = sample;
    }

    record Run(Outcome outcome, String stdout, List<String> notices, long pointsReached) {}

    private Run run(Path images, Hop hop, Path wd, long migrateAt, boolean resume) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        List<String> notices = Collections.synchronizedList(new ArrayList<>());
        GuestConsole console = new GuestConsole(new ByteArrayInputStream(new byte[0]), out, err, notices::add, null);
        Vm vm = new Vm(new Vm.Config(images, hop.isa(), 1L << 30, List.of(), List.of(), wd, false, hop.engine(), wd, migrateAt, resume, console));
        Outcome outcome = vm.run();
        return new Run(outcome, out.toString(StandardCharsets.UTF_8), notices, vm.pointsReached());
    }

    @Test
    public void pingPongThroughEveryEngineGivesTheUnmigratedOutput() {
        Path images = Hexo.sample(sample);
        Run plain = run(images, new Hop(Isa.X86_64, EngineChoice.PROCESS), Hexo.tempDir("wd"), 0, false);
        assertTrue(plain.outcome() + " " + plain.notices(), plain.outcome() instanceof Outcome.Exited);
        long n = plain.pointsReached();
        assertTrue(sample + " has too few migration points for the matrix: " + n, n >= HOPS.size() - 1);

        Path wd = Hexo.tempDir("wd");
        StringBuilder out = new StringBuilder();
        List<String> engines = new ArrayList<>();
        for (int i = 0; i < HOPS.size(); i++) {
            Hop hop = HOPS.get(i);
            boolean last = i == HOPS.size() - 1;
            long point = last ? 0 : 1 + i * (n - 1) / (HOPS.size() - 2); // increasing, within [1, n]
            Run r = run(images, hop, wd, point, i > 0);
            engines.add(hop + ": " + r.notices().get(0));
            String where = sample + " hop " + i + " (" + hop + ", point " + point + "): " + r.outcome() + " " + r.notices();
            if (last) {
                assertEquals(where, plain.outcome(), r.outcome());
            } else {
                assertTrue(where, r.outcome() instanceof Outcome.Checkpointed);
                assertEquals(where, point, ((Outcome.Checkpointed) r.outcome()).pointsReached());
            }
            out.append(r.stdout());
        }
        assertEquals(String.join("\n", engines), plain.stdout(), out.toString());
        assertEquals(Hexo.expected(sample), plain.stdout());
    }
}
