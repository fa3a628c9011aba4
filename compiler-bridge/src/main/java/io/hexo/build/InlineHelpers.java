package io.hexo.build;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lets the native compiler see through wasm2c's small helpers, which the guest build otherwise turns into calls.
 *
 * <p>Measured with perf on the process engine (bench/kernels.sh, EP): three things made the wasm2c output
 * slower than the same C compiled natively, none of them the program's own code.
 * <ul>
 * <li>The float helpers ({@code wasm_fabs}, {@code wasm_sqrt}, {@code wasm_floor}, {@code quiet_nan}, ...)
 * are {@code static} but not {@code inline}; the app is compiled with {@code -finline-hint-functions} (so
 * that every wasm function stays one native function and a trap names it), which therefore left each
 * {@code fabs} and {@code sqrt} an out-of-line call: 12 % of EP's samples.
 * <li>The bit casts ({@code f64_reinterpret_i64} and friends, all over musl's libm) and the helpers' NaN
 * paths copy with {@code memcpy}, and the guest is compiled {@code -ffreestanding}, where {@code memcpy}
 * is an ordinary function: every {@code log()} made calls to the kernel's byte loop, and the
 * address-taken temporaries forced spills in the callers' hot loops.
 * <li>Every load ends with {@code wasm_asm("" ::"r"(result))}, which keeps a load whose value is unused
 * (so that it still faults when out of bounds) but also moves every loaded double into an integer register
 * and hides each load from the optimiser: over a quarter of the dense matrix multiply's time.
 * </ul>
 * The first two are declared {@code inline} / {@code __builtin_memcpy} here, which changes no result. The
 * load barrier is dropped; what that gives up: a load whose value the program never uses may be removed,
 * and then cannot fault. C compilers already remove such loads unless they are {@code volatile}, so only a
 * volatile read of an address outside guest memory whose value is ignored stops being reported.
 *
 * <p>Textual, like {@link FixedLinearMemory}, on Debian 12's wasm2c (wabt 1.0.32); if the output changes
 * shape the build stops with a sentence saying so.
 */
final class InlineHelpers {
    private static final Pattern FLOAT_HELPER = Pattern.compile("(?m)^static (float|double) (quiet_nanf?|wasm_[a-z]+f?)\\(");
    private static final Pattern PLAIN_MEMCPY = Pattern.compile("(?<![A-Za-z0-9_])memcpy\\(");
    private static final String LOAD_BARRIER = "wasm_asm(\"\" ::\"r\"(result));";
    /** wasm_quiet(f), floor, ceil, trunc, nearbyint, fabs, sqrt (each for f32 and f64), quiet_nan(f). */
    private static final int FLOAT_HELPERS = 16;

    private InlineHelpers() {}

    static String rewrite(String appC) throws BuildException {
        Matcher helpers = FLOAT_HELPER.matcher(appC);
        int found = 0;
        StringBuilder out = new StringBuilder(appC.length() + 256);
        while (helpers.find()) {
            found++;
            helpers.appendReplacement(out, "static inline $1 $2(");
        }
        helpers.appendTail(out);
        String text = out.toString();
        if (found != FLOAT_HELPERS || GeneratedPatch.count(text, LOAD_BARRIER) != 2 || !text.contains("DEFINE_REINTERPRET")) {
            throw new BuildException("wasm2c's output does not have the helpers hexo expects (is wabt other than "
                    + "Debian 12's 1.0.32?): install the wabt package with tools/install.sh");
        }
        text = text.replace(LOAD_BARRIER, "");
        return PLAIN_MEMCPY.matcher(text).replaceAll("__builtin_memcpy(");
    }
}
