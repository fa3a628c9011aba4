package io.hexo.ide.launch;

import java.nio.file.Files;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.jface.viewers.LabelProvider;
import org.eclipse.swt.SWT;
import org.eclipse.swt.events.SelectionAdapter;
import org.eclipse.swt.events.SelectionEvent;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Text;
import org.eclipse.ui.dialogs.ElementListSelectionDialog;

import io.hexo.ide.core.build.HexoBuild;
import io.hexo.ide.core.launch.HexoLaunch;

/** Project and image directory, and the guest's command-line arguments (ARGS). */
public class MainTab extends HexoTab {

    private Text project;
    private Text imageDir;
    private Text args;

    public MainTab(boolean board) {
        super(board);
    }

    @Override
    public String getName() {
        return "Main";
    }

    @Override
    public void createControl(Composite parent) {
        Composite c = new Composite(parent, SWT.NONE);
        c.setLayout(new GridLayout(1, false));
        setControl(c);

        Group g = new Group(c, SWT.NONE);
        g.setText("Program");
        g.setLayout(new GridLayout(3, false));
        g.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        project = text(g, "&Project:", "the C project");
        Button browse = new Button(g, SWT.PUSH);
        browse.setText("&Browse...");
        browse.addSelectionListener(new SelectionAdapter() {
            @Override
            public void widgetSelected(SelectionEvent e) {
                ElementListSelectionDialog d = new ElementListSelectionDialog(getShell(), new LabelProvider() {
                    @Override
                    public String getText(Object element) {
                        return ((IProject) element).getName();
                    }
                });
                d.setTitle("C project");
                d.setMessage("The project to run with hexo:");
                d.setElements(ResourcesPlugin.getWorkspace().getRoot().getProjects());
                if (d.open() == ElementListSelectionDialog.OK) {
                    project.setText(((IProject) d.getFirstResult()).getName());
                }
            }
        });
        imageDir = text(g, "&Image directory:", "the project's (hexo Build property), default build");
        new org.eclipse.swt.widgets.Label(g, SWT.NONE);
        org.eclipse.swt.widgets.Label hint = new org.eclipse.swt.widgets.Label(g, SWT.WRAP);
        hint.setText("Holds " + HexoBuild.IMAGE_X86 + " and " + HexoBuild.IMAGE_ARM
                + ". The project is built first when its sources changed.");
        hint.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 3, 1));

        Group a = new Group(c, SWT.NONE);
        a.setText("Guest");
        a.setLayout(new GridLayout(2, false));
        a.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        args = text(a, "&Arguments (ARGS):", "command-line arguments of the program");
    }

    @Override
    public void setDefaults(ILaunchConfigurationWorkingCopy config) {
        // a new configuration takes the project of what is selected (or edited), as Eclipse's own launch types do
        org.eclipse.core.resources.IResource selected = org.eclipse.debug.ui.DebugUITools.getSelectedResource();
        if (selected != null && selected.getProject() != null) {
            config.setAttribute(HexoLaunch.PROJECT, selected.getProject().getName());
            config.setMappedResources(new org.eclipse.core.resources.IResource[] {selected.getProject()});
        } else {
            config.setAttribute(HexoLaunch.PROJECT, "");
        }
        config.setAttribute(HexoLaunch.IMAGE_DIR, "");
        config.setAttribute(HexoLaunch.ARGS, "");
    }

    @Override
    public void initializeFrom(ILaunchConfiguration config) {
        project.setText(get(config, HexoLaunch.PROJECT, ""));
        imageDir.setText(get(config, HexoLaunch.IMAGE_DIR, ""));
        args.setText(get(config, HexoLaunch.ARGS, ""));
    }

    @Override
    public void performApply(ILaunchConfigurationWorkingCopy config) {
        config.setAttribute(HexoLaunch.PROJECT, project.getText().trim());
        config.setAttribute(HexoLaunch.IMAGE_DIR, imageDir.getText().trim());
        config.setAttribute(HexoLaunch.ARGS, args.getText());
    }

    @Override
    public boolean isValid(ILaunchConfiguration config) {
        if (!super.isValid(config)) {
            return false;
        }
        try {
            IProject p = HexoLaunch.project(config);
            String dir = HexoLaunch.imageDirName(p, config);
            if (!Files.exists(HexoLaunch.resolve(p, dir).resolve(board ? HexoBuild.IMAGE_ARM : HexoBuild.IMAGE_X86))) {
                setMessage("Not built yet: hexo build runs first when you launch");
            }
        } catch (CoreException e) {
            // validated above
        }
        return true;
    }
}
