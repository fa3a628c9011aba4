package io.hexo.build;

import static org.junit.Assert.assertEquals;

import java.util.List;
import org.junit.Test;

/** Only a 64-bit value stored in a long differs from LP64; into an int it truncates natively as well. */
public class LongTruncationsTest {
    @Test
    public void warnsForLongDestinationsOnly() {
        String clang = String.join("\n",
                "sh.c:3:87: warning: implicit conversion loses integer precision: 'long long' to 'long' [-Wshorten-64-to-32]",
                "sh.c:3:109: warning: implicit conversion loses integer precision: 'time_t' (aka 'long long') to 'int' [-Wshorten-64-to-32]",
                "sh.c:3:136: warning: implicit conversion loses integer precision: 'time_t' (aka 'long long') to 'unsigned long' [-Wshorten-64-to-32]",
                "sh.c:4:1: warning: implicit conversion loses integer precision: 'off_t' (aka 'long long') to 'ssize_t' (aka 'long') [-Wshorten-64-to-32]",
                "other.h:1:1: warning: implicit conversion loses integer precision: 'long long' to 'long' [-Wshorten-64-to-32]", "");
        List<String> w = LongTruncations.warnings(clang, "sh.c");
        assertEquals(3, w.size());
        assertEquals("sh.c:3:87: warning: a 64-bit 'long long' is stored in 'long', which is 32 bits here and 64 in a native LP64 build: "
                + "values past 2^31 differ [hexo-lp64]", w.get(0));
        assertEquals("sh.c:4:1: warning: a 64-bit 'off_t' (aka 'long long') is stored in 'ssize_t', which is 32 bits here and 64 in a native "
                + "LP64 build: values past 2^31 differ [hexo-lp64]", w.get(2));
    }
}
