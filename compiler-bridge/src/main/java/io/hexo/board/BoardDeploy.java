package io.hexo.board;

import io.hexo.build.HexoHome;
import io.hexo.vmm.abi.Isa;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Puts on a board what `hexo run --board` needs there: hexo's runtime (the `hexo` launcher, its jars, the
 * process engine's loader source, the run supervisor) and the image pair. Every file is stored once, by
 * its SHA-256, in HOME/blobs, and a set of files becomes a directory of hard links named by the hash of
 * the whole set (HOME/runtime/H, HOME/images/H) that appears atomically (built as H.tmp, marked .ready,
 * renamed): a set that is there is there whole, nothing that is there is sent again, and a new build
 * sends only the files it changed. Every blob is checked by the board's own sha256sum before it counts.
 */
public final class BoardDeploy {
    private BoardDeploy() {}

    /** The launcher runs this Java or newer (the release hexo is compiled for). */
    static final int MIN_JAVA = 17;

    /** One file of a set: where it goes in the set's directory, and what it holds. */
    record Item(String path, Path file, byte[] bytes, boolean executable, String sha256) {
        long size() {
            try {
                return bytes != null ? bytes.length : Files.size(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        InputStream open() throws IOException {
            return bytes != null ? new java.io.ByteArrayInputStream(bytes) : Files.newInputStream(file);
        }
    }

    /** A set of files named by the hash of what they hold and where they go. */
    record FileSet(String kind, List<Item> items, String id) {
        static FileSet of(String kind, List<Item> items) {
            StringBuilder all = new StringBuilder();
            items.stream().sorted(Comparator.comparing(Item::path))
                    .forEach(i -> all.append(i.sha256()).append(i.executable() ? " x " : "   ").append(i.path()).append('\n'));
            return new FileSet(kind, List.copyOf(items), Hashes.sha256(all.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 20));
        }

        /** Its directory on the board, under the board's hexo home (a shell word, quoted by the caller). */
        String dir(String home) {
            return home + "/" + kind + "/" + id;
        }
    }

    /** What a run on the board uses: the runtime and the images, as local sets. */
    public record Plan(FileSet runtime, FileSet images) {
        public String runtimeDir(String home) { return runtime.dir(home); }
        public String imagesDir(String home) { return images.dir(home); }
    }

    /** The sets for these images and this hexo, hashed here (nothing is sent yet). */
    public static Plan plan(Path images) throws BoardException {
        List<Item> img = new ArrayList<>();
        for (Isa isa : Isa.values()) {
            Path p = images.resolve(isa.imageName());
            if (!Files.isRegularFile(p)) {
                throw new BoardException(images + " has no " + isa.imageName() + ": build the pair first with `hexo build -o " + images + " SRC`");
            }
            img.add(item(isa.imageName(), p, false));
        }
        return new Plan(FileSet.of("runtime", runtimeItems()), FileSet.of("images", img));
    }

    /** The runtime's set alone (what a board's agent runs from). */
    static FileSet runtimeSet() throws BoardException {
        return FileSet.of("runtime", runtimeItems());
    }

    /** Sends whatever of the plan the board lacks; progress lines go to progress. */
    public static void deploy(BoardSession board, String home, Plan plan, Consumer<String> progress) throws BoardException {
        deploy(board, home, List.of(plan.runtime(), plan.images()), progress);
    }

    /**
     * The same for any sets. Another hexo may deploy the same files at the same moment (a command and
     * the board's holder starting the agent): each writes its own .part names and assembles in its own
     * directory, and the first whole set to be renamed into place stays.
     */
    static void deploy(BoardSession board, String home, List<FileSet> sets, Consumer<String> progress) throws BoardException {
        checkJava(board);
        String mine = Long.toHexString(new java.security.SecureRandom().nextLong() & Long.MAX_VALUE);
        Map<String, Item> byHash = new LinkedHashMap<>();
        for (FileSet set : sets) for (Item i : set.items()) byHash.putIfAbsent(i.sha256(), i);
        String blobs = home + "/blobs";
        StringBuilder ask = new StringBuilder("mkdir -p " + q(blobs) + " && cd " + q(blobs) + " && for h in");
        byHash.keySet().forEach(h -> ask.append(' ').append(h));
        ask.append("; do [ -e \"$h\" ] || echo \"$h\"; done");
        Set<String> missing = Set.copyOf(board.exec(ask.toString()).lines().map(String::trim).filter(l -> !l.isEmpty()).toList());
        long total = missing.stream().mapToLong(h -> byHash.get(h).size()).sum();
        if (!missing.isEmpty()) {
            progress.accept("deploying to board " + board.name() + ": " + missing.size() + " of " + byHash.size() + " files, " + Progress.mb(total));
            // Each blob through a channel whose far end hashes it as it arrives (not one stream cut by `head -c`
            // there: not every board's head reads no further than it writes). The board's checksum decides.
            Map<String, String> got = new LinkedHashMap<>();
            long done = 0;
            for (String h : missing) {
                Item i = byHash.get(h);
                java.io.ByteArrayOutputStream reply = new java.io.ByteArrayOutputStream(), err = new java.io.ByteArrayOutputStream();
                BoardLink.Input in = i.bytes() != null ? BoardLink.Input.of(i.bytes()) : BoardLink.Input.of(i.file(), 0, null);
                int status = board.call("cd " + q(blobs) + " && tee " + h + ".part." + mine + " | { " + Hashes.SHELL_SHA256 + "; }", in, reply, err);
                if (status != 0) {
                    throw new BoardException("sending hexo to board " + board.name() + " failed: " + err.toString(StandardCharsets.UTF_8).strip()
                            + "; run again (what arrived is kept)");
                }
                got.put(h, reply.toString(StandardCharsets.UTF_8).trim().split("\\s+")[0]);
                done += i.size();
                progress.accept("  " + i.path() + " (" + Progress.mb(i.size()) + ", " + Progress.mb(done) + " of " + Progress.mb(total) + ")");
            }
            StringBuilder commit = new StringBuilder("cd " + q(blobs));
            for (String h : missing) {
                if (!h.equals(got.get(h))) {
                    board.exec("rm -f " + q(blobs + "/" + h + ".part." + mine));
                    throw new BoardException(byHash.get(h).path() + " did not arrive intact on board " + board.name() + " (checksum differs): run again");
                }
                commit.append(" && mv -f ").append(h).append(".part.").append(mine).append(' ').append(h);
            }
            // one command (on many boards each costs a login shell); the cd in a subshell: home may be relative
            board.exec("( " + commit + " ) && " + assembly(home, sets, mine));
            return;
        }
        board.exec(assembly(home, sets, mine));
    }

    private static String assembly(String home, List<FileSet> sets, String mine) {
        List<String> each = new ArrayList<>();
        for (FileSet set : sets) each.add(assemble(home, set, mine));
        return String.join(" && ", each);
    }

    /** Hard links (copies where the file system has none) from the blobs into the set's directory, made whole before it is named. */
    private static String assemble(String home, FileSet set, String mine) {
        String dir = set.dir(home), tmp = dir + ".tmp." + mine;
        StringBuilder sh = new StringBuilder("[ -e " + q(dir + "/.ready") + " ] && exit 0; rm -rf " + q(tmp) + " && mkdir -p " + q(tmp));
        for (Item i : set.items()) {
            String target = tmp + "/" + i.path(), blob = home + "/blobs/" + i.sha256();
            int slash = i.path().lastIndexOf('/');
            if (slash > 0) sh.append(" && mkdir -p ").append(q(tmp + "/" + i.path().substring(0, slash)));
            sh.append(" && { ln -f ").append(q(blob)).append(' ').append(q(target)).append(" 2>/dev/null || cp ").append(q(blob)).append(' ').append(q(target)).append("; }");
            if (i.executable()) sh.append(" && chmod 755 ").append(q(target));
        }
        // a directory without .ready is a leftover; a whole one that another hexo put there first stays
        sh.append(" && touch ").append(q(tmp + "/.ready")).append(" && { [ -e ").append(q(dir + "/.ready")).append(" ] || rm -rf ").append(q(dir))
                .append("; } && { mv -T ").append(q(tmp)).append(' ').append(q(dir)).append(" 2>/dev/null || rm -rf ").append(q(tmp)).append("; }");
        return "( " + sh + " )"; // a subshell: its `exit 0` (the set is there) ends only its own part
    }

    /** One sentence when the board has no Java hexo can run on. */
    private static void checkJava(BoardSession board) throws BoardException {
        String v = board.execIgnoringStatus("java -version 2>&1 || echo 'hexo: no java'");
        if (v.contains("hexo: no java") || !v.contains("version")) {
            throw new BoardException("board " + board.name() + " has no Java (no `java` on its PATH): hexo runs there on Java " + MIN_JAVA
                    + " or newer, so install one (Debian: apt-get install openjdk-17-jre-headless) and run again");
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("version \"(1\\.)?(\\d+)").matcher(v);
        if (m.find() && Integer.parseInt(m.group(2)) < MIN_JAVA) {
            throw new BoardException("board " + board.name() + " has Java " + m.group(2) + ", but hexo needs " + MIN_JAVA
                    + " or newer there: install one (Debian: apt-get install openjdk-17-jre-headless) and run again");
        }
    }

    /** The `hexo` launcher and the jars it runs, laid out as in a checkout, so the same launcher runs there. */
    private static List<Item> runtimeItems() throws BoardException {
        Path home = HexoHome.get();
        Path target = home.resolve("compiler-bridge/target");
        List<Item> items = new ArrayList<>();
        items.add(item("hexo", home.resolve("hexo"), true));
        try (Stream<Path> jars = Files.list(target)) {
            for (Path jar : jars.filter(p -> p.getFileName().toString().matches("compiler-bridge-[^-]+(-SNAPSHOT)?\\.jar")).toList()) {
                items.add(item("compiler-bridge/target/" + jar.getFileName(), jar, false));
            }
            try (Stream<Path> lib = Files.list(target.resolve("lib"))) {
                for (Path jar : lib.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                    items.add(item("compiler-bridge/target/lib/" + jar.getFileName(), jar, false));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new BoardException("hexo's jars are not built in " + target + ": run `mvn -q -B -DskipTests package` in " + home + " first");
        }
        if (items.size() < 3) throw new BoardException("hexo's jars are not built in " + target + ": run `mvn -q -B -DskipTests package` in " + home + " first");
        items.add(item("resources/loader/loader.c", home.resolve("resources/loader/loader.c"), false));
        items.add(item("resources/guest/include/hexo_abi.h", home.resolve("resources/guest/include/hexo_abi.h"), false));
        try (InputStream in = BoardDeploy.class.getResourceAsStream("hexo-supervise.sh")) {
            byte[] script = in.readAllBytes();
            items.add(new Item("bin/hexo-supervise", null, script, true, Hashes.sha256(script)));
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("hexo-supervise.sh is missing from hexo's jar", e);
        }
        return items;
    }

    private static Item item(String path, Path file, boolean executable) throws BoardException {
        try {
            return new Item(path, file, null, executable, Hashes.sha256Remembered(file));
        } catch (IOException e) {
            throw new BoardException("cannot read " + file + " (" + e.getMessage() + "): reinstall hexo");
        }
    }

    static String q(String s) {
        return BoardTransfer.quote(s);
    }
}
