package io.hexo.e2e;

import org.junit.Test;

import java.nio.file.Path;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** Bad input gets one clear sentence on stderr, never a stack trace. */
public class CliTest {
    private static final Path IMAGES = Hexo.sample("stress-args");

    private static void oneSentence(Hexo.Cli c, int status, String fragment) {
        assertEquals(c.stderr(), status, c.status());
        assertTrue(c.stderr(), c.stderr().contains(fragment));
        assertFalse(c.stderr(), c.stderr().contains("Exception") || c.stderr().contains("\tat "));
        assertTrue("one line: " + c.stderr(), c.stderr().strip().lines().filter(l -> l.startsWith("hexo:") && !l.contains("/dev/kvm")).count() == 1);
    }

    @Test
    public void everyCommandHasHelp() {
        for (String cmd : new String[] {"build", "run", "check", "inspect", "transfer"}) {
            Hexo.Cli c = Hexo.cli(IMAGES, cmd, "--help");
            assertEquals(cmd, 0, c.status());
            assertTrue(c.stdout(), c.stdout().startsWith("Usage: hexo " + cmd));
        }
    }

    @Test
    public void badMemoryFormat() {
        oneSentence(Hexo.cli(IMAGES, "run", "--isa", "x86", "--mem", "lots", "."), 2, "MEM 'lots' is not a memory size");
    }

    @Test
    public void memoryTooSmall() {
        oneSentence(Hexo.cli(IMAGES, "run", "--isa", "arm", "--mem", "8M", "."), 2, "MEM=8M is too small for this program");
    }

    @Test
    public void unknownIsa() {
        oneSentence(Hexo.cli(IMAGES, "run", "--isa", "sparc", "."), 2, "unknown ISA 'sparc'");
    }

    @Test
    public void missingImages() {
        oneSentence(Hexo.cli(IMAGES, "run", "--isa", "arm", "nowhere"), 2, "does not exist: build it first with `hexo build`");
    }

    @Test
    public void resumeWithoutCheckpoint() {
        Path empty = Hexo.tempDir("empty");
        oneSentence(Hexo.cli(IMAGES, "run", "--isa", "arm", "--resume", "--checkpoint-dir", empty.toString(), "."), 2,
                "holds no complete checkpoint");
    }

    @Test
    public void missingWorkdir() {
        oneSentence(Hexo.cli(IMAGES, "run", "--isa", "arm", "--workdir", "no-such-dir", "."), 2,
                "the working directory no-such-dir does not exist");
    }

    @Test
    public void buildOfAMissingDirectory() {
        oneSentence(Hexo.cli(IMAGES, "build", "no-such-dir"), 1, "no-such-dir is not a directory");
    }

    @Test
    public void guestOutputOnStdoutAndHexoOnStderr() {
        Hexo.Cli c = Hexo.cli(IMAGES, "run", "--isa", "arm", "--args", "a 'b c'", "--env", "HEXO_TEST=yes", ".");
        assertEquals(3, c.status());
        assertEquals(Hexo.expected("stress-args"), c.stdout());
    }

    @Test
    public void migrationOptionsAreValidated() {
        oneSentence(Hexo.cli(IMAGES, "run", "--isa", "x86", "--migrate-after", "NaN", "."), 2, "--migrate-after NaN is not a number of seconds");
        oneSentence(Hexo.cli(IMAGES, "run", "--isa", "x86", "--migrate-after", "1e308", "."), 2, "is not a number of seconds between 0 and");
        oneSentence(Hexo.cli(IMAGES, "run", "--isa", "x86", "--migrate-after", "-1", "."), 2, "is not a number of seconds");
        oneSentence(Hexo.cli(IMAGES, "run", "--isa", "x86", "--migrate-at-point", "0", "."), 2, "migration points count from 1");
    }

    @Test
    public void moreMemoryThanTheMachineHasIsOneSentence() {
        oneSentence(Hexo.cli(IMAGES, "run", "--isa", "x86", "--mem", "9223372036854775807", "."), 2, "is more than this machine's memory");
        oneSentence(Hexo.cli(IMAGES, "run", "--isa", "arm", "--mem", "64T", "."), 2, "is more than this machine's memory");
    }

    @Test
    public void aMigrationRequestOnAProgramWithoutMigrationPointsIsReported() {
        Path images = Hexo.program("no-migration-points", java.util.Map.of("spin.c", """
                #include <stdio.h>
                extern void sys_msleep(int ms);
                int main(void) { sys_msleep(1500); puts("done"); return 0; }
                """), false);
        Hexo.Cli c = Hexo.cli(images, "run", "--isa", "x86", "--migrate-after", "0.2", ".");
        assertEquals(c.stderr(), 0, c.status());
        assertEquals("done\n", c.stdout());
        assertTrue(c.stderr(), c.stderr().contains("a migration was requested, but the program passed no migration point"));
        Hexo.Cli late = Hexo.cli(IMAGES, "run", "--isa", "x86", "--migrate-at-point", "1000000", ".");
        assertTrue(late.stderr(), late.stderr().contains("before point 1000000: nothing was migrated"));
    }
}
