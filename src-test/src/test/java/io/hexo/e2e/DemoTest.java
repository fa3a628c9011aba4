package io.hexo.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.hexo.vmm.kvm.KvmSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * README's first command, as a test: tools/demo.sh builds NPB IS for both ISAs, starts it on x86-64
 * (this host's KVM when it has one), migrates at a migration point — so it moves on fast and slow hosts
 * alike — and verifies it on the ARM64 board. Only the install step is skipped: the suite just ran it.
 */
public class DemoTest {
    @Test
    public void npbIsStartsOnX86MigratesAndVerifiesOnTheBoard() throws IOException, InterruptedException {
        Path dir = Hexo.WORK.resolve("demo");
        Path log = Hexo.WORK.resolve("demo.log");
        Files.createDirectories(Hexo.WORK);
        ProcessBuilder pb = new ProcessBuilder(Hexo.HOME.resolve("tools/demo.sh").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("HEXO_SKIP_INSTALL", "1");
        pb.environment().put("DEMO_DIR", dir.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("tools/demo.sh did not finish in 15 minutes:\n" + Files.readString(log));
        }
        String out = Files.readString(log);
        assertEquals(out, 0, p.exitValue());
        assertTrue(out, out.contains("checkpoint written"));
        assertTrue(out, Pattern.compile("Verification += +SUCCESSFUL").matcher(out).find());
        assertTrue(out, out.contains("hexo demo: NPB IS class A started on x86-64, moved to the ARM64 board, and verified there."));
        String manifest = Files.readString(dir.resolve("x86/mdata.bin"), StandardCharsets.ISO_8859_1);
        if (Files.exists(Path.of(KvmSystem.DEVICE))) {
            assertTrue("the x86 half ran on this host's KVM: " + manifest, manifest.contains("\"engine\": \"KVM"));
        }
    }
}
