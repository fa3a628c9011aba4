package io.hexo.vmm.loader;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * ElfImage on real images from `hexo build resources/samples/stress-args`, checked against what
 * llvm-readelf-16 says about the same files; and on damaged files, which must give an ImageException
 * of one sentence — never another exception.
 */
public class ElfImageTest {
    private static Path out;
    private static Path tmp;

    @BeforeClass
    public static void build() throws Exception {
        out = TestImages.stressArgs();
        tmp = Files.createTempDirectory("hexo-elf-test");
    }

    @AfterClass
    public static void clean() throws IOException {
        if (tmp != null) try (var s = Files.walk(tmp)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static String readelf(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("llvm-readelf-16", "--wide"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(s, 0, p.exitValue());
        return s;
    }

    private static long readelfEntry(Path image) throws Exception {
        Matcher m = Pattern.compile("Entry point address:\\s+0x([0-9a-f]+)").matcher(readelf("-h", image.toString()));
        assertTrue(m.find());
        return Long.parseUnsignedLong(m.group(1), 16);
    }

    /** FUNC symbols from llvm-readelf: address -> names at that address. */
    private static TreeMap<Long, List<String>> readelfFunctions(Path image) throws Exception {
        TreeMap<Long, List<String>> f = new TreeMap<>();
        Pattern line = Pattern.compile("^\\s*\\d+:\\s+([0-9a-f]{16})\\s+\\d+\\s+FUNC\\s+\\S+\\s+\\S+\\s+\\S+\\s+(\\S+)\\s*$", Pattern.MULTILINE);
        Matcher m = line.matcher(readelf("-s", image.toString()));
        while (m.find()) f.computeIfAbsent(Long.parseUnsignedLong(m.group(1), 16), k -> new ArrayList<>()).add(m.group(2));
        return f;
    }

    private static Map<String, Long> readelfSymbols(Path image) throws Exception {
        Map<String, Long> s = new HashMap<>();
        Pattern line = Pattern.compile("^\\s*\\d+:\\s+([0-9a-f]{16})\\s+\\d+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+(\\S+)\\s*$", Pattern.MULTILINE);
        Matcher m = line.matcher(readelf("-s", image.toString()));
        while (m.find()) s.put(m.group(2), Long.parseUnsignedLong(m.group(1), 16));
        return s;
    }

    @Test
    public void readsIsaEntryAndSymbolsOfBothImages() throws Exception {
        for (Isa isa : Isa.values()) {
            Path p = out.resolve(isa.imageName());
            ElfImage image = ElfImage.read(p);
            assertEquals(p, image.path());
            assertEquals(isa, image.isa());
            assertEquals(readelfEntry(p), image.entry());
            assertTrue("entry at or above the image base", image.entry() >= Abi.IMAGE_BASE);
            Map<String, Long> syms = readelfSymbols(p);
            for (String name : List.of("__hexo_stack_top", "__hexo_stack_guard", "hexo_main", "hexo_trap", "hexo_exit")) {
                assertEquals(isa + " " + name, syms.get(name), (Long) image.symbol(name));
            }
            if (isa == Isa.X86_64) assertEquals(syms.get("hexo_x86_trap_vectors"), (Long) image.symbol("hexo_x86_trap_vectors"));
            assertTrue(image.end() >= syms.get("__hexo_image_end"));
            assertTrue(image.end() > image.entry());
            try {
                image.symbol("no_such_symbol_anywhere");
                fail("a missing symbol must be refused");
            } catch (ImageException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("no_such_symbol_anywhere") && e.getMessage().contains(p.toString()));
            }
        }
    }

    @Test
    public void hexoInfoMatchesTheBuild() throws Exception {
        ImageInfo x86 = ElfImage.read(out.resolve(Isa.X86_64.imageName())).info();
        ImageInfo arm = ElfImage.read(out.resolve(Isa.AARCH64.imageName())).info();
        // The module id is the SHA-256 of the instrumented wasm the build translated.
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(out.resolve(".hexo/app.wasm"))));
        for (ImageInfo info : List.of(x86, arm)) {
            assertEquals(Abi.VERSION, info.abiVersion());
            assertEquals(sha, info.moduleId());
            assertEquals(Abi.IMAGE_BASE, info.imageBase());
            assertEquals(Abi.LINMEM_ALIGN, info.linmemAlign());
            assertTrue("globals " + info.globals(), info.globals() >= 3); // __stack_pointer, __hexo_control, __hexo_asyncify
            assertEquals(0, info.initialLinmem() % 65536);
            assertTrue(info.dataStart() > 0 && info.dataStart() <= info.bssStart());
            assertTrue(info.bssStart() <= info.stackLow());
            assertEquals(8L << 20, info.stackHigh() - info.stackLow());
            assertTrue(info.initialLinmem() >= info.stackHigh());
        }
        assertEquals(Isa.X86_64, x86.isa());
        assertEquals(Isa.AARCH64, arm.isa());
        // Everything but the ISA is equal: the pair belongs together.
        assertEquals(x86, new ImageInfo(arm.abiVersion(), Isa.X86_64, arm.globals(), arm.moduleId(), arm.imageBase(), arm.linmemAlign(),
                arm.initialLinmem(), arm.dataStart(), arm.bssStart(), arm.stackLow(), arm.stackHigh()));
    }

