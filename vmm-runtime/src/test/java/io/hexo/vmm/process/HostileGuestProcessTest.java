package io.hexo.vmm.process;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.Engine;
import io.hexo.vmm.engine.Exit;
import io.hexo.vmm.engine.GuestLayout;
import io.hexo.vmm.guest.GuestConsole;
import io.hexo.vmm.guest.GuestFiles;
import io.hexo.vmm.hypercall.FileCalls;
import io.hexo.vmm.hypercall.HypercallTable;
import io.hexo.vmm.loader.TestImages;
import io.hexo.vmm.memory.GuestMemory;
import org.junit.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * A hostile guest kernel on the process engine, both ISAs: hand-assembled code that bypasses the WASI
 * shim's checks and rings the real doorbell (the loader's function, the pipes) with the hypercalls a
 * test table lists — pointers past guest memory, lengths that wrap, paths that leave the working
 * directory. Every call must come back refused with the right errno, the VMM must go on serving, and
 * nothing may appear outside the working directory.
 */
public class HostileGuestProcessTest {
    private static final long TABLE = 0x300000, STRINGS = 0x310000, BUF = 0x320000, MEM = 64L << 20;
    private static final long FAR = 0x7FFF_0000_0000L;

    /** Loops over the table at TABLE (count, then entries of nr, six args, ret), ringing the doorbell for each. */
    private static final String X86 = """
                mov $0x300000, %rbx
                mov (%rbx), %r12
                lea 8(%rbx), %r13
            1:  test %r12, %r12
                jz 2f
                mov %r13, %rsi
                mov $0x110000, %rdi
                mov $7, %ecx
                rep movsq
                mov 0x100048, %rax
                call *%rax
                mov 0x110038, %rax
                mov %rax, 56(%r13)
                add $64, %r13
                dec %r12
                jmp 1b
            2:  movq $1, 0x110000
                mov 0x100048, %rax
                call *%rax
                ud2
            """;
    private static final String ARM = """
                ldr x19, =0x300000
                ldr x20, [x19]
                add x21, x19, #8
            1:  cbz x20, 2f
                ldr x0, =0x110000
                mov x1, #0
            3:  ldr x2, [x21, x1]
                str x2, [x0, x1]
                add x1, x1, #8
                cmp x1, #56
                b.ne 3b
                ldr x9, =0x100048
                ldr x9, [x9]
                blr x9
                ldr x0, =0x110000
                ldr x2, [x0, #56]
                str x2, [x21, #56]
                add x21, x21, #64
                sub x20, x20, #1
                b 1b
            2:  ldr x0, =0x110000
                mov x1, #1
                str x1, [x0]
                ldr x9, =0x100048
                ldr x9, [x9]
                blr x9
                brk #0
            """;

    record Call(String what, long nr, long[] args, long expected) {}

    /** Expected result "a descriptor" (whichever number GuestFiles hands out). */
    private static final long ANY_FD = Long.MIN_VALUE;

    private static List<Call> hostileCalls(GuestMemory m) {
        long escape = string(m, STRINGS, "../escaped-by-process-guest.txt");
        long absolute = string(m, STRINGS + 0x100, "/tmp/hexo-hostile-absolute.txt");
        long ok = string(m, STRINGS + 0x200, "inside.txt");
        int rw = Abi.OPEN_READ | Abi.OPEN_WRITE | Abi.O_CREAT;
        return List.of(
                new Call("write from past the end of memory", Abi.HC_WRITE, new long[] {1, MEM - 8, 64}, -Abi.EFAULT),
                new Call("write from an address far outside memory", Abi.HC_WRITE, new long[] {1, FAR, 16}, -Abi.EFAULT),
                new Call("write with a length that wraps: nothing is written", Abi.HC_WRITE, new long[] {1, BUF, -1L}, 0),
                new Call("read into memory it does not have", Abi.HC_READ, new long[] {0, FAR, 16}, -Abi.EFAULT),
                new Call("open a path outside memory", Abi.HC_OPEN, new long[] {FAR, 10, rw, 0}, -Abi.EFAULT),
                new Call("open ../", Abi.HC_OPEN, new long[] {escape, 31, rw, 0}, -Abi.ENOTCAPABLE),
                new Call("open an absolute path", Abi.HC_OPEN, new long[] {absolute, 30, rw, 0}, -Abi.ENOTCAPABLE),
                new Call("read an fd never opened", Abi.HC_READ, new long[] {77, BUF, 16}, -Abi.EBADF),
                new Call("an unknown hypercall", 0x3F, new long[] {1, 2, 3}, -Abi.ENOSYS),
                new Call("a number past the table", 1L << 40, new long[] {}, -Abi.ENOSYS),
                // and the VMM still serves a good call after all that:
                new Call("open a file inside", Abi.HC_OPEN, new long[] {ok, 10, rw, 0}, ANY_FD));
    }

    private static long string(GuestMemory m, long at, String s) {
        m.write(at, s.getBytes(StandardCharsets.UTF_8));
        return at;
    }

