package io.hexo.ide.core.project;

import java.util.Map;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IncrementalProjectBuilder;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;

import io.hexo.ide.core.build.HexoBuild;

/**
 * Project > Build runs {@code hexo build}. Saving a file does not: a dual-ISA compile on every save would compete
 * with the guest the user is watching, and every launch builds first anyway (hexo build is incremental).
 */
public class HexoBuilder extends IncrementalProjectBuilder {

    public static final String ID = "io.hexo.ide.core.builder";

    @Override
    protected IProject[] build(int kind, Map<String, String> args, IProgressMonitor monitor) throws CoreException {
        if (kind != AUTO_BUILD) {
            HexoBuild.run(getProject(), monitor);
        }
        return null;
    }
}
