package io.hexo.vmm.abi;

import java.util.Locale;

/** The two instruction sets a hexo image pair targets, with the names users of the original know. */
public enum Isa {
    X86_64("x86", "x86-64", "prog_x86-64"),
    AARCH64("arm", "aarch64", "prog_aarch64");

    private final String shortName;
    private final String displayName;
    private final String imageName;

    Isa(String shortName, String displayName, String imageName) {
        this.shortName = shortName;
        this.displayName = displayName;
        this.imageName = imageName;
    }

    /** "x86" or "arm", as in {@code hexo run --isa x86} and the original's {@code make test-arm}. */
    public String shortName() { return shortName; }

    public String displayName() { return displayName; }

    /** The image file name in a build output directory. */
    public String imageName() { return imageName; }

    public Isa other() { return this == X86_64 ? AARCH64 : X86_64; }

    /** The ISA of the machine this JVM runs on, or null when it is neither. */
    public static Isa host() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (arch.equals("amd64") || arch.equals("x86_64")) return X86_64;
        if (arch.equals("aarch64") || arch.equals("arm64")) return AARCH64;
        return null;
    }

    /** Accepts x86, x86-64, x86_64, amd64, arm, arm64, aarch64. */
    public static Isa parse(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "x86": case "x86-64": case "x86_64": case "amd64": return X86_64;
            case "arm": case "arm64": case "aarch64": return AARCH64;
            default: throw new IllegalArgumentException("unknown ISA '" + s + "': use x86 or arm");
        }
    }
}
