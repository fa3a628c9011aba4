package io.hexo.vmm.abi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * resources/guest/include/hexo_abi.h is the definition of the guest/VMM interface and Abi its Java
 * mirror: every numeric #define and every struct offset must be equal in both. Offsets come from the C
 * compiler itself (offsetof, printed by a host program, and checked with _Static_assert for both
 * guest targets).
 */
public class AbiHeaderTest {
    private static Path header;
    private static Path tmp;

    /** C struct -> (Java constant -> C member expression, or "sizeof"). */
    private static final Map<String, Map<String, String>> STRUCTS = new LinkedHashMap<>();

    static {
        STRUCTS.put("hexo_hypercall", members("HC_NR", "nr", "HC_ARG0", "arg[0]", "HC_RET", "ret", "HC_SIZE", "sizeof"));
        STRUCTS.put("hexo_boot_info", members("BI_MAGIC", "magic", "BI_ABI_VERSION", "abi_version", "BI_MEM_SIZE", "mem_size",
                "BI_LINMEM_BASE", "linmem_base", "BI_LINMEM_LIMIT", "linmem_limit", "BI_ARGC", "argc", "BI_ENVC", "envc",
                "BI_STRINGS_SIZE", "strings_size", "BI_RESUME", "resume", "BI_VERBOSE", "verbose",
                "BI_DOORBELL", "doorbell", "BI_SIZE", "sizeof"));
        STRUCTS.put("hexo_control", members("CTL_MIGRATE_REQUESTED", "migrate_requested", "CTL_ABI_VERSION", "abi_version",
                "CTL_POINTS_REACHED", "points_reached", "CTL_MIGRATE_AT_POINT", "migrate_at_point", "CTL_SIZE", "sizeof"));
        STRUCTS.put("hexo_snapshot", members("SNAP_LINMEM_BASE", "linmem_base", "SNAP_LINMEM_SIZE", "linmem_size",
                "SNAP_GLOBALS", "globals", "SNAP_NGLOBALS", "nglobals", "SNAP_ASYNCIFY_DATA", "asyncify_data",
                "SNAP_CONTROL", "control", "SNAP_SIZE", "sizeof"));
        STRUCTS.put("hexo_image_info", members("II_MAGIC", "magic", "II_ABI_VERSION", "abi_version", "II_ISA", "isa",
                "II_NGLOBALS", "nglobals", "II_MODULE_ID", "module_id", "II_IMAGE_BASE", "image_base", "II_LINMEM_ALIGN", "linmem_align",
                "II_INITIAL_LINMEM", "initial_linmem", "II_DATA_START", "data_start", "II_BSS_START", "bss_start",
                "II_STACK_LOW", "stack_low", "II_STACK_HIGH", "stack_high", "II_SIZE", "sizeof"));
        STRUCTS.put("hexo_stat", members("ST_DEV", "dev", "ST_INO", "ino", "ST_FILETYPE", "filetype", "ST_NLINK", "nlink",
                "ST_SIZE", "size", "ST_ATIM", "atim", "ST_MTIM", "mtim", "ST_CTIM", "ctim", "ST_STRUCT_SIZE", "sizeof"));
    }

    /** Header names whose Java name is not the header name without HEXO_. */
    private static final Map<String, String> RENAMED = Map.of("HEXO_ABI_VERSION", "VERSION", "HEXO_STAT_SIZE", "ST_STRUCT_SIZE");

    /** Numeric defines that have no Java counterpart, on purpose (the guest's own business). */
    private static final List<String> GUEST_ONLY = List.of("HEXO_ASYNCIFY_BUFFER_SIZE");