    @Test
    public void functionAtNamesEveryFunctionSymbol() throws Exception {
        for (Isa isa : Isa.values()) {
            Path p = out.resolve(isa.imageName());
            ElfImage image = ElfImage.read(p);
            TreeMap<Long, List<String>> funcs = readelfFunctions(p);
            assertTrue(isa + ": few functions: " + funcs.size(), funcs.size() > 50);
            int checked = 0, translated = 0;
            for (var e : funcs.entrySet()) {
                if (e.getValue().size() != 1) continue; // aliases: either name is right
                String name = e.getValue().get(0);
                String expected = name.startsWith("w2c_") ? name.substring(4) : name;
                // the user wrote main; clang's wasm32 calls it __original_main (void) or __main_argc_argv
                if (expected.equals("__original_main") || expected.equals("__main_argc_argv")) expected = "main";
                assertEquals(isa + " at 0x" + Long.toHexString(e.getKey()), expected, image.functionAt(e.getKey()));
                // Inside the function (before the next one starts) still names it.
                Long next = funcs.higherKey(e.getKey());
                if (next != null && next - e.getKey() > 1) assertEquals(expected, image.functionAt(next - 1));
                checked++;
                if (name.startsWith("w2c_")) translated++;
            }
            assertTrue(checked > 50);
            assertTrue("the program's own (wasm2c) functions are named too", translated > 10);
            // Below the first function there is none.
            assertEquals(null, image.functionAt(funcs.firstKey() - 1));
            assertEquals("hexo_trap", image.functionAt(image.symbol("hexo_trap") + 4));
        }
    }

    private static void assertOneSentence(Path file, ImageException e) {
        String m = e.getMessage();
        assertNotNull(m);
        assertFalse("one line: " + m, m.contains("\n"));
        assertTrue("names the file: " + m, m.contains(file.toString()));
        assertTrue("says what to do: " + m, m.contains("hexo build"));
    }

    private static void expectRefused(Path file, String why) {
        try {
            ElfImage image = ElfImage.read(file);
            image.info(); // the image as Vm uses it: segments, symbols and .hexo_info
            fail(why + ": accepted");
        } catch (ImageException e) {
            assertOneSentence(file, e);
        } catch (RuntimeException e) {
            throw new AssertionError(why + ": " + e + " instead of an ImageException", e);
        }
    }

