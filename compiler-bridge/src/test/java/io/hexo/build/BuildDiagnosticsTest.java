package io.hexo.build;

import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.Test;

/** What the user reads: the names the program wrote, and a count of the warnings. */
public class BuildDiagnosticsTest {
    @Test
    public void internalNamesNeverReachTheUserAndWarningsAreCounted() {
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        BuildDiagnostics d = new BuildDiagnostics(new PrintStream(shown, true, StandardCharsets.UTF_8));
        PrintStream clang = new PrintStream(d, true, StandardCharsets.UTF_8);
        clang.print(String.join("\n",
                "r.c:5:3: warning: call to undeclared function '__hexo_sys_msleep_int'; ISO C99 and later do not support implicit function declarations [-Wimplicit-function-declaration]",
                "  sys_msleep(10);",
                "  ^",
                "<command line>:3:20: note: expanded from macro 'sys_msleep'",
                "#define sys_msleep __hexo_sys_msleep_int",
                "                   ^",
                "r.c:9:1: warning: type specifier missing, defaults to 'int' [-Wimplicit-int]",
                "2 warnings generated.", ""));
        d.warning("r.c:2:9: warning: sizeof(long) is 4 here [hexo-lp64]");
        d.flush();
        assertEquals(String.join("\n",
                "r.c:5:3: warning: call to undeclared function 'sys_msleep'; ISO C99 and later do not support implicit function declarations [-Wimplicit-function-declaration]",
                "  sys_msleep(10);",
                "  ^",
                "r.c:9:1: warning: type specifier missing, defaults to 'int' [-Wimplicit-int]",
                "2 warnings generated.",
                "r.c:2:9: warning: sizeof(long) is 4 here [hexo-lp64]", ""), shown.toString(StandardCharsets.UTF_8));
        assertEquals(3, d.warnings());
    }
}
