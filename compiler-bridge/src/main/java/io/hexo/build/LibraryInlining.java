package io.hexo.build;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lets the native compiler inline the C library's functions (and hexo's runtime's) that the program calls
 * into the program's functions, while every function of the program itself stays one native function.
 *
 * <p>The translated program is compiled with {@code -finline-hint-functions}: the program's functions were
 * inlined already where clang and wasm-opt saw fit, functions the user marked {@code noinline} must stay
 * calls, and a trap names the function it happened in. But that also kept every libc function an
 * out-of-line call: EP's {@code fmax} (a handful of instructions) and {@code log}, dhry's {@code strcmp}.
 * Measured with callgrind (instructions of the whole run, class S, bench/kernels.sh): marking the library's
 * functions {@code inline} took EP from 3.18 to 2.84 G instructions (native 2.53 G) and dhry from 1.95 to
 * 1.68 G.
 *
 * <p>What it changes for the user: a trap inside an inlined library function (say an out-of-bounds read
 * in {@code strcmp}) is reported in the program's function that called it, which is where the fault's
 * cause usually is. Results are unchanged: inlining moves code, it does not change what it computes.
 */
final class LibraryInlining {
    /** A function a wasm object defines, in {@code wasm-objdump -x}'s symbol table. */
    private static final Pattern DEFINED_FUNCTION = Pattern.compile("(?m)^\\s+- \\d+: F <([A-Za-z0-9_]+)> func=\\d+ \\[ binding=");
    /** A translated function's declaration or definition: wasm2c makes every one of them static. */
    private static final Pattern TRANSLATED = Pattern.compile("(?m)^static ([A-Za-z0-9_]+) w2c_([A-Za-z0-9_]+)\\(");
    /** A translated function's definition (wasm2c ends each with a "}" line of its own). */
    private static final Pattern DEFINITION = Pattern.compile("(?m)^static [A-Za-z0-9_]+ w2c_([A-Za-z0-9_]+)\\([^;{]*\\) \\{$");
    /** A direct call (wasm2c passes the instance first). */
    private static final Pattern CALL = Pattern.compile("\\bw2c_([A-Za-z0-9_]+)\\(instance");

    private LibraryInlining() {}

    /** The functions an object defines, from {@code wasm-objdump -x OBJECT}. */
    static Set<String> definedFunctions(String objdump) {
        Set<String> names = new HashSet<>();
        Matcher m = DEFINED_FUNCTION.matcher(objdump);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    /**
     * app.c with the library functions that the program's functions call directly declared inline. Only
     * those: hinting all of the library inline made clang inline it into itself too (printf's internals and
     * the like), which made the native compile of NPB IS half as long again and gained nothing.
     */
    static String rewrite(String appC, Set<String> programFunctions) throws BuildException {
        Set<String> inline = calledFromProgram(appC, programFunctions);
        Matcher m = TRANSLATED.matcher(appC);
        StringBuilder out = new StringBuilder(appC.length() + 4096);
        int translated = 0;
        while (m.find()) {
            translated++;
            m.appendReplacement(out, inline.contains(m.group(2)) ? "static inline $1 w2c_$2(" : "$0");
        }
        m.appendTail(out);
        // The program defines main at least, and wasm2c translates some function (wasm-opt may have inlined
        // all of the program's into _start): neither found means wasm-objdump or wasm2c changed the shape of
        // what they print.
        if (translated == 0 || programFunctions.isEmpty()) {
            throw new BuildException("wasm2c's output does not name the program's functions the way hexo expects (is wabt other than "
                    + "Debian 12's 1.0.32?): install the wabt package with tools/install.sh");
        }
        return out.toString();
    }

    /** The functions the bodies of the program's functions call that the program does not define. */
    private static Set<String> calledFromProgram(String appC, Set<String> programFunctions) {
        Set<String> called = new HashSet<>();
        Matcher def = DEFINITION.matcher(appC);
        while (def.find()) {
            if (!programFunctions.contains(def.group(1))) continue;
            int end = appC.indexOf("\n}\n", def.end());
            Matcher call = CALL.matcher(appC.substring(def.end(), end < 0 ? appC.length() : end));
            while (call.find()) if (!programFunctions.contains(call.group(1))) called.add(call.group(1));
        }
        return called;
    }
}
