package io.hexo.ide.migration;

import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.ProgressBar;

import io.hexo.ide.core.session.PostCopyMigration;
import io.hexo.ide.core.session.RunSpec;
import io.hexo.vmm.run.RunEvent;

/**
 * The selected guest's post-copy migration, per side: its phase, pages moved / total as a bar, faults served and the
 * prefetch rate, as hexo's last {@code postcopy} event of that side said; and the hand-over's moment. Hidden while the
 * guest has not migrated by post-copy.
 */
final class PostCopyPanel {
    private static final int BAR_STEPS = 1000;

    private final Composite box;
    private final Label title;
    private final Side source;
    private final Side destination;
    private final Label handOver;

    /** One side's row: its name, the pages bar, the counts. */
    private static final class Side {
        final Label name;
        final ProgressBar pages;
        final Label counts;

        Side(Composite parent) {
            name = new Label(parent, SWT.NONE);
            pages = new ProgressBar(parent, SWT.HORIZONTAL | SWT.SMOOTH);
            pages.setMaximum(BAR_STEPS);
            GridData bd = new GridData(SWT.FILL, SWT.CENTER, false, false);
            bd.widthHint = 160;
            pages.setLayoutData(bd);
            counts = new Label(parent, SWT.NONE);
            counts.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        }

        void show(String role, String isa, RunEvent.PostCopyProgress e, String line) {
            name.setText(role + " (" + RunSpec.isaLabel(isa) + ")");
            pages.setSelection((int) Math.round(PostCopyMigration.fraction(e) * BAR_STEPS));
            counts.setText(line);
        }
    }

    PostCopyPanel(Composite parent) {
        box = new Composite(parent, SWT.NONE);
        GridLayout gl = new GridLayout(3, false);
        gl.marginHeight = 2;
        box.setLayout(gl);
        box.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        title = new Label(box, SWT.NONE);
        title.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 3, 1));
        source = new Side(box);
        destination = new Side(box);
        handOver = new Label(box, SWT.NONE);
        handOver.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 3, 1));
        show(null);
    }

    /** Shows a migration (null hides the panel). */
    void show(PostCopyMigration m) {
        boolean visible = m != null;
        if (visible) {
            title.setText("Post-copy " + RunSpec.isaLabel(m.sourceIsa()) + " \u2192 " + RunSpec.isaLabel(m.destinationIsa()));
            source.show("Source", m.sourceIsa(), m.source(), m.describeSource());
            destination.show("Destination", m.destinationIsa(), m.destination(), m.describeDestination());
            String end = m.handOver();
            handOver.setText("Hand-over: " + (end != null ? end : "not yet (the source keeps every page until the destination holds them all)"));
        }
        GridData gd = (GridData) box.getLayoutData();
        if (gd.exclude == visible || box.getVisible() != visible) {
            gd.exclude = !visible;
            box.setVisible(visible);
            box.getParent().layout(true, true);
        } else if (visible) {
            box.layout(true, true);
        }
    }

    /** The texts shown (the title, each side's row, the hand-over), for tests and screen readers. */
    String text() {
        return String.join("\n", title.getText(), source.name.getText() + ": " + source.counts.getText(),
                destination.name.getText() + ": " + destination.counts.getText(), handOver.getText());
    }

    boolean isShown() {
        return box.getVisible();
    }

    /** The pages bars' positions, 0 to 1000 (source, destination). */
    int[] bars() {
        return new int[] {source.pages.getSelection(), destination.pages.getSelection()};
    }
}
