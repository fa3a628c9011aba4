package io.hexo.vmm.unicorn;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.DoorbellHandler;
import io.hexo.vmm.engine.Engine;
import io.hexo.vmm.engine.Exit;
import io.hexo.vmm.engine.GuestLayout;
import io.hexo.vmm.memory.GuestMemory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Test guests: assembles a small program with binutils (aarch64-linux-gnu-as or the native as), makes
 * it a flat binary with objcopy, loads it at {@link Abi#IMAGE_BASE} and runs it on a Unicorn engine.
 * A missing assembler is a test failure, never a skip.
 */
final class GuestAsm {
    static final long MEM_SIZE = 64L << 20;
    static final long GUARD_START = 0x400000, GUARD_END = 0x600000, STACK_TOP = 0x800000;
    static final long LINMEM_BASE = 0x800000;

    /** The layout every test guest uses: 64 MiB, image at 2 MiB, 2 MiB stack guard at [4, 6) MiB, stack below 8 MiB. */
    static GuestLayout layout(long imageEnd) {
        return new GuestLayout(MEM_SIZE, Abi.IMAGE_BASE, STACK_TOP, GUARD_START, GUARD_END, imageEnd, LINMEM_BASE, 0);
    }

    /** An assembled program: flat bytes for IMAGE_BASE and its symbols' guest addresses. */
    record Program(byte[] code, Map<String, Long> symbols) {
        long sym(String name) {
            Long v = symbols.get(name);
            if (v == null) throw new AssertionError("no symbol " + name + " in " + symbols.keySet());
            return v;
        }
    }

    static Program assemble(Isa isa, String source) {
        String prefix = isa == Isa.AARCH64 ? "aarch64-linux-gnu-" : "";
        try {
            Path dir = Files.createTempDirectory("hexo-unicorn-asm");
            try {
                Path src = dir.resolve("guest.s"), obj = dir.resolve("guest.o"), bin = dir.resolve("guest.bin");
                Files.writeString(src, source + "\n", StandardCharsets.UTF_8);
                List<String> as = new ArrayList<>(List.of(prefix + "as", "-I", resourceDir().toString(), "-o", obj.toString()));
                if (isa == Isa.X86_64) as.add(1, "--64");
                as.add(src.toString());
                exec(as);
                exec(List.of(prefix + "objcopy", "-O", "binary", "-j", ".text", obj.toString(), bin.toString()));
                String nm = exec(List.of(prefix + "nm", obj.toString()));
                Map<String, Long> symbols = new HashMap<>();
                for (String line : nm.split("\n")) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length == 3 && (f[1].equals("t") || f[1].equals("T"))) {
                        symbols.put(f[2], Abi.IMAGE_BASE + Long.parseUnsignedLong(f[0], 16));
                    }
                }
                return new Program(Files.readAllBytes(bin), symbols);
            } finally {
                try (var s = Files.walk(dir)) {
                    s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot assemble the test guest (" + prefix + "as from binutils"
                    + (isa == Isa.AARCH64 ? "-aarch64-linux-gnu" : "") + " is required): " + e.getMessage(), e);
        }
    }

    private static Path resourceDir() {
        try {
            return Path.of(GuestAsm.class.getResource("/unicorn/arm64-mmu.s").toURI()).getParent();
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("test resources unicorn/ not found", e);
        }
    }

    private static String exec(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd.get(0) + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }

    /** A guest ready to run: memory with the program loaded, and the engine. Close it after use. */
    static final class Guest implements AutoCloseable {
        final GuestMemory memory;
        final Engine engine;
        final Program program;

        Guest(Isa isa, Program program, Function<Engine.Setup, Engine> factory) {
            this.program = program;
            this.memory = GuestMemory.allocate(MEM_SIZE);
            GuestMemory m = memory;
            try {
                m.write(Abi.IMAGE_BASE, program.code());
                GuestLayout layout = layout(Abi.IMAGE_BASE + program.code().length);
                this.engine = factory.apply(new Engine.Setup(m, layout));
            } catch (RuntimeException | Error e) {
                m.close();
                throw e;
            }
        }

        Exit run(DoorbellHandler h) {
            return engine.run(h);
        }

        long sym(String name) {
            return program.sym(name);
        }

        @Override
        public void close() {
            engine.close();
            memory.close();
        }
    }

    /** The hypercall number that makes {@link Calls} stop the guest. */
    static final int STOP = Abi.HC_EXIT;

    /** Test handler: records doorbell values and hypercall numbers; nr == STOP stops, else ret = (nr + 1) * 10. */
    static final class Calls implements DoorbellHandler {
        final Guest g;
        final List<Long> values = new ArrayList<>();
        final List<Long> numbers = new ArrayList<>();

        Calls(Guest g) {
            this.g = g;
        }

        @Override
        public boolean onDoorbell(long value) {
            values.add(value);
            long nr = g.memory.getLong(Abi.HYPERCALL_ADDR + Abi.HC_NR);
            numbers.add(nr);
            if (nr == STOP) return false;
            g.memory.putLong(Abi.HYPERCALL_ADDR + Abi.HC_RET, (nr + 1) * 10);
            return true;
        }
    }

    /**
     * How migration requests reach a guest that computes: runs it while another thread, the VMM's stand-in,
     * writes 1 to the 32-bit flag at {@code flag} after {@code delayMs} (Unicorn 2.0.1 has no safe
     * asynchronous stop, so the guest polls).
     */
    static Exit runWhileAnotherThreadSetsFlag(Guest g, long flag, long delayMs) throws InterruptedException {
        Thread vmm = new Thread(() -> {
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                return;
            }
            g.memory.putInt(flag, 1);
        });
        vmm.start();
        Exit exit = g.run(new Calls(g));
        vmm.join();
        return exit;
    }

    static Guest arm64(String source) {
        return new Guest(Isa.AARCH64, assemble(Isa.AARCH64, source), UnicornArm64Engine::create);
    }

    static Guest x86(String source) {
        return new Guest(Isa.X86_64, assemble(Isa.X86_64, source), UnicornX86Engine::create);
    }

    static Exit.Fault fault(Exit exit) {
        if (!(exit instanceof Exit.Fault f)) throw new AssertionError("expected a fault, got " + exit);
        return f;
    }
}
