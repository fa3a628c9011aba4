package io.hexo.board;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The board-side half of a warm `hexo run --board`: a spare hexo JVM per runtime, started after a run
 * ends and waiting, under its own hexo-supervise, in HOME/spares/RUNTIME-N for the arguments of the next
 * run, so that run starts without a JVM start. A run claims a spare by renaming its directory into
 * runs/ID (one rename wins; the supervisor works in its directory by relative paths, so it follows) and
 * writes its arguments into the spare's FIFO; from then on the run is like any other — detached from the
 * connection, in runs/ID for `hexo board ps` and `--attach`. No socket listens on the board: sshd's login
 * is the only door. A spare whose hexo died is not used (the run starts its own JVM), one of another
 * runtime (hexo was redeployed) is stopped, and one left alone for its idle time leaves by itself.
 */
public final class Spares {
    private Spares() {}

    /**
     * Shell for the start script: claims a live spare of runtime rid into "$d" (setting s=1), given
     * $H (the board's hexo home, absolute) and $d (the run's directory, not yet there).
     */
    static String claim(String rid) {
        return String.join("\n",
                "s=",
                "for x in \"$H/spares/" + rid + "-\"*; do",
                "  [ -e \"$x/ready\" ] && mv \"$x\" \"$d\" 2>/dev/null || continue",
                "  if kill -0 \"$(cat \"$d/pid\")\" 2>/dev/null; then s=1; break; fi",
                "  mv \"$d\" \"$d.dead\" && rm -rf \"$d.dead\"", // its hexo is gone: it is no run of anybody's
                "done");
    }

    /**
     * Shell for the end of a followed run (no spare where the file system has no FIFOs, e.g. 9p): one spare of runtime ridExpr (a shell expression) waits
     * unless one already does; spares of other runtimes are stopped. Everything of it is detached.
     */
    static String makeOneAfterRun(String home, String ridExpr) {
        return String.join("\n",
                "r=" + ridExpr + "; H=$(cd " + BoardTransfer.quote(home) + " && pwd)",
                "if [ -n \"$r\" ] && [ -e \"$H/runtime/$r/.ready\" ]; then",
                "  mkdir -p \"$H/spares\"",
                "  for x in \"$H/spares/\"*; do case \"${x##*/}\" in \"$r\"-*) ;; *) " + stopOne("$x") + " ;; esac; done",
                "  set -- \"$H/spares/$r\"-*",
                "  if [ ! -e \"$1\" ]; then",
                "    x=\"$H/spares/$r-$$\"; mkdir \"$x\" && { mkfifo \"$x/args\" 2>/dev/null || { rm -rf \"$x\"; false; }; } && (setsid \"$H/runtime/$r/bin/hexo-supervise\" \"$x\" \"$H/runtime/$r/hexo\""
                        + " board spare --idle " + BoardHolder.idleSeconds() + " \"$x/args\" < /dev/null > /dev/null 2>&1 &)",
                "  fi",
                "fi");
    }

    /** Shell stopping every spare and then the agent(s) on the board (`hexo board disconnect`). */
    static String stopAll(String home) {
        String h = BoardTransfer.quote(home);
        return "if cd " + h + "/spares 2>/dev/null; then for x in *; do " + stopOne("$x") + "; done; fi; cd && cd " + h
                + "/agents 2>/dev/null || exit 0; for f in *.json; do [ -e \"$f\" ] && p=$(sed -n 's/.*\"pid\":\\([0-9]*\\).*/\\1/p' \"$f\")"
                + " && rm -f \"$f\" && kill \"$p\" 2>/dev/null; done; true";
    }

    /** Shell: the spare in dir x stops (when nobody claimed it first: the rename decides). */
    private static String stopOne(String x) {
        return "{ [ -e \"" + x + "/pid\" ] && mv \"" + x + "\" \"" + x + ".old\" 2>/dev/null && { kill \"$(cat \"" + x
                + ".old/pid\")\" 2>/dev/null; rm -rf \"" + x + ".old\"; }; }";
    }

    /**
     * The spare's JVM (`hexo board spare --idle S FIFO`): opens FIFO, warms up, marks itself ready (only
     * then may a run claim it), waits for a run's arguments on FIFO and runs them as `hexo ARGS...` would;
     * after idleSeconds unclaimed it leaves.
     */
    public static void await(Path fifo, long idleSeconds, Runnable warmUp, java.util.function.Consumer<String[]> run) throws IOException {
        Path dir = fifo.toAbsolutePath().getParent();
        Thread idle = new Thread(() -> {
            try {
                Thread.sleep(idleSeconds * 1000);
                Path gone = dir.resolveSibling(dir.getFileName() + ".old");
                Files.move(dir, gone, StandardCopyOption.ATOMIC_MOVE); // fails when a run claimed it: then it stays
                try (var files = Files.walk(gone)) {
                    for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
                Runtime.getRuntime().halt(0);
            } catch (IOException | InterruptedException claimed) {
                // a run has it
            }
        }, "hexo-spare-idle");
        idle.setDaemon(true);
        idle.start();
        List<String> args = new ArrayList<>();
        // Read-write: the open does not wait for a writer, and the FIFO is ours before the spare is
        // claimable (a claim renames the directory, so a path opened later would no longer be there).
        try (java.io.RandomAccessFile fd = new java.io.RandomAccessFile(fifo.toFile(), "rw")) {
            warmUp.run();
            Files.createFile(dir.resolve("ready"));
            // "N\0" then N arguments, each ended by \0 (the start script's printf); buffered: the FIFO carries
            // nothing else, and a read per byte cost a warm run ~10 ms
            java.io.InputStream in = new java.io.BufferedInputStream(new java.io.FileInputStream(fd.getFD()), 8192);
            int n = Integer.parseInt(readUntilNul(in));
            idle.interrupt();
            for (int i = 0; i < n; i++) args.add(readUntilNul(in));
        }
        if (args.isEmpty()) System.exit(0);
        run.accept(args.toArray(String[]::new));
    }

    private static String readUntilNul(java.io.InputStream in) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int c; (c = in.read()) != 0; ) {
            if (c < 0) throw new java.io.EOFException("the run's arguments ended early");
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
