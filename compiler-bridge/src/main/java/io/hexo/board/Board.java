package io.hexo.board;

/**
 * An ARM64 (or any) Linux machine hexo reaches over SSH: the original's ARM_TARGET_IP, ARM_TARGET_USER
 * and ARM_TARGET_HOME, with a name. No password is ever stored: keys (a file, or the user's defaults).
 *
 * @param key a private key file, or null for the user's default keys (~/.ssh/id_ed25519, id_ecdsa, id_rsa)
 * @param home where hexo keeps its runtime and images on the board (default ~/hexo)
 */
public record Board(String name, String host, int port, String user, String key, String home) {
    public Board {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("board name '" + name + "': use letters, digits, '.', '_' or '-' (at most 64)");
        }
        if (host == null || host.isBlank()) throw new IllegalArgumentException("board " + name + " needs --host");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("board " + name + ": --port " + port + " is not a TCP port");
        if (user == null || user.isBlank()) throw new IllegalArgumentException("board " + name + " needs --user");
        if (home == null || home.isBlank()) home = "hexo";
    }

    /** user@host:port, as SSH users write it. */
    public String address() {
        return user + "@" + host + (port == 22 ? "" : ":" + port);
    }
}
