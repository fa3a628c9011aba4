package io.hexo.ide.core.prefs;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.runtime.preferences.IEclipsePreferences;
import org.eclipse.core.runtime.preferences.InstanceScope;

import io.hexo.ide.core.HexoCore;
import io.hexo.vmm.run.MemSize;

/** The hexo preferences (Window, Preferences, hexo), stored in the instance scope of io.hexo.ide. */
public final class HexoPreferences {

    public static final String HEXO_HOME = "hexoHome";
    public static final String DEFAULT_MEM = "defaultMem";
    public static final String DEFAULT_CHECKPOINT_DIR = "defaultCheckpointDir";

    public static final String MEM_DEFAULT = "2G";
    public static final String CHECKPOINT_DIR_DEFAULT = "checkpoint";

    private HexoPreferences() {
    }

    public static IEclipsePreferences node() {
        return InstanceScope.INSTANCE.getNode(HexoCore.PREFERENCES);
    }

    public static String hexoHome() {
        return node().get(HEXO_HOME, "");
    }

    public static String defaultMem() {
        return node().get(DEFAULT_MEM, MEM_DEFAULT);
    }

    /** Relative to the project unless absolute. */
    public static String defaultCheckpointDir() {
        return node().get(DEFAULT_CHECKPOINT_DIR, CHECKPOINT_DIR_DEFAULT);
    }

    /** The boards as hexo board list --json last said (null: ask again). */
    private static volatile List<Board> boards;

    /**
     * The built-in board first, then the boards of hexo's boards file (hexo board list --json: the one file the command
     * line edits too). Asked once and kept until {@link #boardsChanged()}; the preference page asks again when opened.
     */
    public static List<Board> boards() {
        List<Board> known = boards;
        if (known != null) {
            return known;
        }
        List<Board> list = new ArrayList<>();
        list.add(Board.EMULATED);
        BoardCheck.Result r = BoardCheck.hexo("board", "list", "--json");
        if (r.ok()) {
            try {
                com.google.gson.JsonArray a = com.google.gson.JsonParser.parseString(r.report()).getAsJsonArray();
                for (com.google.gson.JsonElement e : a) {
                    com.google.gson.JsonObject o = e.getAsJsonObject();
                    int port = o.get("port").getAsInt();
                    list.add(Board.ssh(o.get("name").getAsString(),
                            o.get("user").getAsString() + "@" + o.get("host").getAsString() + (port == 22 ? "" : ":" + port)));
                }
            } catch (RuntimeException e) {
                HexoCore.log("hexo board list --json said: " + r.report(), e);
            }
        } else {
            HexoCore.log("hexo board list --json: " + r.report(), null);
        }
        boards = List.copyOf(list);
        return boards;
    }

    /** The boards file changed (added, removed, or the user asked to look again). */
    public static void boardsChanged() {
        boards = null;
    }

    public static Board board(String id) {
        for (Board b : boards()) {
            if (b.id().equals(id)) {
                return b;
            }
        }
        return null;
    }

    /** Why mem is not a memory size, in hexo run's own words (its parser), or null. */
    public static String checkMem(String mem) {
        try {
            MemSize.parse(mem == null ? "" : mem);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
