package io.hexo.vmm.unicorn;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.engine.Engine;
import io.hexo.vmm.engine.EngineUnavailableException;
import io.hexo.vmm.memory.GuestMemory;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * Without a usable libunicorn.so.2 both engines refuse to start with one sentence a user can act on.
 * Simulated in a child JVM whose library path finds a library without the uc_* functions first.
 */
public class UnicornUnavailableTest {
    /** Child JVM: tries both engines, prints each exception's class and message. */
    public static void main(String[] args) {
        try (GuestMemory m = GuestMemory.allocate(8 << 20)) {
            Engine.Setup setup = new Engine.Setup(m, new io.hexo.vmm.engine.GuestLayout(8 << 20, Abi.IMAGE_BASE,
                    0x600000, 0x400000, 0x400000, 0x300000, 0x400000, 0));
            for (String isa : new String[] {"arm", "x86"}) {
                try {
                    Engine e = isa.equals("arm") ? UnicornArm64Engine.create(setup) : UnicornX86Engine.create(setup);
                    e.close();
                    System.out.println(isa + " started");
                } catch (EngineUnavailableException e) {
                    System.out.println(isa + " unavailable: " + e.getMessage());
                } catch (Throwable t) {
                    System.out.println(isa + " other: " + t);
                }
            }
        }
    }

    @Test
    public void missingLibraryIsOneActionableSentence() throws Exception {
        Path dir = Files.createTempDirectory("hexo-no-unicorn");
        try {
            // A real shared library that is not Unicorn, under Unicorn's names.
            Path libm = Path.of("/lib/x86_64-linux-gnu/libm.so.6");
            if (!Files.exists(libm)) libm = Path.of("/lib/aarch64-linux-gnu/libm.so.6");
            assertTrue("no libm to stand in for libunicorn", Files.exists(libm));
            for (String name : List.of("libunicorn.so.2", "libunicorn.so")) {
                Files.copy(libm, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // "system": not the 2.1.1 that tools/unicorn/build.sh may have installed, nor one named by the env.
            ProcessBuilder pb = new ProcessBuilder(java, "-Djna.library.path=" + dir, "-Dhexo.unicorn.library=system", "-cp",
                    System.getProperty("java.class.path"), UnicornUnavailableTest.class.getName());
            pb.environment().put("LD_LIBRARY_PATH", dir.toString());
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue("child JVM hung", p.waitFor(60, TimeUnit.SECONDS));
            String expected = "unavailable: " + Unicorn.INSTALL_HINT;
            assertEquals(out, "arm " + expected + "\nx86 " + expected + "\n", out.replace("\r", ""));
        } finally {
            for (File f : dir.toFile().listFiles()) f.delete();
            Files.delete(dir);
        }
    }
}
