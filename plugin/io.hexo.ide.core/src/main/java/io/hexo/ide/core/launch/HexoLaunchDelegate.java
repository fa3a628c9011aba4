package io.hexo.ide.core.launch;

import java.io.IOException;

import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.LaunchConfigurationDelegate;

import io.hexo.ide.core.HexoCore;
import io.hexo.ide.core.build.HexoBuild;
import io.hexo.ide.core.session.GuestSession;
import io.hexo.ide.core.session.Guests;
import io.hexo.ide.core.session.RunSpec;

/**
 * "Run on x86" and "Run on ARM board": builds first if sources changed, then starts {@code hexo run} in a child
 * process as a {@link GuestSession} (one Console, migrations included). Debug mode adds --verbose (the kernel log)
 * and reports a guest trap in a dialog.
 */
public class HexoLaunchDelegate extends LaunchConfigurationDelegate {

    /** Set to true (system property) to suppress dialogs, e.g. in automated tests. */
    public static final String NO_DIALOGS = "hexo.ide.noDialogs";

    @Override
    public boolean buildForLaunch(ILaunchConfiguration configuration, String mode, IProgressMonitor monitor) {
        return false; // launch() runs hexo build itself, which is incremental and knows when the images are current
    }

    @Override
    public void launch(ILaunchConfiguration config, String mode, ILaunch launch, IProgressMonitor monitor) throws CoreException {
        SubMonitor sub = SubMonitor.convert(monitor, 10);
        // everything that can be known before building is checked first: a launch that cannot run says so at once
        String problem = HexoLaunch.validate(config);
        if (problem != null) {
            throw new CoreException(HexoCore.error(config.getName() + ": " + problem));
        }
        IProject project = HexoLaunch.project(config);
        boolean debug = ILaunchManager.DEBUG_MODE.equals(mode);
        RunSpec spec = HexoLaunch.spec(config, debug);
        // hexo build decides what is out of date (by content) and says "up to date"; the IDE does not second-guess it
        if (!spec.resume()) {
            sub.setTaskName("hexo build " + project.getName());
            try {
                Job.getJobManager().join(HexoBuild.FAMILY, sub.split(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            HexoBuild.Result r = HexoBuild.run(project, sub.split(7));
            if (r.canceled()) {
                return;
            }
            if (!r.ok()) {
                int errors = project.findMarkers(HexoBuild.MARKER, true, IResource.DEPTH_INFINITE).length;
                throw new CoreException(HexoCore.error("The build of " + project.getName() + " failed"
                        + (errors > 0 ? " with " + count(project) + " error(s): see the Problems view" : ": " + r.failure())));
            }
        }
        sub.setWorkRemaining(2);
        GuestSession session = new GuestSession(launch, spec, debug, debug ? Guests.get()::trapped : null);
        try {
            session.start();
        } catch (IOException e) {
            throw new CoreException(HexoCore.error("cannot start hexo run: " + e.getMessage()
                    + " (set hexo home in Window > Preferences > hexo)"));
        }
    }

    private static int count(IProject project) throws CoreException {
        int n = 0;
        for (IMarker m : project.findMarkers(HexoBuild.MARKER, true, IResource.DEPTH_INFINITE)) {
            if (m.getAttribute(IMarker.SEVERITY, 0) == IMarker.SEVERITY_ERROR) {
                n++;
            }
        }
        return n;
    }
}
