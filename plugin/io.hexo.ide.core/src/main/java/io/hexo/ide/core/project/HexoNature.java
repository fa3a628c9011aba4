package io.hexo.ide.core.project;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.eclipse.core.resources.ICommand;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IProjectDescription;
import org.eclipse.core.resources.IProjectNature;
import org.eclipse.core.runtime.CoreException;

/** The hexo nature: a project of C sources that {@code hexo build} turns into an x86-64 and an ARM64 image. */
public class HexoNature implements IProjectNature {

    public static final String ID = "io.hexo.ide.core.nature";

    private IProject project;

    @Override
    public void configure() throws CoreException {
        IProjectDescription d = project.getDescription();
        List<ICommand> commands = new ArrayList<>(Arrays.asList(d.getBuildSpec()));
        if (commands.stream().noneMatch(c -> HexoBuilder.ID.equals(c.getBuilderName()))) {
            ICommand c = d.newCommand();
            c.setBuilderName(HexoBuilder.ID);
            commands.add(c);
            d.setBuildSpec(commands.toArray(new ICommand[0]));
            project.setDescription(d, null);
        }
    }

    @Override
    public void deconfigure() throws CoreException {
        IProjectDescription d = project.getDescription();
        d.setBuildSpec(Arrays.stream(d.getBuildSpec()).filter(c -> !HexoBuilder.ID.equals(c.getBuilderName()))
                .toArray(ICommand[]::new));
        project.setDescription(d, null);
    }

    @Override
    public IProject getProject() {
        return project;
    }

    @Override
    public void setProject(IProject project) {
        this.project = project;
    }

    /** Adds the nature (and so the builder) unless the project has it. */
    public static void addTo(IProject project) throws CoreException {
        if (project.hasNature(ID)) {
            return;
        }
        IProjectDescription d = project.getDescription();
        List<String> ids = new ArrayList<>(Arrays.asList(d.getNatureIds()));
        ids.add(ID);
        d.setNatureIds(ids.toArray(new String[0]));
        project.setDescription(d, null);
    }
}
