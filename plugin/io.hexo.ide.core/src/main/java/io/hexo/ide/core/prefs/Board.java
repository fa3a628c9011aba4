package io.hexo.ide.core.prefs;

/**
 * An ARM64 board a "Run on ARM board" launch can use. The built-in one runs the aarch64 image on this machine
 * (hexo run --isa arm --engine auto: the process engine under qemu-user). SSH boards ({@code user@host[:port]}) are
 * listed and stored, and their connection can be tested (hexo board test); launching on them is refused at once.
 */
public record Board(String id, String label, Kind kind, String address) {

    public enum Kind { EMULATED, SSH }

    public static final String EMULATED_ID = "emulated";

    public static final Board EMULATED = new Board(EMULATED_ID, "Built-in ARM64 board (a process under qemu-user on this host)", Kind.EMULATED, null);

    /** Stored form: {@code ssh:user@host[:port]}; the emulated board is implicit. */
    public String encode() {
        return kind == Kind.SSH ? "ssh:" + address : EMULATED_ID;
    }

    public static Board decode(String s) {
        if (s == null || s.isBlank() || s.equals(EMULATED_ID)) {
            return EMULATED;
        }
        if (s.startsWith("ssh:")) {
            String addr = s.substring(4);
            return new Board(s, "SSH board " + addr, Kind.SSH, addr);
        }
        return null;
    }

    /** Validation of a {@code user@host[:port]} address; null when fine. */
    public static String checkSshAddress(String addr) {
        if (addr == null || !addr.matches("[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
            return "An SSH board is written user@host or user@host:port";
        }
        return null;
    }
}
