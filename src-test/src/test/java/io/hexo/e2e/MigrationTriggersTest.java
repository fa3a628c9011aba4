package io.hexo.e2e;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.run.Outcome;
import org.junit.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** The original's triggers: SIGUSR1 to the hypervisor process, and the guest's own force_migration_flag(1). */
public class MigrationTriggersTest {
    @Test
    public void sigusr1ToHexoMigratesAtTheNextPoint() throws Exception {
        Path images = Hexo.sample("hello-migrate"), ck = Hexo.tempDir("usr1");
        Path out = ck.resolve("x86.out"), err = ck.resolve("x86.err");
        Process p = new ProcessBuilder(Hexo.HOME.resolve("hexo").toString(), "run", "--isa", "x86", "--checkpoint-dir", ck.toString(),
                "--workdir", ck.toString(), images.toString()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        // Wait for the program to print its third line, then signal the hexo JVM (the launcher execs it).
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline && p.isAlive() && !Files.readString(out).contains("Iteration 2/10")) Thread.sleep(50);
        new ProcessBuilder("kill", "-USR1", Long.toString(p.pid())).start().waitFor();
        assertTrue("hexo did not stop after SIGUSR1", p.waitFor(3, TimeUnit.MINUTES));
        assertEquals(Files.readString(err), 75, p.exitValue());
        assertTrue(Files.readString(err), Files.readString(err).contains("checkpoint written to " + ck));
        Hexo.Run rest = Hexo.run(images, Isa.AARCH64, Hexo.options().checkpointDir(ck).workdir(ck).resume());
        assertEquals(Hexo.expected("hello-migrate"), Files.readString(out) + rest.stdout());
    }

    @Test
    public void theGuestForcesItsOwnMigration() {
        Path images = Hexo.sample("postcopy-100mb"), ck = Hexo.tempDir("forced");
        Hexo.Run first = Hexo.run(images, Isa.X86_64, Hexo.options().checkpointDir(ck).workdir(ck));
        assertTrue(first.outcome().toString(), first.outcome() instanceof Outcome.Checkpointed);
        Hexo.Run rest = Hexo.run(images, Isa.AARCH64, Hexo.options().checkpointDir(ck).workdir(ck).resume());
        assertEquals(0, rest.status());
        assertEquals(Hexo.expected("postcopy-100mb"), first.stdout() + rest.stdout());
    }
}
