package io.hexo.board;

import java.util.ArrayList;
import java.util.List;

/**
 * What `hexo board test` reports, for the CLI and for the IDE's Test Connection button alike: log in
 * (host key checked) and ask the board's own shell for its ISA, kernel, engine, Java, memory and disk.
 */
public final class BoardProbe {
    private BoardProbe() {}

    /** One line per fact, from the board's POSIX sh (boards are plain Linux machines). */
    private static final String PROBE = String.join("; ",
            "echo \"isa $(uname -m)\"",
            "echo \"kernel $(uname -r)\"",
            "if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then echo 'engine KVM (/dev/kvm)'; else echo 'engine process (no usable /dev/kvm)'; fi",
            "echo \"java $(java -version 2>&1 | head -n 1 || true)\"",
            "echo \"memory $(awk '/MemAvailable/ {printf \"%d MiB available\", $2/1024}' /proc/meminfo)\"",
            "echo \"disk $(df -Pm \"$HOME\" | awk 'NR==2 {printf \"%d MiB free in %s\", $4, $6}')\"");

    /**
     * The report's lines: first "board NAME: user@host, host key SHA256:…", then "  isa …", "  kernel …",
     * "  engine …", "  java …", "  memory …", "  disk …". Throws with the one sentence to show when the
     * board cannot be reached, refuses the key, or presents an unknown or changed host key.
     */
    public static List<String> report(Board board) throws BoardException {
        try (BoardSession s = BoardSession.open(board, BoardSession.HostKeys.KNOWN_ONLY)) {
            List<String> lines = new ArrayList<>();
            lines.add("board " + board.name() + ": " + board.address() + ", host key " + s.hostKeyFingerprint());
            s.exec(PROBE).lines().forEach(l -> lines.add("  " + l));
            return lines;
        }
    }
}