    @Test
    public void hypercallsThatTryToEscapeAreRefusedOnBothIsas() throws Exception {
        for (Isa isa : Isa.values()) {
            Path wd = Files.createTempDirectory(Files.createDirectories(TestImages.home().resolve("vmm-runtime/target/hostile")), "wd");
            List<String> notices = new ArrayList<>();
            try (GuestMemory memory = GuestMemory.allocate(MEM); GuestFiles files = new GuestFiles(wd, notices::add)) {
                memory.write(Abi.IMAGE_BASE, assemble(isa));
                List<Call> calls = hostileCalls(memory);
                memory.putLong(TABLE, calls.size());
                for (int i = 0; i < calls.size(); i++) {
                    long e = TABLE + 8 + 64L * i;
                    memory.putLong(e, calls.get(i).nr());
                    for (int a = 0; a < calls.get(i).args().length; a++) memory.putLong(e + 8 + 8L * a, calls.get(i).args()[a]);
                    memory.putLong(e + 56, 0x5A5A5A5AL); // never a real answer
                }
                GuestConsole console = new GuestConsole(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                        new ByteArrayOutputStream(), notices::add, null);
                HypercallTable table = new HypercallTable(memory, new FileCalls(memory, files, console));
                GuestLayout layout = new GuestLayout(MEM, Abi.IMAGE_BASE, 0x800000, 0x400000, 0x600000, 0x300000, 0x800000, 0);
                Exit exit;
                try (Engine engine = ProcessEngine.create(isa, new Engine.Setup(memory, layout))) {
                    exit = engine.run(value -> memory.getLong(Abi.HYPERCALL_ADDR) != Abi.HC_EXIT && table.onDoorbell(value));
                }
                assertTrue(isa + ": " + exit, exit instanceof Exit.Stopped);
                for (int i = 0; i < calls.size(); i++) {
                    long ret = memory.getLong(TABLE + 8 + 64L * i + 56);
                    if (calls.get(i).expected() == ANY_FD) assertTrue(isa + ": " + calls.get(i).what() + ": " + ret, ret >= 3);
                    else assertEquals(isa + ": " + calls.get(i).what(), calls.get(i).expected(), ret);
                }
            }
            assertFalse(isa + ": escaped", Files.exists(wd.getParent().resolve("escaped-by-process-guest.txt")));
            assertFalse(isa + ": absolute", Files.exists(Path.of("/tmp/hexo-hostile-absolute.txt")));
            try (Stream<Path> s = Files.list(wd)) {
                assertEquals(isa + ": " + notices, List.of("inside.txt"), s.map(p -> p.getFileName().toString()).sorted().toList());
            }
        }
    }

    /**
     * Under qemu-user the guest's own seccomp filter is refused, so the loader's jail confines qemu
     * itself: a raw socket(2) from AArch64 code (bypassing everything hexo's kernel offers) fails with
     * EPERM. The result travels back in the hypercall block of an EXIT call.
     */
    @Test
    public void aGuestUnderQemuUserHasNoNetwork() throws Exception {
        org.junit.Assume.assumeTrue("x86-64 host (AArch64 runs under qemu-user)", Isa.host() == Isa.X86_64);
        String code = """
                    mov x8, #198          // socket
                    mov x0, #2            // AF_INET
                    mov x1, #1            // SOCK_STREAM
                    mov x2, #0
                    svc #0
                    ldr x9, =0x110000
                    str x0, [x9, #8]
                    mov x1, #1
                    str x1, [x9]
                    ldr x9, =0x100048
                    ldr x9, [x9]
                    blr x9
                    brk #0
                """;
        try (GuestMemory memory = GuestMemory.allocate(MEM)) {
            memory.write(Abi.IMAGE_BASE, assemble(Isa.AARCH64, code));
            GuestLayout layout = new GuestLayout(MEM, Abi.IMAGE_BASE, 0x800000, 0x400000, 0x600000, 0x300000, 0x800000, 0);
            try (Engine engine = ProcessEngine.create(Isa.AARCH64, new Engine.Setup(memory, layout))) {
                assertTrue(engine.run(value -> false) instanceof Exit.Stopped);
            }
            assertEquals("socket(2) returned -EPERM", -1, memory.getLong(Abi.HYPERCALL_ADDR + Abi.HC_ARG0));
        }
    }

    private static byte[] assemble(Isa isa) throws IOException, InterruptedException {
        return assemble(isa, isa == Isa.X86_64 ? X86 : ARM);
    }

    /** Code as raw bytes (GNU as for the ISA, then objcopy -O binary of .text). */
    private static byte[] assemble(Isa isa, String code) throws IOException, InterruptedException {
        boolean x86 = isa == Isa.X86_64;
        Path dir = Files.createTempDirectory(Files.createDirectories(TestImages.home().resolve("vmm-runtime/target/hostile")), "asm");
        Path src = Files.writeString(dir.resolve("guest.s"), ".text\n" + code + (x86 ? "" : ".ltorg\n"));
        run(dir, x86 ? "as" : "aarch64-linux-gnu-as", "-o", "guest.o", src.toString());
        run(dir, x86 ? "objcopy" : "aarch64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", "guest.o", "guest.bin");
        return Files.readAllBytes(dir.resolve("guest.bin"));
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(String.join(" ", cmd), p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(String.join(" ", cmd) + ": " + log, 0, p.exitValue());
    }
}