    private static Map<String, String> members(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @BeforeClass
    public static void locate() throws IOException {
        String home = System.getProperty("hexo.home");
        assertTrue("hexo.home is not set (surefire sets it to the repository root)", home != null && !home.isEmpty());
        header = Path.of(home, "resources/guest/include/hexo_abi.h");
        assertTrue(header + " is missing", Files.isRegularFile(header));
        tmp = Files.createTempDirectory("hexo-abi-test");
    }

    @AfterClass
    public static void clean() throws IOException {
        if (tmp != null) try (var s = Files.walk(tmp)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Every Java constant of Abi, by name. */
    private static Map<String, Long> javaConstants() throws IllegalAccessException {
        Map<String, Long> c = new TreeMap<>();
        for (Field f : Abi.class.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (!Modifier.isStatic(mod) || !Modifier.isFinal(mod)) continue;
            if (f.getType() == int.class) c.put(f.getName(), (long) f.getInt(null));
            else if (f.getType() == long.class) c.put(f.getName(), f.getLong(null));
        }
        return c;
    }

    /** Every #define HEXO_* with a numeric value: 0x.., decimal, or (a << b). Comments stripped. */
    static Map<String, Long> headerDefines(String text) {
        String noComments = text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", " ");
        Map<String, Long> d = new TreeMap<>();
        Matcher m = Pattern.compile("^\\s*#\\s*define\\s+(HEXO_\\w+)[ \\t]+(.+?)\\s*$", Pattern.MULTILINE).matcher(noComments);
        while (m.find()) d.put(m.group(1), eval(m.group(2).trim(), m.group(1)));
        return d;
    }

    private static long eval(String e, String name) {
        e = e.trim();
        while (e.startsWith("(") && e.endsWith(")")) e = e.substring(1, e.length() - 1).trim();
        int shift = e.indexOf("<<");
        if (shift > 0) return eval(e.substring(0, shift), name) << eval(e.substring(shift + 2), name);
        String n = e.replaceAll("(?i)(ull|ul|ll|u|l)$", "");
        try {
            return n.startsWith("0x") || n.startsWith("0X") ? Long.parseUnsignedLong(n.substring(2), 16) : Long.parseLong(n);
        } catch (NumberFormatException x) {
            throw new AssertionError(name + " has a value this test cannot read: '" + e + "' — extend AbiHeaderTest.eval");
        }
    }

    @Test
    public void everyHeaderConstantEqualsItsJavaMirror() throws Exception {
        Map<String, Long> defines = headerDefines(Files.readString(header));
        Map<String, Long> java = javaConstants();
        assertTrue("too few defines parsed: " + defines.keySet(), defines.size() >= 50);
        List<String> mismatches = new ArrayList<>();
        TreeSet<String> unmatched = new TreeSet<>();
        TreeSet<String> javaChecked = new TreeSet<>();
        for (var e : defines.entrySet()) {
            String javaName = RENAMED.getOrDefault(e.getKey(), e.getKey().substring("HEXO_".length()));
            Long j = java.get(javaName);
            if (j == null) {
                unmatched.add(e.getKey());
                continue;
            }
            javaChecked.add(javaName);
            if (!j.equals(e.getValue())) {
                mismatches.add(e.getKey() + " = " + e.getValue() + " (0x" + Long.toHexString(e.getValue()) + ") but Abi." + javaName
                        + " = " + j + " (0x" + Long.toHexString(j) + ")");
            }
        }
        assertEquals("hexo_abi.h and Abi differ:\n" + String.join("\n", mismatches), List.of(), mismatches);
        assertEquals("defines without a Java counterpart (add them to Abi, or to GUEST_ONLY here)", new TreeSet<>(GUEST_ONLY), unmatched);

        // The families the brief of this interface names are all there, on both sides.
        for (String n : List.of("HC_WRITE", "HC_EXIT", "HC_CHECKPOINT", "HC_RESTORE", "TRAP_UNREACHABLE", "TRAP_ABI_MISMATCH",
                "ENOTCAPABLE", "EFAULT", "ENOSYS", "HYPERCALL_ADDR", "BOOT_INFO_ADDR", "STRINGS_ADDR", "IMAGE_BASE", "VERSION",
                "BOOT_MAGIC", "X86_PORT", "ARM_DOORBELL", "O_CREAT", "FD_APPEND", "OPEN_WRITE")) {
            assertTrue(n + " was not compared", javaChecked.contains(n));
        }

        // Conversely every Java constant is either a header define or a struct offset checked below.
        TreeSet<String> structConstants = new TreeSet<>();
        STRUCTS.values().forEach(m -> structConstants.addAll(m.keySet()));
        TreeSet<String> orphans = new TreeSet<>(java.keySet());
        orphans.removeAll(javaChecked);
        orphans.removeAll(structConstants);
        assertEquals("Abi constants that hexo_abi.h does not define", new TreeSet<>(), orphans);
    }

    @Test
    public void magicSpellsHexo() {
        byte[] le = {(byte) Abi.BOOT_MAGIC, (byte) (Abi.BOOT_MAGIC >> 8), (byte) (Abi.BOOT_MAGIC >> 16), (byte) (Abi.BOOT_MAGIC >>> 24)};
        assertEquals("HEXO", new String(le, StandardCharsets.US_ASCII));
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(String.join(" ", cmd) + " did not finish", p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(String.join(" ", cmd) + ":\n" + out, 0, p.exitValue());
        return out;
    }

    private static String memberExpr(String struct, String member) {
        return member.equals("sizeof") ? "sizeof(struct " + struct + ")" : "offsetof(struct " + struct + ", " + member + ")";
    }

    @Test
    public void structOffsetsEqualTheCompilers() throws Exception {
        StringBuilder c = new StringBuilder("#include <stddef.h>\n#include <stdio.h>\n#include \"").append(header).append("\"\n");
        c.append("int main(void) {\n");
        STRUCTS.forEach((struct, members) -> members.forEach((javaName, member) ->
                c.append("    printf(\"%s %zu\\n\", \"").append(javaName).append("\", (size_t)").append(memberExpr(struct, member)).append(");\n")));
        c.append("    return 0;\n}\n");
        Path src = Files.writeString(tmp.resolve("offsets.c"), c);
        Path exe = tmp.resolve("offsets");
        run(List.of("clang-16", "-std=c11", "-Wall", "-Werror", "-o", exe.toString(), src.toString()));
        Map<String, Long> compiled = new TreeMap<>();
        for (String line : run(List.of(exe.toString())).split("\n")) {
            if (line.isBlank()) continue;
            String[] kv = line.trim().split(" ");
            compiled.put(kv[0], Long.parseLong(kv[1]));
        }
        Map<String, Long> java = javaConstants();
        List<String> mismatches = new ArrayList<>();
        int n = 0;
        for (var members : STRUCTS.values()) {
            for (String javaName : members.keySet()) {
                Long j = java.get(javaName);
                assertTrue("Abi." + javaName + " is missing", j != null);
                if (!j.equals(compiled.get(javaName))) mismatches.add("Abi." + javaName + " = " + j + " but the C compiler says " + compiled.get(javaName));
                n++;
            }
        }
        assertEquals(String.join("\n", mismatches), List.of(), mismatches);
        assertEquals(n, compiled.size());
        // hexo_stat is HEXO_STAT_SIZE bytes, and struct hexo_hypercall's six arguments are consecutive u64s.
        assertEquals((long) Abi.ST_STRUCT_SIZE, (long) headerDefines(Files.readString(header)).get("HEXO_STAT_SIZE"));
        assertEquals(Abi.HC_ARG0 + 6 * 8, Abi.HC_RET);
    }

    /** The same layout on both guest ISAs (the header promises it; a checkpoint depends on it). */
    @Test
    public void layoutIsTheSameForBothGuestTargets() throws Exception {
        Map<String, Long> java = javaConstants();
        StringBuilder c = new StringBuilder("#include <stddef.h>\n#include \"").append(header).append("\"\n");
        STRUCTS.forEach((struct, members) -> members.forEach((javaName, member) ->
                c.append("_Static_assert(").append(memberExpr(struct, member)).append(" == ").append(java.get(javaName))
                        .append(", \"").append(javaName).append("\");\n")));
        Path src = Files.writeString(tmp.resolve("layout.c"), c);
        for (String target : List.of("x86_64-unknown-none-elf", "aarch64-unknown-none-elf")) {
            run(List.of("clang-16", "--target=" + target, "-ffreestanding", "-std=c11", "-fsyntax-only", src.toString()));
        }
        // And the header assembles (entry.S includes it with __ASSEMBLER__).
        Path asm = Files.writeString(tmp.resolve("abi.S"), "#include \"" + header + "\"\n.quad HEXO_HYPERCALL_ADDR, HEXO_ARM_DOORBELL\n");
        for (String target : List.of("x86_64-unknown-none-elf", "aarch64-unknown-none-elf")) {
            run(List.of("clang-16", "--target=" + target, "-c", "-o", tmp.resolve("abi-" + target + ".o").toString(), asm.toString()));
        }
    }
}
