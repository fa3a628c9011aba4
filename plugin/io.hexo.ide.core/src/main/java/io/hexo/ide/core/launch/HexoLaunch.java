package io.hexo.ide.core.launch;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchManager;

import io.hexo.ide.core.build.BuildSettings;
import io.hexo.ide.core.prefs.Board;
import io.hexo.ide.core.prefs.HexoPreferences;
import io.hexo.ide.core.session.RunSpec;

/** Launch configuration types, attributes and validation shared by the tabs and the delegate. */
public final class HexoLaunch {

    public static final String TYPE_X86 = "io.hexo.ide.launch.x86";
    public static final String TYPE_BOARD = "io.hexo.ide.launch.board";

    public static final String PROJECT = "io.hexo.ide.project";
    /** Relative to the project; empty = the project's image directory (hexo Build property). */
    public static final String IMAGE_DIR = "io.hexo.ide.imageDir";
    public static final String ARGS = "io.hexo.ide.args";
    public static final String MEM = "io.hexo.ide.mem";
    public static final String VERBOSE = "io.hexo.ide.verbose";
    /** Relative to the project unless absolute; empty = the default checkpoint directory (preferences). */
    public static final String CHECKPOINT_DIR = "io.hexo.ide.checkpointDir";
    /** MIGTEST: seconds after which hexo migrates the guest by itself; 0 = never. */
    public static final String MIGRATE_AFTER = "io.hexo.ide.migrateAfter";
    public static final String RESUME = "io.hexo.ide.resume";
    /**
     * Migrate by post-copy (the original's FULL_CHKPT_SAVE=0): runs on this host start with {@code --full-chkpt-save 0},
     * so that at the migration point the guest's pages are served and the other side resumes at once. hexo fixes this
     * when a run starts; the Migration view's Post-copy box sets it too.
     */
    public static final String POST_COPY = "io.hexo.ide.postCopy";
    /** x86: auto, kvm or process (the CLI's --engine words, "emulated" included). */
    public static final String ENGINE = "io.hexo.ide.engine";
    /** board: the board id (Board.EMULATED_ID, or a board's name in hexo's boards file). */
    public static final String BOARD = "io.hexo.ide.board";

    private HexoLaunch() {
    }

    public static boolean isBoard(ILaunchConfiguration c) throws CoreException {
        return TYPE_BOARD.equals(c.getType().getIdentifier());
    }

    public static IProject project(ILaunchConfiguration c) throws CoreException {
        String name = c.getAttribute(PROJECT, "");
        if (name.isBlank() || !org.eclipse.core.runtime.Path.ROOT.isValidSegment(name)) {
            return null;
        }
        return ResourcesPlugin.getWorkspace().getRoot().getProject(name);
    }

    public static String imageDirName(IProject p, ILaunchConfiguration c) throws CoreException {
        String dir = c.getAttribute(IMAGE_DIR, "");
        return dir.isBlank() ? new BuildSettings(p).outputDir() : dir;
    }

    public static Path resolve(IProject p, String dir) {
        Path d = Path.of(dir);
        return d.isAbsolute() ? d : p.getLocation().toPath().resolve(d).normalize();
    }

    public static Path checkpointDir(IProject p, ILaunchConfiguration c) throws CoreException {
        String dir = c.getAttribute(CHECKPOINT_DIR, "");
        return resolve(p, dir.isBlank() ? HexoPreferences.defaultCheckpointDir() : dir);
    }

    /** The problem with the configuration, for the dialog's message line; null when it can be launched. */
    public static String validate(ILaunchConfiguration c) throws CoreException {
        if (!io.hexo.ide.core.HexoCli.available()) {
            return "hexo is not found at " + io.hexo.ide.core.HexoCli.executable() + ": set hexo home in Window > Preferences > hexo";
        }
        String name = c.getAttribute(PROJECT, "");
        if (name.isBlank()) {
            return "Choose the C project to run";
        }
        IProject p = project(c);
        if (p == null || !p.exists()) {
            return "Project " + name + " does not exist";
        }
        if (!p.isOpen()) {
            return "Project " + name + " is closed";
        }
        String mem = c.getAttribute(MEM, "");
        if (!mem.isBlank() && HexoPreferences.checkMem(mem) != null) {
            return HexoPreferences.checkMem(mem);
        }
        String mig = c.getAttribute(MIGRATE_AFTER, "0");
        if (!mig.isBlank() && !mig.trim().matches("[0-9]{1,6}")) {
            return "Migrate after (MIGTEST) is a number of seconds (0 = never)";
        }
        boolean onSshBoard = isBoard(c) && RunSpec.sshBoard(c.getAttribute(BOARD, Board.EMULATED_ID)) != null;
        if (c.getAttribute(RESUME, false) && !onSshBoard) { // a board keeps its checkpoint in its hexo home
            Path cp = checkpointDir(p, c);
            if (!java.nio.file.Files.isDirectory(cp)) {
                return "Resume: there is no checkpoint directory " + cp;
            }
            if (parseInt(mig) > 0) {
                return "Resume and migrate-after cannot be combined: resume first, then migrate from the Migration view";
            }
        }
        if (isBoard(c)) {
            String boardId = c.getAttribute(BOARD, Board.EMULATED_ID);
            Board b = HexoPreferences.board(boardId);
            if (b == null) {
                return "There is no board " + boardId + " in hexo's boards file: add it in Window > Preferences > hexo"
                        + " (or with hexo board add), or choose another board";
            }
        } else {
            String engine = c.getAttribute(ENGINE, RunSpec.ENGINE_AUTO);
            try {
                io.hexo.vmm.engine.EngineChoice.parse(engine); // the CLI's own words
            } catch (IllegalArgumentException e) {
                return "Engine: " + e.getMessage();
            }
        }
        return null;
    }

    static int parseInt(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The hexo run parameters of a configuration. */
    public static RunSpec spec(ILaunchConfiguration c, boolean debug) throws CoreException {
        IProject p = project(c);
        boolean board = isBoard(c);
        Map<String, String> env = new LinkedHashMap<>(c.getAttribute(ILaunchManager.ATTR_ENVIRONMENT_VARIABLES, Map.of()));
        String mem = c.getAttribute(MEM, "");
        String imageDir = imageDirName(p, c);
        return new RunSpec(
                p.getName() + "/" + imageDir,
                resolve(p, imageDir),
                p.getLocation().toPath(),
                board ? RunSpec.ISA_ARM : RunSpec.ISA_X86,
                c.getAttribute(ENGINE, RunSpec.ENGINE_AUTO),
                board ? c.getAttribute(BOARD, Board.EMULATED_ID) : Board.EMULATED_ID,
                c.getAttribute(ARGS, ""),
                env,
                mem.isBlank() ? HexoPreferences.defaultMem() : mem,
                debug || c.getAttribute(VERBOSE, false),
                checkpointDir(p, c),
                parseInt(c.getAttribute(MIGRATE_AFTER, "0")),
                c.getAttribute(RESUME, false),
                c.getAttribute(POST_COPY, false));
    }
}
