package io.hexo.build;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

/** Exactly the LP64 format conversions clang flags get their second `l`, nothing else changes. */
public class FormatFixesTest {
    private static final String SOURCE = String.join("\n",
            "#include <stdio.h>",
            "int main(void) {",
            "\tprintf(\"%ld.%06ld %lu\\n\", tv.tv_sec, tv.tv_usec, t);",
            "  printf(\"%d\\n\", sizeof(long));",
            "}", "");

    /** What clang-16 -fdiagnostics-parseable-fixits prints for SOURCE (its real wording). */
    private static final String CLANG = String.join("\n",
            "t.c:3:29: warning: format specifies type 'long' but the argument has type 'time_t' (aka 'long long') [-Wformat]",
            "\tprintf(\"%ld.%06ld %lu\\n\", tv.tv_sec, tv.tv_usec, t);",
            "\t        ~~~                ^~~~~~~~~",
            "\t        %lld",
            "fix-it:\"t.c\":{3:10-3:13}:\"%lld\"",
            "t.c:3:40: warning: format specifies type 'long' but the argument has type 'suseconds_t' (aka 'long long') [-Wformat]",
            "fix-it:\"t.c\":{3:14-3:19}:\"%06lld\"",
            "t.c:3:52: warning: format specifies type 'unsigned long' but the argument has type 'time_t' (aka 'long long') [-Wformat]",
            "fix-it:\"t.c\":{3:20-3:23}:\"%lld\"",
            "t.c:4:19: warning: format specifies type 'int' but the argument has type 'unsigned long' [-Wformat]",
            "fix-it:\"t.c\":{4:12-4:14}:\"%lu\"",
            "other.h:9:1: warning: format specifies type 'long' but the argument has type 'long long' [-Wformat]",
            "fix-it:\"other.h\":{9:1-9:4}:\"%lld\"",
            "3 warnings generated.", "");

    @Test
    public void widensOnlyLongConversionsOfSixtyFourBitArguments() {
        List<FormatFixes.Fix> fixes = FormatFixes.parse(CLANG, "t.c");
        assertEquals(3, fixes.size());
        FormatFixes.Result r = FormatFixes.apply(SOURCE, fixes);
        // %lu keeps its conversion: a native LP64 build prints an unsigned long, so does %llu.
        assertEquals(SOURCE.replace("%ld.%06ld %lu", "%lld.%06lld %llu"), r.text());
        assertEquals(3, r.fixes().size());
        assertEquals("t.c:3:29: warning: format specifies type 'long' but the argument has type 'time_t' (aka 'long long'): printed as a native "
                + "LP64 build prints it (`long` is 32 bits in wasm32) [hexo-lp64]", FormatFixes.message("t.c", r.fixes().get(0)));
    }

    @Test
    public void theWarningIsWhereClangPointsEvenOnTheArgumentsLine() {
        String out = "t.c:2:5: warning: format specifies type 'long' but the argument has type 'suseconds_t' (aka 'long long') [-Wformat]\n"
                + "fix-it:\"t.c\":{1:12-1:15}:\"%lld\"\n";
        FormatFixes.Result r = FormatFixes.apply("printf(\"%d %ld\",\n    1, tv.tv_usec);\n", FormatFixes.parse(out, "t.c"));
        assertEquals("printf(\"%d %lld\",\n    1, tv.tv_usec);\n", r.text());
        assertTrue(FormatFixes.message("t.c", r.fixes().get(0)).startsWith("t.c:2:5: warning: "));
    }

    @Test
    public void scanfPointersAreWidenedToo() {
        String out = "s.c:1:20: warning: format specifies type 'long *' but the argument has type 'time_t *' (aka 'long long *') [-Wformat]\n"
                + "fix-it:\"s.c\":{1:8-1:11}:\"%lld\"\n";
        FormatFixes.Result r = FormatFixes.apply("scanf(\"%ld\", &t);\n", FormatFixes.parse(out, "s.c"));
        assertEquals("scanf(\"%lld\", &t);\n", r.text());
    }

    @Test
    public void aFixItThatIsNotALongConversionIsLeftAlone() {
        String out = "t.c:1:1: warning: format specifies type 'long' but the argument has type 'long long' [-Wformat]\n"
                + "fix-it:\"t.c\":{1:1-1:4}:\"%lld\"\n";
        FormatFixes.Result r = FormatFixes.apply("abc\n", FormatFixes.parse(out, "t.c"));
        assertEquals("abc\n", r.text());
        assertTrue(r.fixes().isEmpty());
    }

}
