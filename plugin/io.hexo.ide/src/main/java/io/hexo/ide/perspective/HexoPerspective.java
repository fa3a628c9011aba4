package io.hexo.ide.perspective;

import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.ui.IFolderLayout;
import org.eclipse.ui.IPageLayout;
import org.eclipse.ui.IPerspectiveFactory;
import org.eclipse.ui.console.IConsoleConstants;

/**
 * The hexo perspective: projects on the left, the editor, the Migration view alone on the right (so that a guest's
 * output, which brings the Console forward, never covers it) and the Console with Problems below; the Run menu and
 * the Run/Debug toolbar are on.
 */
public class HexoPerspective implements IPerspectiveFactory {

    public static final String ID = "io.hexo.ide.perspective";
    /** The Migration view's id (declared by the io.hexo.ide.migration bundle, which depends on this one). */
    public static final String MIGRATION_VIEW = "io.hexo.ide.migration.view";

    @Override
    public void createInitialLayout(IPageLayout layout) {
        String editor = layout.getEditorArea();
        IFolderLayout left = layout.createFolder("io.hexo.ide.left", IPageLayout.LEFT, 0.2f, editor);
        left.addView(IPageLayout.ID_PROJECT_EXPLORER);
        IFolderLayout right = layout.createFolder("io.hexo.ide.right", IPageLayout.RIGHT, 0.6f, editor);
        right.addView(MIGRATION_VIEW);
        IFolderLayout bottom = layout.createFolder("io.hexo.ide.bottom", IPageLayout.BOTTOM, 0.62f, editor);
        bottom.addView(IConsoleConstants.ID_CONSOLE_VIEW);
        bottom.addView(IPageLayout.ID_PROBLEM_VIEW);
        bottom.addPlaceholder(IPageLayout.ID_PROGRESS_VIEW);

        layout.addActionSet(IDebugUIConstants.LAUNCH_ACTION_SET);
        layout.addShowViewShortcut(MIGRATION_VIEW);
        layout.addShowViewShortcut(IConsoleConstants.ID_CONSOLE_VIEW);
        layout.addShowViewShortcut(IPageLayout.ID_PROBLEM_VIEW);
        layout.addShowViewShortcut(IPageLayout.ID_PROJECT_EXPLORER);
        layout.addNewWizardShortcut("io.hexo.ide.wizards.newProject");
        layout.addNewWizardShortcut("org.eclipse.ui.wizards.new.file");
        layout.addNewWizardShortcut("org.eclipse.ui.wizards.new.folder");
        layout.addPerspectiveShortcut("org.eclipse.debug.ui.DebugPerspective");
        layout.addPerspectiveShortcut("org.eclipse.ui.resourcePerspective");
    }
}
