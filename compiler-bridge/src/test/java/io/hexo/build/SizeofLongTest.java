package io.hexo.build;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

/** A warning at each sizeof whose answer differs between wasm32 and LP64, and only there. */
public class SizeofLongTest {
    @Test
    public void warnsWithFileLineAndColumn() {
        List<String> w = SizeofLong.warnings(String.join("\n",
                "int a = sizeof(long);",
                "int b = sizeof (unsigned long int) + sizeof(size_t);",
                "int c = sizeof(char *) + sizeof(double) + sizeof(long long) + sizeof(x);",
                "/* sizeof(long) in a comment */ char *s = \"sizeof(long)\";", ""), "p.c");
        assertEquals(3, w.size());
        assertTrue(w.get(0), w.get(0).startsWith("p.c:1:9: warning: sizeof(long) is 4 here (wasm32 is ILP32) but 8 in a native LP64 build"));
        assertTrue(w.get(1), w.get(1).startsWith("p.c:2:9: warning: sizeof(unsigned long int)"));
        assertTrue(w.get(2), w.get(2).startsWith("p.c:2:38: warning: sizeof(size_t)"));
    }

    @Test
    public void blankingKeepsLinesAndColumns() {
        String s = "a /* x\ny */ b \"c\\\"d\" 'e' // f\ng";
        String blank = SizeofLong.withoutCommentsAndStrings(s);
        assertEquals(s.length(), blank.length());
        assertEquals("a     \n     b                \ng", blank);
    }
}
