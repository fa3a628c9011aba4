package io.hexo.cli;

import java.util.ArrayList;
import java.util.List;

/** Splits --args "a 'b c' \"d\"" the way a shell would (quotes and backslashes), without expansion. */
final class ArgumentSplitter {
    private ArgumentSplitter() {}

    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                // Inside double quotes a backslash escapes only ", \, $ and ` (as in sh); before anything else it stays.
                else if (c == '\\' && quote == '"' && i + 1 < s.length() && "\"\\$`".indexOf(s.charAt(i + 1)) >= 0) cur.append(s.charAt(++i));
                else cur.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < s.length()) {
                cur.append(s.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) out.add(cur.toString());
                cur.setLength(0);
                inWord = false;
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (quote != 0) throw new IllegalArgumentException("--args has an unclosed " + quote + " quote");
        if (inWord) out.add(cur.toString());
        return out;
    }
}
