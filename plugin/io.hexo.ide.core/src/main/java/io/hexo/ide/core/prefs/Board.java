package io.hexo.ide.core.prefs;

/**
 * An ARM64 board a "Run on ARM board" launch can use. The built-in one runs the aarch64 image on this machine
 * (hexo run --isa arm --engine auto: the process engine under qemu-user); it is implicit and always first. The others
 * are the boards of hexo's one boards file (~/.config/hexo/boards.json, io.hexo.board.Boards), reached over SSH with
 * {@code hexo run --board NAME}; their id is the board's name there.
 */
public record Board(String id, String label, Kind kind, String address) {

    public enum Kind { EMULATED, SSH }

    public static final String EMULATED_ID = "emulated";

    public static final Board EMULATED = new Board(EMULATED_ID, "Built-in ARM64 board (a process under qemu-user on this host)", Kind.EMULATED, null);

    /** A board of hexo's boards file: its name and user@host[:port]. */
    public static Board ssh(String name, String address) {
        return new Board(name, "Board " + name + " (" + address + ", over SSH)", Kind.SSH, address);
    }

    public boolean isSsh() {
        return kind == Kind.SSH;
    }
}
