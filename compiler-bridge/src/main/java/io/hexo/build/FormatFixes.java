package io.hexo.build;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Printing a 64-bit value with %ld, as programs written for LP64 Linux do. wasm32 is ILP32: `long` is 32 bits,
 * while time_t, suseconds_t, clock_t and int64_t are 64 (long long), so `printf("%ld.%06ld", tv.tv_sec,
 * tv.tv_usec)` would read the wrong varargs. clang knows every such mismatch (-Wformat) and where the
 * conversion is; the build compiles a copy of the file in which exactly these conversions get a second `l`
 * (%ld -> %lld, %06lu -> %06llu), which prints what a native LP64 build prints, and tells the user where.
 */
final class FormatFixes {
    /**
     * One conversion widened: where it is (1-based line, columns [start, end) in bytes), where clang
     * pointed (the argument: reportLine:column, maybe on a later line) and clang's reason.
     */
    record Fix(int line, int start, int end, int reportLine, int column, String reason) {}

    /** The fixed text and the fixes applied to it. */
    record Result(String text, List<Fix> fixes) {}

    private static final Pattern DIAGNOSTIC = Pattern.compile(
            "^(.*):(\\d+):(\\d+): warning: (format specifies type '(unsigned )?long( \\*)?' but the argument has type '([^']*)'(?: \\(aka '([^']*)'\\))?)");
    private static final Pattern FIX_IT = Pattern.compile("^fix-it:\"(.*)\":\\{(\\d+):(\\d+)-(\\d+):(\\d+)\\}:\"(.*)\"$");
    private static final Pattern ANY_DIAGNOSTIC = Pattern.compile("^\\S.*:\\d+:\\d+: (warning|error|note|fatal error): ");
    private static final Pattern LONG_LONG = Pattern.compile("(unsigned )?long long( \\*)?");
    /** A conversion with exactly one `l`: flags, width, precision, then l and the conversion. */
    private static final Pattern LONG_CONVERSION = Pattern.compile("%[-+ #0-9.*'$]*l[diouxXn]");

    private FormatFixes() {}

    /** The fixes clang's output (-fdiagnostics-parseable-fixits) implies for file, as clang names it. */
    static List<Fix> parse(String clangOutput, String file) {
        List<Fix> fixes = new ArrayList<>();
        Matcher pending = null;
        for (String line : clangOutput.split("\n")) {
            Matcher d = DIAGNOSTIC.matcher(line);
            if (d.find()) {
                String argument = d.group(8) != null ? d.group(8) : d.group(7);
                Matcher ll = LONG_LONG.matcher(argument);
                boolean widening = d.group(1).equals(file) && ll.matches() && (ll.group(2) != null) == (d.group(6) != null);
                pending = widening ? d : null;
                continue;
            }
            Matcher f = FIX_IT.matcher(line);
            if (f.matches() && pending != null) {
                if (f.group(1).equals(file) && f.group(2).equals(f.group(4))) {
                    fixes.add(new Fix(Integer.parseInt(f.group(2)), Integer.parseInt(f.group(3)), Integer.parseInt(f.group(5)),
                            Integer.parseInt(pending.group(2)), Integer.parseInt(pending.group(3)), pending.group(4)));
                }
                pending = null;
            } else if (ANY_DIAGNOSTIC.matcher(line).find()) {
                pending = null; // a fix-it belongs to the diagnostic right before it
            }
        }
        return fixes;
    }

    /** The source with each fix's conversion given a second `l`; fixes whose text is not a %l conversion are left out. */
    static Result apply(String source, List<Fix> fixes) {
        String[] lines = source.split("\n", -1);
        List<Fix> applied = new ArrayList<>();
        List<Fix> ordered = new ArrayList<>(fixes);
        ordered.sort(Comparator.comparingInt(Fix::line).thenComparing(Comparator.comparingInt(Fix::start).reversed()));
        for (Fix fix : ordered) {
            if (fix.line() < 1 || fix.line() > lines.length) continue;
            String line = lines[fix.line() - 1];
            int from = fix.start() - 1, to = fix.end() - 1;
            if (from < 0 || to > line.length() || from >= to) continue;
            String conversion = line.substring(from, to);
            if (!LONG_CONVERSION.matcher(conversion).matches()) continue;
            int l = conversion.length() - 1;
            lines[fix.line() - 1] = line.substring(0, from) + conversion.substring(0, l) + "l" + conversion.substring(l) + line.substring(to);
            applied.add(fix);
        }
        applied.sort(Comparator.comparingInt(Fix::line).thenComparingInt(Fix::start));
        return new Result(String.join("\n", lines), applied);
    }

    /** What the user is told about one fix, as a compiler warning. */
    static String message(String file, Fix fix) {
        return file + ":" + fix.reportLine() + ":" + fix.column() + ": warning: " + fix.reason()
                + ": printed as a native LP64 build prints it (`long` is 32 bits in wasm32) [hexo-lp64]";
    }
}
