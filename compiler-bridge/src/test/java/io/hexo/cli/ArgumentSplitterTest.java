package io.hexo.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/** --args is split the way /bin/sh splits words (quotes, backslashes; no expansion): checked against sh itself. */
public class ArgumentSplitterTest {
    private static List<String> split(String s) {
        return ArgumentSplitter.split(s);
    }

    @Test
    public void splitsWordsAndQuotes() {
        assertEquals(List.of("a", "b c", "d"), split("a 'b c' \"d\""));
        assertEquals(List.of(), split(""));
        assertEquals(List.of(), split("  \t\n "));
        assertEquals(List.of("a", "b"), split("  a \t\n b  "));
        assertEquals(List.of(""), split("''"));
        assertEquals(List.of("a", "", "b"), split("a \"\" b"));
        assertEquals(List.of("xyz"), split("\"x\"'y'z"));
        assertEquals(List.of("a b"), split("a\\ b"));
        assertEquals(List.of("a\"b"), split("\"a\\\"b\""));
        assertEquals(List.of("a\\b"), split("'a\\b'"));            // no escapes inside single quotes
        assertEquals(List.of("it's"), split("\"it's\""));
        assertEquals(List.of("say \"hi\""), split("'say \"hi\"'"));
        assertEquals(List.of("-DCLASS=B", "-O3"), split("-DCLASS=B -O3"));
        assertEquals(List.of("a\\"), split("a\\"));               // a trailing backslash stays
    }

    @Test
    public void unclosedQuotesAreOneSentence() {
        for (String s : List.of("\"abc", "'abc", "a 'b c", "\"a\\\"")) {
            try {
                List<String> r = split(s);
                fail(s + " gave " + r);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("--args has an unclosed ") && e.getMessage().endsWith(" quote"));
                assertTrue(e.getMessage(), e.getMessage().contains(s.contains("\"") && !s.startsWith("'") && !s.contains(" 'b") ? "\"" : "'"));
            }
        }
    }

    /** What /bin/sh makes of the same words (set -- WORDS; print each). */
    private static List<String> sh(String words) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", "set -- " + words + "\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(out, 0, p.exitValue());
        if (out.isEmpty()) return List.of();
        return new ArrayList<>(Arrays.asList(out.substring(0, out.length() - 1).split("\0", -1)));
    }

    @Test
    public void agreesWithTheShell() throws Exception {
        // Words without expansion characters ($, `, *, ?, [, ~, globs), as a user would pass them to a program.
        for (String s : List.of("a 'b c' \"d\"", "a\\ b c", "\"a\\\"b\"", "'a\\b'", "\"a\\\\b\"", "\"a\\b\"", "\"C:\\dir\\file\"",
                "\"\\n\"", "'\\n'", "\\n", "x\"y z\"w", "'' \"\" x", "\"it's\" 'say \"hi\"'", "-DCLASS=B   -O3", "a\\\\b",
                "\"tab\there\"", "'multi\nline'", "a=b c=\"d e\"", "\\'quoted\\'", "\"\\\\\"")) {
            assertEquals("--args " + s, sh(s), split(s));
        }
    }
}
