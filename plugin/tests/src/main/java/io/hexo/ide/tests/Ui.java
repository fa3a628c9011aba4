package io.hexo.ide.tests;

import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.debug.ui.DebugUITools;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.console.IConsole;
import org.eclipse.ui.console.TextConsole;

/** Helpers for tests that run on the workbench's UI thread: spin the event loop while waiting. */
final class Ui {

    static final String SAMPLE = "hello-migrate";

    private Ui() {
    }

    static Display display() {
        return PlatformUI.getWorkbench().getDisplay();
    }

    static IWorkbenchPage page() {
        return window().getActivePage();
    }

    static org.eclipse.ui.IWorkbenchWindow window() {
        org.eclipse.ui.IWorkbenchWindow w = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
        return w != null ? w : PlatformUI.getWorkbench().getWorkbenchWindows()[0];
    }

    /** Runs the event loop for about ms milliseconds. */
    static void spin(long ms) {
        long end = System.currentTimeMillis() + ms;
        Display d = display();
        while (System.currentTimeMillis() < end) {
            if (!d.readAndDispatch()) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Spins the event loop until the condition holds; fails the test after timeoutSeconds. */
    static void waitFor(String what, long timeoutSeconds, BooleanSupplier condition) {
        long end = System.currentTimeMillis() + timeoutSeconds * 1000;
        Display d = display();
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                fail("timed out after " + timeoutSeconds + " s waiting for " + what);
            }
            if (!d.readAndDispatch()) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail("interrupted waiting for " + what);
                }
            }
        }
    }

    static Path hexoHome() {
        return Path.of(System.getProperty("hexo.home", "."));
    }

    /** A fresh project holding the sample program (resources/samples/hello-migrate of the hexo tree). */
    static IProject sampleProject(String name) throws CoreException, IOException {
        IProject p = ResourcesPlugin.getWorkspace().getRoot().getProject(name);
        if (p.exists()) {
            p.delete(true, true, null);
        }
        p.create(null);
        p.open(null);
        io.hexo.ide.core.project.HexoNature.addTo(p);
        Path sample = hexoHome().resolve("resources/samples").resolve(SAMPLE);
        if (Files.isDirectory(sample)) {
            try (var files = Files.list(sample)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    write(p.getFile(f.getFileName().toString()), Files.readString(f));
                }
            }
        } else {
            fail("the sample " + sample + " is missing");
        }
        return p;
    }

    static IFile write(IFile f, String content) throws CoreException {
        ByteArrayInputStream in = new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8));
        if (f.exists()) {
            f.setContents(in, IResource.FORCE, null);
        } else {
            f.create(in, true, null);
        }
        return f;
    }

    /** The sample's expected.txt: every e2e test compares the guest's whole output with it, so it must exist. */
    static String expectedOutput(IProject p) throws IOException {
        Path e = p.getLocation().toPath().resolve("expected.txt");
        if (!Files.exists(e)) {
            fail(e + " is missing: the test cannot check the guest's output");
        }
        return Files.readString(e);
    }

    /** The text of the Console of a process, or "" before it exists. */
    static String console(IProcess process) {
        IConsole c = DebugUITools.getConsole(process);
        return c instanceof TextConsole tc ? tc.getDocument().get() : "";
    }

    /** A PNG of the whole (virtual) screen, into the screenshots directory: import -window root (imagemagick). */
    static void screenshot(String name) {
        String dir = System.getProperty("hexo.ide.screenshots", "");
        if (dir.isBlank()) {
            return;
        }
        spin(700);
        try {
            Path out = Path.of(dir, name + ".png");
            Files.createDirectories(out.getParent());
            Process p = new ProcessBuilder("import", "-window", "root", out.toString()).redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            System.out.println("[uitest] screenshot " + out + " (exit " + p.exitValue() + ")");
        } catch (IOException | InterruptedException | IllegalThreadStateException e) {
            System.out.println("[uitest] no screenshot " + name + ": " + e);
        }
    }

    /** A click on a button: its selection listeners run as for a real click (a dialog it opens runs its own loop). */
    static void press(org.eclipse.swt.widgets.Button b) {
        if (!b.isEnabled()) {
            fail("the button " + b.getText() + " is disabled");
        }
        b.notifyListeners(org.eclipse.swt.SWT.Selection, new org.eclipse.swt.widgets.Event());
    }

    /**
     * Answers the next dialog of that class (a JFace window, as its shell's data) when it opens: the function fills it
     * and names the button to press ("OK", "Yes", ...), which is then pressed as a user would.
     */
    static void answer(Class<?> dialog, java.util.function.Function<org.eclipse.jface.window.Window, String> fill) {
        Display d = display();
        long end = System.currentTimeMillis() + 30_000;
        Runnable[] poll = new Runnable[1];
        poll[0] = () -> {
            for (org.eclipse.swt.widgets.Shell sh : d.getShells()) {
                if (!sh.isDisposed() && sh.isVisible() && dialog.isInstance(sh.getData())) {
                    String label = fill.apply((org.eclipse.jface.window.Window) sh.getData());
                    org.eclipse.swt.widgets.Button b = button(sh, label);
                    if (b == null) {
                        fail("no button " + label + " in " + sh.getText());
                    }
                    b.notifyListeners(org.eclipse.swt.SWT.Selection, new org.eclipse.swt.widgets.Event());
                    return;
                }
            }
            if (System.currentTimeMillis() < end) {
                d.timerExec(100, poll[0]);
            }
        };
        d.timerExec(100, poll[0]);
    }

    private static org.eclipse.swt.widgets.Button button(org.eclipse.swt.widgets.Composite c, String label) {
        for (org.eclipse.swt.widgets.Control child : c.getChildren()) {
            if (child instanceof org.eclipse.swt.widgets.Button b && b.getText().replace("&", "").equals(label)) {
                return b;
            }
            if (child instanceof org.eclipse.swt.widgets.Composite cc) {
                org.eclipse.swt.widgets.Button b = button(cc, label);
                if (b != null) {
                    return b;
                }
            }
        }
        return null;
    }

    /** What hexo board ARGS prints (stdout and stderr): the command line's view of the boards file. */
    static String hexoBoard(String... args) {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(io.hexo.ide.core.HexoCli.executable(), "board"));
        cmd.addAll(java.util.List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
