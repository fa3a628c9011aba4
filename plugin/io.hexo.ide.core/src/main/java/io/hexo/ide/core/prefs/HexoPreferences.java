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
    public static final String BOARDS = "boards";

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

    /** The built-in emulated board first, then the SSH boards the user added. */
    public static List<Board> boards() {
        List<Board> boards = new ArrayList<>();
        boards.add(Board.EMULATED);
        for (String s : node().get(BOARDS, "").split(",")) {
            Board b = Board.decode(s.trim());
            if (b != null && b.kind() == Board.Kind.SSH) {
                boards.add(b);
            }
        }
        return boards;
    }

    public static Board board(String id) {
        for (Board b : boards()) {
            if (b.id().equals(id)) {
                return b;
            }
        }
        return null;
    }

    /** MEM as hexo run takes it: a number with an optional K, M or G. Null when fine. */
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
