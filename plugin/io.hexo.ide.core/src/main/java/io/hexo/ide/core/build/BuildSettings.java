package io.hexo.ide.core.build;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ProjectScope;
import org.eclipse.core.runtime.preferences.IEclipsePreferences;
import org.osgi.service.prefs.BackingStoreException;

import io.hexo.ide.core.HexoCore;

/** The per-project build properties (Project, Properties, hexo Build), stored in .settings/io.hexo.ide.prefs. */
public final class BuildSettings {

    public static final String INSTRUMENT_FUNCTIONS = "instrumentFunctions";
    public static final String CFLAGS = "cflags";
    public static final String OUTPUT_DIR = "outputDir";
    public static final String OUTPUT_DIR_DEFAULT = "build";

    private final IProject project;

    public BuildSettings(IProject project) {
        this.project = project;
    }

    private IEclipsePreferences node() {
        return new ProjectScope(project).getNode(HexoCore.PREFERENCES);
    }

    public boolean instrumentFunctions() {
        return node().getBoolean(INSTRUMENT_FUNCTIONS, false);
    }

    public String cflags() {
        return node().get(CFLAGS, "");
    }

    /** The image directory, relative to the project: holds prog_x86-64 and prog_aarch64. */
    public String outputDir() {
        return node().get(OUTPUT_DIR, OUTPUT_DIR_DEFAULT);
    }

    public void set(boolean instrument, String cflags, String outputDir) {
        IEclipsePreferences n = node();
        n.putBoolean(INSTRUMENT_FUNCTIONS, instrument);
        n.put(CFLAGS, cflags == null ? "" : cflags.trim());
        n.put(OUTPUT_DIR, outputDir == null || outputDir.isBlank() ? OUTPUT_DIR_DEFAULT : outputDir.trim());
        try {
            n.flush();
        } catch (BackingStoreException e) {
            HexoCore.log("cannot store the hexo build settings of " + project.getName(), e);
        }
    }
}
