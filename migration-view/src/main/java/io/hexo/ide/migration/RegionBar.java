package io.hexo.ide.migration;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;

import io.hexo.vmm.checkpoint.CheckpointReport;

/**
 * A checkpoint drawn as a bar of memory regions: one segment per file, a minimum width plus a share of the bar in
 * proportion to its allocated pages; the stored pages filled in the region's colour and the rest pale, so one sees at
 * a glance what a checkpoint holds.
 */
public class RegionBar extends Canvas {

    private static final Map<String, RGB> COLOURS = Map.of(
            "heap", new RGB(0x43, 0xa0, 0x47),
            "stack", new RGB(0x1e, 0x88, 0xe5),
            "tls", new RGB(0x8e, 0x24, 0xaa),
            "data", new RGB(0xfb, 0x8c, 0x00),
            "bss", new RGB(0xf4, 0x51, 0x1e),
            "mdata", new RGB(0x54, 0x6e, 0x7a),
            "fds", new RGB(0x6d, 0x4c, 0x41));
    private static final RGB OTHER = new RGB(0x00, 0x89, 0x7b);

    private CheckpointReport checkpoint;
    private final Map<RGB, Color> colours = new HashMap<>();

    public RegionBar(Composite parent) {
        super(parent, SWT.DOUBLE_BUFFERED);
        addPaintListener(e -> paint(e.gc));
        addDisposeListener(e -> colours.clear());
    }

    public void setCheckpoint(CheckpointReport c) {
        this.checkpoint = c;
        redraw();
    }

    public CheckpointReport getCheckpoint() {
        return checkpoint;
    }

    @Override
    public Point computeSize(int wHint, int hHint, boolean changed) {
        return new Point(wHint == SWT.DEFAULT ? 400 : wHint, hHint == SWT.DEFAULT ? 64 : hHint);
    }

    static long weight(CheckpointReport.FileRow f) {
        long pages = f.pagesAllocated() > 0 ? f.pagesAllocated() : (f.size() + 4095) / 4096;
        return Math.max(1, pages);
    }

    static RGB rgb(String region) {
        if (region == null) {
            return OTHER;
        }
        for (Map.Entry<String, RGB> e : COLOURS.entrySet()) {
            if (region.toLowerCase().startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return OTHER;
    }

    private Color colour(RGB rgb) {
        return colours.computeIfAbsent(rgb, r -> new Color(r));
    }

    private void paint(GC gc) {
        Rectangle area = getClientArea();
        gc.setBackground(getDisplay().getSystemColor(SWT.COLOR_LIST_BACKGROUND));
        gc.fillRectangle(area);
        int x0 = 4;
        int w = area.width - 8;
        int barTop = 4;
        int barH = Math.max(18, area.height - 28);
        if (checkpoint == null || checkpoint.files().isEmpty()) {
            gc.setForeground(getDisplay().getSystemColor(SWT.COLOR_DARK_GRAY));
            gc.drawText(checkpoint == null ? "Select a checkpoint to see its memory regions"
                    : "This checkpoint has no files" + (checkpoint.problem() != null ? ": " + checkpoint.problem() : ""),
                    x0, barTop + 4, true);
            return;
        }
        List<CheckpointReport.FileRow> files = checkpoint.files();
        long total = files.stream().mapToLong(RegionBar::weight).sum();
        // every file gets a readable minimum width; the rest of the bar is shared in proportion to allocated pages
        int n = files.size();
        int minW = Math.max(3, Math.min(70, w / n / 2));
        int spare = Math.max(0, w - n * minW);
        int x = x0;
        long acc = 0;
        int legendX = x0;
        int index = 0;
        for (CheckpointReport.FileRow f : files) {
            acc += weight(f);
            index++;
            int next = x0 + index * minW + (int) Math.round((double) spare * acc / total);
            int segW = Math.max(2, next - x);
            Color c = colour(rgb(f.regionOrKind()));
            RGB pale = rgb(f.regionOrKind());
            Color paleC = colour(new RGB((pale.red + 3 * 255) / 4, (pale.green + 3 * 255) / 4, (pale.blue + 3 * 255) / 4));
            gc.setBackground(paleC);
            gc.fillRectangle(x, barTop, segW, barH);
            double storedFrac = f.pagesAllocated() > 0 ? Math.min(1.0, (double) f.pagesStored() / f.pagesAllocated()) : 1.0;
            int storedW = (int) Math.round(segW * storedFrac);
            if (f.pagesAllocated() > 0 && f.pagesStored() > 0) {
                storedW = Math.max(1, storedW);
            }
            gc.setBackground(c);
            gc.fillRectangle(x, barTop, storedW, barH);
            gc.setForeground(getDisplay().getSystemColor(SWT.COLOR_WIDGET_DARK_SHADOW));
            gc.drawRectangle(x, barTop, segW - 1, barH - 1);
            String label = f.regionOrKind();
            Point ext = gc.textExtent(label);
            if (ext.x + 6 < segW) {
                gc.setForeground(getDisplay().getSystemColor(SWT.COLOR_BLACK));
                gc.drawText(label, x + 3, barTop + (barH - ext.y) / 2, true);
            }
            x = next;
            // legend
            String legend = f.pagesAllocated() > 0 ? f.name() + " " + f.pagesStored() + "/" + f.pagesAllocated() + " pages"
                    : f.name() + " " + MigrationView.bytes(f.size());
            Point le = gc.textExtent(legend);
            if (legendX + le.x + 16 < area.width) {
                gc.setBackground(c);
                gc.fillRectangle(legendX, barTop + barH + 6, 10, 10);
                gc.setForeground(getDisplay().getSystemColor(SWT.COLOR_WIDGET_FOREGROUND));
                gc.drawText(legend, legendX + 13, barTop + barH + 3, true);
                legendX += le.x + 24;
            }
        }
    }
}
