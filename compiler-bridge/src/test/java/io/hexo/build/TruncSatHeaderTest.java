package io.hexo.build;

import org.junit.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * resources/guest/include/hexo_trunc_sat.h (SaturatingConversions) gives wasm's result for every input on
 * both ISAs: a C check against the specification's definition, compiled by clang-16 for x86-64 (run here)
 * and for AArch64 (run under qemu-aarch64-static, the same emulator the process engine uses).
 */
public class TruncSatHeaderTest {
    private static final String ALL_AGREE = "4000000 checked, 0 differ";

    @Test
    public void x86_64AgreesWithWasm() throws Exception {
        Path exe = compile(List.of(), "check-x86-64");
        assertEquals(ALL_AGREE, run(List.of(exe.toString())));
    }

    @Test
    public void aarch64AgreesWithWasm() throws Exception {
        Path exe = compile(List.of("--target=aarch64-linux-gnu", "-static"), "check-aarch64");
        Path qemu = Path.of("/usr/bin/qemu-aarch64-static");
        assertTrue("qemu-aarch64-static is missing: install the qemu-user-static package (tools/install.sh)", Files.isExecutable(qemu));
        assertEquals(ALL_AGREE, run(List.of(qemu.toString(), exe.toString())));
    }

    private static Path compile(List<String> target, String name) throws Exception {
        Path check = Path.of(TruncSatHeaderTest.class.getResource("/trunc-sat/check.c").toURI());
        Path exe = Files.createTempDirectory("hexo-trunc-sat").resolve(name);
        List<String> cmd = new ArrayList<>(List.of("clang-16", "-O2"));
        cmd.addAll(target);
        cmd.addAll(List.of("-I", HexoHome.resources().resolve("guest/include").toString(), check.toString(), "-lm", "-o", exe.toString()));
        String said = run(cmd);
        assertTrue("clang-16 " + String.join(" ", target) + " did not build the check:\n" + said, Files.isExecutable(exe));
        return exe;
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return out;
    }
}
