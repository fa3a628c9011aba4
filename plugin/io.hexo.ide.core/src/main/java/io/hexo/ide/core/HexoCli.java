package io.hexo.ide.core;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import io.hexo.ide.core.prefs.HexoPreferences;

/**
 * Where the {@code hexo} launcher is. The IDE only ever runs hexo as a child process: {@code HEXO_HOME/hexo}.
 * Looked up in order: the preference "hexo home", the system property {@code hexo.home} (set by tools/ide/launch.sh),
 * the environment variable {@code HEXO_HOME}, then {@code hexo} on the PATH.
 */
public final class HexoCli {

    private HexoCli() {
    }

    /** The hexo installation (repository root), or null when only a hexo on the PATH is known. */
    public static Path home() {
        String pref = HexoPreferences.hexoHome();
        if (pref != null && !pref.isBlank()) {
            return Path.of(pref);
        }
        String prop = System.getProperty("hexo.home");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("HEXO_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return null;
    }

    /** The command that starts hexo: {@code HOME/hexo}, or {@code hexo} from the PATH. */
    public static String executable() {
        Path home = home();
        if (home != null) {
            return home.resolve("hexo").toString();
        }
        Path onPath = which("hexo");
        return onPath != null ? onPath.toString() : "hexo";
    }

    /** True when the launcher script exists and is executable. */
    public static boolean available() {
        Path p = Path.of(executable());
        return p.isAbsolute() ? Files.isExecutable(p) : which("hexo") != null;
    }

    /** A program on the PATH, or null. */
    public static Path which(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            path = "/usr/local/bin:/usr/bin:/bin";
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }
}
