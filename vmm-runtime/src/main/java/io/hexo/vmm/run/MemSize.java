package io.hexo.vmm.run;

import java.util.Locale;

/** MEM as users of the original wrote it: 2G, 512M, 64K or plain bytes. */
public final class MemSize {
    private MemSize() {}

    public static long parse(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        if (t.endsWith("B")) t = t.substring(0, t.length() - 1);
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K': unit = 1L << 10; break;
                case 'M': unit = 1L << 20; break;
                case 'G': unit = 1L << 30; break;
                case 'T': unit = 1L << 40; break;
                default: unit = 1;
            }
            if (unit != 1) t = t.substring(0, t.length() - 1);
        }
        try {
            long v = Long.parseLong(t.trim());
            if (v <= 0 || v > Long.MAX_VALUE / unit) throw new NumberFormatException();
            return v * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("MEM '" + s + "' is not a memory size: write it like 2G, 512M or 64K");
        }
    }

    public static String format(long bytes) {
        if (bytes % (1L << 30) == 0) return (bytes >> 30) + "G";
        if (bytes % (1L << 20) == 0) return (bytes >> 20) + "M";
        return ((bytes + (1L << 20) - 1) >> 20) + "M";
    }
}