    @Test
    public void missingGarbageAndEmptyFilesAreOneSentence() throws Exception {
        Path missing = tmp.resolve("no-such-image");
        try {
            ElfImage.read(missing);
            fail();
        } catch (ImageException e) {
            assertOneSentence(missing, e);
            assertTrue(e.getMessage().contains("does not exist"));
        }
        Path empty = Files.write(tmp.resolve("empty"), new byte[0]);
        expectRefused(empty, "empty file");
        byte[] garbage = new byte[100_000];
        new Random(7).nextBytes(garbage);
        Path g = Files.write(tmp.resolve("garbage"), garbage);
        expectRefused(g, "random bytes");
        try {
            ElfImage.read(g);
        } catch (ImageException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("is not an ELF file"));
        }
        Path text = Files.writeString(tmp.resolve("script.sh"), "#!/bin/sh\necho not an image\n");
        expectRefused(text, "a shell script");
        // An ELF for another machine: the x86 image with e_machine = EM_RISCV.
        byte[] riscv = Files.readAllBytes(out.resolve(Isa.X86_64.imageName()));
        riscv[18] = (byte) 243;
        riscv[19] = 0;
        Path r = Files.write(tmp.resolve("riscv"), riscv);
        try {
            ElfImage.read(r);
            fail();
        } catch (ImageException e) {
            assertOneSentence(r, e);
            assertTrue(e.getMessage(), e.getMessage().contains("neither x86-64 nor AArch64"));
        }
        // A 32-bit ELF.
        byte[] elf32 = Files.readAllBytes(out.resolve(Isa.X86_64.imageName()));
        elf32[4] = 1;
        expectRefused(Files.write(tmp.resolve("elf32"), elf32), "ELFCLASS32");
    }

    @Test
    public void truncatedImagesAreOneSentence() throws Exception {
        for (Isa isa : Isa.values()) {
            byte[] whole = Files.readAllBytes(out.resolve(isa.imageName()));
            Path t = tmp.resolve("truncated-" + isa.shortName());
            // Every cut in the headers, then every 997 bytes through the file.
            List<Integer> cuts = new ArrayList<>();
            for (int n = 0; n < 256; n++) cuts.add(n);
            for (int n = 256; n < whole.length; n += 997) cuts.add(n);
            int refused = 0;
            for (int n : cuts) {
                Files.write(t, java.util.Arrays.copyOf(whole, n));
                try {
                    ElfImage image = ElfImage.read(t);
                    image.info();
                    // Cut after everything that is read: the image is still usable, which is right.
                } catch (ImageException e) {
                    assertOneSentence(t, e);
                    refused++;
                } catch (RuntimeException e) {
                    throw new AssertionError(isa + " cut at " + n + " of " + whole.length + ": " + e + " instead of an ImageException", e);
                }
            }
            assertTrue(refused >= 256);
        }
    }

    @Test
    public void corruptedHeadersAreOneSentenceNeverAnotherException() throws Exception {
        Random rnd = new Random(42);
        for (Isa isa : Isa.values()) {
            byte[] whole = Files.readAllBytes(out.resolve(isa.imageName()));
            Path c = tmp.resolve("corrupt-" + isa.shortName());
            for (int i = 0; i < 2000; i++) {
                byte[] b = whole.clone();
                // Damage the ELF header's offsets and counts (e_phoff..e_shstrndx) with random values.
                int at = 24 + rnd.nextInt(64 - 24);
                b[at] = (byte) rnd.nextInt(256);
                if (rnd.nextBoolean()) b[24 + rnd.nextInt(40)] = (byte) rnd.nextInt(256);
                Files.write(c, b);
                try {
                    ElfImage.read(c);
                } catch (ImageException e) {
                    assertOneSentence(c, e);
                } catch (RuntimeException e) {
                    throw new AssertionError(isa + " with header byte " + at + " damaged: " + e + " instead of an ImageException", e);
                }
            }
        }
    }

    @Test
    public void mutatedTablesAreRefusedWithinASecondNeverHang() throws Exception {
        // Program headers, section headers (sh_entsize 0 once hung the symbol reader) and symbols:
        // every mutant is read within a second, and is either usable or refused in one sentence.
        Random rnd = new Random(2026);
        java.util.concurrent.ExecutorService reader = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "elf-mutant-reader");
            t.setDaemon(true);
            return t;
        });
        int mutants = 0, refused = 0;
        try {
            for (Isa isa : Isa.values()) {
                byte[] whole = Files.readAllBytes(out.resolve(isa.imageName()));
                java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(whole).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                int phoff = (int) h.getLong(32), phsize = h.getShort(54) * h.getShort(56);
                int shoff = (int) h.getLong(40), shsize = h.getShort(58) * h.getShort(60);
                Path m = tmp.resolve("mutant-" + isa.shortName());
                for (int i = 0; i < 200; i++, mutants++) {
                    byte[] b = whole.clone();
                    boolean sections = rnd.nextInt(3) > 0;
                    int base = sections ? shoff : phoff, size = sections ? shsize : phsize;
                    for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                        int at = base + rnd.nextInt(size);
                        b[at] = switch (rnd.nextInt(3)) {
                            case 0 -> 0;
                            case 1 -> (byte) 0xFF;
                            default -> (byte) rnd.nextInt(256);
                        };
                    }
                    Files.write(m, b);
                    var read = reader.submit(() -> {
                        ElfImage image = ElfImage.read(m);
                        image.info();
                        image.end();
                        return image;
                    });
                    try {
                        read.get(1, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        throw new AssertionError(isa + " mutant " + i + " (" + (sections ? "section" : "program") + " headers) hangs the reader");
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (!(e.getCause() instanceof ImageException ie)) {
                            throw new AssertionError(isa + " mutant " + i + ": " + e.getCause() + " instead of an ImageException", e.getCause());
                        }
                        assertOneSentence(m, ie);
                        refused++;
                    }
                }
            }
        } finally {
            reader.shutdownNow();
        }
        assertTrue("mutants " + mutants, mutants >= 300);
        System.out.println("[elf] " + mutants + " mutants of the header tables: " + refused + " refused in one sentence, the rest usable, none hung");
    }
}
