package io.hexo.e2e;

import org.junit.Assume;
import org.junit.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * A host whose /dev/kvm does not work runs x86-64 guests as native processes, and the run's first line
 * says so and why. Simulated, as root, in a private mount namespace where /dev/kvm is /dev/null.
 */
public class KvmFallbackTest {
    @Test
    public void withoutWorkingKvmTheX86GuestRunsAsANativeProcessAndTheFirstLineSaysWhy() throws Exception {
        Assume.assumeTrue("needs root and unshare(1) for a mount namespace",
                "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/unshare")));
        Path images = Hexo.sample("hello-migrate");
        Path wd = Hexo.tempDir("wd");
        String hexo = Hexo.HOME.resolve("hexo").toString();
        // A host with /dev/kvm hides it behind /dev/null in a mount namespace of the run's own; a host without
        // one (kvm_pvm refuses to load under PTI) is already the case to test.
        String hide = Files.exists(Path.of("/dev/kvm")) ? "mount --bind /dev/null /dev/kvm && " : "";
        Process p = new ProcessBuilder("/usr/bin/unshare", "-m", "sh", "-c",
                hide + "exec \"$0\" run --isa x86 \"$1\"", hexo, images.toString())
                .directory(wd.toFile()).redirectError(wd.resolve("err").toFile()).redirectOutput(wd.resolve("out").toFile()).start();
        p.getOutputStream().close();
        assertTrue("hexo did not finish", p.waitFor(5, TimeUnit.MINUTES));
        String err = Files.readString(wd.resolve("err")), out = Files.readString(wd.resolve("out"));
        assertEquals(err, 0, p.exitValue());
        assertEquals(err, Hexo.expected("hello-migrate"), out);
        String first = err.lines().filter(l -> l.startsWith("hexo:")).findFirst().orElse("");
        assertTrue(err, first.startsWith("hexo: engine: process (native) for the x86-64 guest; KVM is not usable here: /dev/kvm "));
    }
}
