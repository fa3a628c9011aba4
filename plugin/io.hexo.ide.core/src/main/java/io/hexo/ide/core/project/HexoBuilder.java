package io.hexo.ide.core.project;

import java.util.Map;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IncrementalProjectBuilder;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.jobs.Job;

import io.hexo.ide.core.build.HexoBuild;

/**
 * Project > Build runs {@code hexo build}. Saving a file, or making a project, does not: a dual-ISA compile on every save would compete
 * with the guest the user is watching, and every launch builds first anyway (hexo build is incremental).
 */
public class HexoBuilder extends IncrementalProjectBuilder {

    public static final String ID = "io.hexo.ide.core.builder";

    @Override
    protected IProject[] build(int kind, Map<String, String> args, IProgressMonitor monitor) throws CoreException {
        // The workspace's auto-build calls a builder that never ran with FULL_BUILD (a new project, a nature just
        // added): that is still no request of the user's, so only builds outside the auto-build job run hexo build.
        var job = Job.getJobManager().currentJob();
        boolean auto = kind == AUTO_BUILD || (job != null && job.belongsTo(ResourcesPlugin.FAMILY_AUTO_BUILD));
        if (!auto) {
            HexoBuild.run(getProject(), monitor);
        }
        return null;
    }
}
