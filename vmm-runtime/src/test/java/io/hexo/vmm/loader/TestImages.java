package io.hexo.vmm.loader;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real guest images for the headless tests, built once per JVM (and kept in vmm-runtime/target, where
 * the build's own up-to-date check makes later runs cheap) with `hexo build`.
 *
 * <p>vmm-runtime cannot depend on compiler-bridge, so the build runs as a child process: the packaged
 * CLI (compiler-bridge/target/*.jar + lib/) when it exists, the ./hexo launcher otherwise. The packaged
 * jar is preferred because ./hexo rebuilds hexo with Maven whenever a source is newer than the jar,
 * which must not happen underneath the Maven run executing these tests.
 */
public final class TestImages {
    private static Path stressArgs;

    private TestImages() {}

    public static Path home() {
        String h = System.getProperty("hexo.home");
        assertTrue("hexo.home is not set (surefire sets it to the repository root)", h != null && !h.isEmpty());
        return Path.of(h).toAbsolutePath().normalize();
    }

    /** OUT of `hexo build resources/samples/stress-args -o OUT`: prog_x86-64 and prog_aarch64. */
    public static synchronized Path stressArgs() throws IOException, InterruptedException {
        if (stressArgs == null) stressArgs = build("stress-args");
        return stressArgs;
    }

    public static Path stressArgsImage(String imageName) throws IOException, InterruptedException {
        return stressArgs().resolve(imageName);
    }

    /** OUT of `hexo build resources/samples/NAME`, built once per JVM. */
    public static synchronized Path sample(String name) throws IOException, InterruptedException {
        if (BUILT.containsKey(name)) return BUILT.get(name);
        return put(name, build(name));
    }

    /** A program written by a test (one C file), built like a sample. */
    public static synchronized Path program(String name, String source) throws IOException, InterruptedException {
        if (BUILT.containsKey("program:" + name)) return BUILT.get("program:" + name);
        Path src = home().resolve("vmm-runtime/target/test-programs").resolve(name);
        Files.createDirectories(src);
        Files.writeString(src.resolve(name + ".c"), source);
        return put("program:" + name, build(src, home().resolve("vmm-runtime/target/test-images").resolve("program-" + name)));
    }

    private static final java.util.Map<String, Path> BUILT = new java.util.HashMap<>();

    private static Path put(String key, Path out) {
        BUILT.put(key, out);
        return out;
    }

    private static Path build(String sample) throws IOException, InterruptedException {
        return build(home().resolve("resources/samples").resolve(sample), home().resolve("vmm-runtime/target/test-images").resolve(sample));
    }

    private static Path build(Path sourceDir, Path out) throws IOException, InterruptedException {
        Path home = home();
        String sample = sourceDir.getFileName().toString();
        Files.createDirectories(out);
        Path jar = home.resolve("compiler-bridge/target/compiler-bridge-0.1.0-SNAPSHOT.jar");
        List<String> cmd = new ArrayList<>();
        if (Files.isRegularFile(jar) && Files.isDirectory(home.resolve("compiler-bridge/target/lib"))) {
            cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dhexo.home=" + home, "-cp", jar + ":" + home.resolve("compiler-bridge/target/lib") + "/*", "io.hexo.cli.Main"));
        } else {
            cmd.add(home.resolve("hexo").toString());
        }
        cmd.addAll(List.of("build", sourceDir.toString(), "-o", out.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true);
        pb.environment().put("HEXO_HOME", home.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("hexo build did not finish", p.waitFor(15, TimeUnit.MINUTES));
        assertEquals("hexo build " + sample + " failed:\n" + log, 0, p.exitValue());
        assertTrue(Files.isRegularFile(out.resolve("prog_x86-64")));
        assertTrue(Files.isRegularFile(out.resolve("prog_aarch64")));
        return out;
    }
}
