package io.hexo.e2e;

import org.junit.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** The original's tutorial flow, typed as its users typed it, through resources/Makefile.template. */
public class MakefileTemplateTest {
    /** `VAR=value make TARGET`, as in the tutorial. */
    private static String make(Path dir, String... varsThenTarget) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("make", "--no-print-directory", varsThenTarget[varsThenTarget.length - 1]);
        for (int i = 0; i < varsThenTarget.length - 1; i++) {
            String[] kv = varsThenTarget[i].split("=", 2);
            pb.environment().put(kv[0], kv[1]);
        }
        Process p = pb.directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue("make timed out", p.waitFor(5, TimeUnit.MINUTES));
        assertEquals(out, 0, p.exitValue());
        return out;
    }

    @Test
    public void migtestTransferAndResumeOnTheBoard() throws Exception {
        Path dir = Hexo.tempDir("make");
        Files.copy(Hexo.HOME.resolve("resources/samples/hello-migrate/test.c"), dir.resolve("test.c"));
        Files.createSymbolicLink(dir.resolve("Makefile"), Hexo.HOME.resolve("resources/Makefile.template"));
        make(dir, "all");
        assertTrue(make(dir, "check").contains("match"));
        String x86 = make(dir, "MIGTEST=3", "test-x86");
        assertTrue(x86, x86.contains("checkpoint written"));
        for (String f : new String[] {"data.bin", "bss.bin", "heap.bin", "stack.bin.1", "tls.bin.1", "fds.bin", "mdata.bin"}) {
            assertTrue(f, Files.exists(dir.resolve(f)));
        }
        make(dir, "transfer-full-checkpoint-to-arm");
        String arm = make(dir, "RESUME=1", "test-arm");
        String all = x86 + arm;
        for (int i = 0; i < 10; i++) assertTrue(all, all.contains("Iteration " + i + "/10\n"));
        assertTrue(arm, arm.contains("Iteration 9/10"));
    }
}
