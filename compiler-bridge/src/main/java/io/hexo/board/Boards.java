package io.hexo.board;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The boards a user configured, in one file that the CLI and the IDE's preference page both edit:
 * ~/.config/hexo/boards.json ($XDG_CONFIG_HOME respected; HEXO_CONFIG_HOME overrides, for tests).
 * Written atomically (temporary file, then rename), so a crash never leaves half a file.
 */
public final class Boards {
    private static final Gson JSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
    private final Path file;

    public Boards(Path file) {
        this.file = file;
    }

    /** The user's board file. */
    public static Boards ofUser() {
        return ofUser(System::getenv);
    }

    /** The board file of a hexo with that environment. */
    static Boards ofUser(java.util.function.Function<String, String> env) {
        String hexo = env.apply("HEXO_CONFIG_HOME"), xdg = env.apply("XDG_CONFIG_HOME");
        Path dir = hexo != null && !hexo.isEmpty() ? Path.of(hexo)
                : (xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config")).resolve("hexo");
        return new Boards(dir.resolve("boards.json"));
    }

    public Path file() { return file; }

    public List<Board> list() throws IOException {
        if (!Files.exists(file)) return List.of();
        try {
            List<Board> boards = JSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), new TypeToken<List<Board>>() {}.getType());
            return boards == null ? List.of() : List.copyOf(boards);
        } catch (JsonParseException | IllegalArgumentException e) {
            throw new IOException(file + " is not a list of boards (" + e.getMessage() + "): fix or remove it");
        }
    }

    public Optional<Board> find(String name) throws IOException {
        return list().stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /** The board of that name, or a sentence naming the ones there are. */
    public Board get(String name) throws IOException {
        Optional<Board> b = find(name);
        if (b.isPresent()) return b.get();
        List<String> names = list().stream().map(Board::name).toList();
        throw new IllegalArgumentException("there is no board named " + name + " in " + file
                + (names.isEmpty() ? ": add one with `hexo board add`" : " (there are: " + String.join(", ", names) + ")"));
    }

    /** Adds or replaces the board of that name. */
    public void put(Board board) throws IOException {
        List<Board> boards = new ArrayList<>(list());
        boards.removeIf(b -> b.name().equals(board.name()));
        boards.add(board);
        write(boards);
    }

    /** Whether there was such a board. */
    public boolean remove(String name) throws IOException {
        List<Board> boards = new ArrayList<>(list());
        boolean removed = boards.removeIf(b -> b.name().equals(name));
        if (removed) write(boards);
        return removed;
    }

    private void write(List<Board> boards) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, JSON.toJson(boards) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
