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

    /**
     * MEM for a guest on this machine. Guest memory is reserved lazily, so MEM above the machine's memory
     * works as long as the program touches less — the default 2G on a small board does. What is refused
     * is a size that is both more than the machine has and more than a wasm32 program can ever use (its
     * linear memory stops at 4 GiB): a typing error, which would otherwise surface as the kernel's bare
     * "Cannot allocate memory".
     */
    public static long checkFitsHere(long bytes) {
        long total = machineMemory();
        if (total > 0 && bytes > total && bytes > USABLE_BY_WASM32) {
            throw new IllegalArgumentException("MEM=" + format(bytes) + " is more than this machine's memory (" + format(total)
                    + ") and more than a wasm32 program can use: give --mem " + format(Math.min(total, USABLE_BY_WASM32) & ~((1L << 20) - 1))
                    + " or less");
        }
        return bytes;
    }

    /** 4 GiB of linear memory plus room for the image and the kernel's stack. */
    private static final long USABLE_BY_WASM32 = (4L << 30) + (256L << 20);

    /** MemTotal from /proc/meminfo, or 0 where it cannot be read. */
    static long machineMemory() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // not Linux, or an unusual /proc: no check
        }
        return 0;
    }

    public static String format(long bytes) {
        if (bytes % (1L << 30) == 0) return (bytes >> 30) + "G";
        if (bytes % (1L << 20) == 0) return (bytes >> 20) + "M";
        return ((bytes + (1L << 20) - 1) >> 20) + "M";
    }
}
