package io.hexo.vmm.checkpoint;

/**
 * A string from a checkpoint, fit for a terminal: a crafted manifest must not be able to send escape
 * sequences through `hexo inspect` or an error message. Control characters become \xNN.
 */
public final class Printable {
    private Printable() {}

    public static String of(String s) {
        if (s == null) return null;
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
                b.append(String.format("\\x%02x", c & 0xFF));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
