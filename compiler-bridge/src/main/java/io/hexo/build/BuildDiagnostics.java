package io.hexo.build;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The compiler's and linker's messages on their way to the user: hexo's internal names (the runtime variants
 * of sys_msleep and kprintf) become the names the program wrote, and warnings are counted for the build's
 * last line. Steps write whole outputs, so text is handled line by line.
 */
final class BuildDiagnostics extends OutputStream {
    private static final Pattern WARNING = Pattern.compile("^\\S.*?: warning: ", Pattern.MULTILINE);

    /** clang's note that a name came from hexo's -D mapping (with its source and caret lines): not the user's business. */
    private static final Pattern INTERNAL_MACRO_NOTE = Pattern.compile(
            "(?m)^<command line>:\\d+:\\d+: note: expanded from macro '(sys_msleep|kprintf)'\\n(?:#define .*\\n)?(?: *\\^ *\\n)?");

    private final PrintStream out;
    private final Map<String, String> userNames = HermitDeclarations.userNames();
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final AtomicInteger warnings = new AtomicInteger();

    BuildDiagnostics(PrintStream out) {
        this.out = out;
    }

    int warnings() { return warnings.get(); }

    /** A message hexo itself adds (one line, no newline). */
    synchronized void warning(String line) {
        emit(line + "\n");
    }

    @Override
    public synchronized void write(int b) {
        pending.write(b);
        if (b == '\n') flushLines();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        pending.write(b, off, len);
        flushLines();
    }

    @Override
    public synchronized void flush() {
        if (pending.size() > 0) {
            String rest = pending.toString(StandardCharsets.UTF_8);
            pending.reset();
            emit(rest);
        }
        out.flush();
    }

    private void flushLines() {
        String text = pending.toString(StandardCharsets.UTF_8);
        int last = text.lastIndexOf('\n');
        if (last < 0) return;
        pending.reset();
        byte[] tail = text.substring(last + 1).getBytes(StandardCharsets.UTF_8);
        pending.write(tail, 0, tail.length);
        emit(text.substring(0, last + 1));
    }

    private void emit(String text) {
        text = INTERNAL_MACRO_NOTE.matcher(text).replaceAll("");
        for (var e : userNames.entrySet()) text = text.replace(e.getKey(), e.getValue());
        warnings.addAndGet((int) WARNING.matcher(text).results().count());
        out.print(text);
        out.flush();
    }

    static String withUserNames(String text) {
        for (var e : HermitDeclarations.userNames().entrySet()) text = text.replace(e.getKey(), e.getValue());
        return text;
    }
}
