package io.hexo.e2e;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.EngineChoice;
import io.hexo.vmm.run.Outcome;
import org.junit.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * `--resume` starts the guest before its memory is read (LazyMemory): pages are verified and installed
 * as they are first touched — userfaultfd on KVM, the loader's SIGSEGV handler on the process engine,
 * natively and under qemu-user — and a damaged page stops the run before anything reaches the outside.
 */
public class LazyResumeTest {
    private static final Path IS = Hexo.sample("npb-is", "-DCLASS=S");

    private record Engine(Isa isa, EngineChoice choice) {}

    /**
     * Every engine this host offers: the process engine for both ISAs, and KVM for x86-64 where this host has
     * it; where it has not, the KVM cases run in the x86 rig ({@link KvmRig}).
     */
    private static final Engine[] ENGINES = KvmRig.HOST_KVM
            ? new Engine[] {new Engine(Isa.X86_64, EngineChoice.KVM), new Engine(Isa.X86_64, EngineChoice.PROCESS), new Engine(Isa.AARCH64, EngineChoice.PROCESS)}
            : new Engine[] {new Engine(Isa.X86_64, EngineChoice.PROCESS), new Engine(Isa.AARCH64, EngineChoice.PROCESS)};

    /** `hexo run --isa x86 --engine kvm --resume` of a checkpoint in the x86 rig. */
    private static KvmRig.Result resumeInRig(Path images, Path ck) throws Exception {
        return KvmRig.hexo(KvmRig.X86, ck, "run", "--isa", "x86", "--engine", "kvm", "--resume", "--checkpoint-dir", ck.toString(),
                "--workdir", ck.toString(), images.toString());
    }

    private static Path checkpoint(Path images, Isa isa, long point) {
        Path ck = Hexo.tempDir("lazy");
        Hexo.Run r = Hexo.run(images, isa, Hexo.options().checkpointDir(ck).migrateAt(point));
        assertEquals(r.stderr() + r.notices(), 75, r.status());
        return ck;
    }

    private static Path copy(Path ck) {
        return Hexo.copyOfDir(ck, "lazy-copy");
    }

    /** A copy of ck with one bit of a page of heap.bin flipped: its bytes, not its index, so found only when the page is read. */
    private static Path damaged(Path ck) throws IOException {
        Path c = copy(ck);
        try (RandomAccessFile f = new RandomAccessFile(c.resolve("heap.bin").toFile(), "rw")) {
            f.seek(f.length() - 5000);
            int b = f.read();
            f.seek(f.length() - 5000);
            f.write(b ^ 0x20);
        }
        return c;
    }

    @Test
    public void npbIsResumedOnEveryEngineFromBothIsasPrintsTheUnmigratedResult() throws Exception {
        String whole = Hexo.run(IS, Isa.X86_64, Hexo.options()).stdout();
        String expectedTail = whole.substring(whole.indexOf("        5\n"));
        for (Isa from : new Isa[] {Isa.X86_64, Isa.AARCH64}) {
            Path ck = checkpoint(IS, from, 5);
            for (Engine to : ENGINES) {
                Hexo.Run r = Hexo.run(IS, to.isa(), Hexo.options().engine(to.choice()).checkpointDir(copy(ck)).resume());
                String label = from.displayName() + " -> " + to + ": ";
                assertEquals(label + r.stderr() + r.notices(), 0, r.status());
                // Times differ from run to run; the iterations, keys and the verification do not.
                assertEquals(label, strip(expectedTail), strip(r.stdout().substring(r.stdout().indexOf("        5\n"))));
                assertTrue(label + r.stdout(), r.stdout().matches("(?s).*Verification\\s+=\\s+SUCCESSFUL.*"));
            }
            if (!KvmRig.HOST_KVM) {
                KvmRig.Result r = resumeInRig(IS, copy(ck));
                String label = from.displayName() + " -> KVM x86-64 in the rig: ";
                assertEquals(label + r.log(), 0, r.status());
                assertTrue(label + r.log(), r.log().contains("hexo: engine: KVM for the x86-64 guest"));
                assertEquals(label + r.log(), strip(expectedTail), strip(r.stdout().substring(r.stdout().indexOf("        5\n"))));
            }
        }
    }

    private static String strip(String out) {
        return out.lines().filter(l -> !l.contains("Time in seconds") && !l.contains("Mop/s") && !l.contains("Compile date")
                && !l.contains("Run on")).reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    public void aDamagedPageFoundAfterTheGuestStartedStopsItBeforeAnythingGetsOut() throws Exception {
        Path good = checkpoint(Hexo.sample("stress-malloc"), Isa.X86_64, 3);
        if (!KvmRig.HOST_KVM) {
            KvmRig.Result r = resumeInRig(Hexo.sample("stress-malloc"), damaged(good));
            assertTrue("KVM in the rig: " + r.log(), r.status() != 0 && r.log().matches("(?s).*hexo: heap\\.bin in .* is damaged \\(page \\d+ fails its checksum\\).*"));
            assertEquals("KVM in the rig: nothing the guest computed got out: " + r.log(), "", r.stdout());
        }
        for (Engine to : ENGINES) {
            Path c = damaged(good);
            Hexo.Run r = Hexo.run(Hexo.sample("stress-malloc"), to.isa(), Hexo.options().engine(to.choice()).checkpointDir(c).resume());
            assertTrue(to + ": " + r.outcome(), r.outcome() instanceof Outcome.Failed);
            String msg = ((Outcome.Failed) r.outcome()).message();
            assertTrue(to + ": " + msg, msg.matches("heap\\.bin in .* is damaged \\(page \\d+ fails its checksum\\).*") && !msg.contains("\n"));
            assertEquals(to + ": nothing the guest computed got out", "", r.stdout());
        }
    }
}
