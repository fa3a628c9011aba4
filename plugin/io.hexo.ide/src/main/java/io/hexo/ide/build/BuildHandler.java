package io.hexo.ide.build;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.commands.ExecutionException;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.runtime.Adapters;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.ui.IEditorInput;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.console.ConsolePlugin;
import org.eclipse.ui.console.IConsole;
import org.eclipse.ui.handlers.HandlerUtil;
import io.hexo.ide.core.build.HexoBuild;

/** Command io.hexo.ide.build: the selected project's (or the active editor's) hexo build, as a Job. */
public class BuildHandler extends AbstractHandler {

    @Override
    public Object execute(ExecutionEvent event) throws ExecutionException {
        IProject project = projectOf(HandlerUtil.getCurrentSelection(event));
        if (project == null) {
            project = projectOf(HandlerUtil.getActiveEditor(event));
        }
        if (project == null) {
            IWorkbenchWindow w = HandlerUtil.getActiveWorkbenchWindow(event);
            if (w != null) {
                project = projectOf(w.getSelectionService().getSelection());
            }
        }
        if (project == null || !project.isAccessible()) {
            throw new ExecutionException("Select a C project (or open one of its files) to build it for x86-64 and ARM64");
        }
        if (PlatformUI.isWorkbenchRunning()) {
            ConsolePlugin.getDefault().getConsoleManager().showConsoleView(HexoConsoles.buildConsole());
        }
        HexoBuild.job(project).schedule();
        return null;
    }

    public static IProject projectOf(ISelection selection) {
        if (selection instanceof IStructuredSelection ss && !ss.isEmpty()) {
            IResource r = Adapters.adapt(ss.getFirstElement(), IResource.class);
            return r == null ? null : r.getProject();
        }
        return null;
    }

    public static IProject projectOf(IEditorPart editor) {
        if (editor == null) {
            return null;
        }
        IEditorInput in = editor.getEditorInput();
        IResource r = in == null ? null : Adapters.adapt(in, IResource.class);
        return r == null ? null : r.getProject();
    }

    static IConsole console() {
        return HexoConsoles.buildConsole();
    }
}
