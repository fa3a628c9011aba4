package io.hexo.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * HermitCore's sys_msleep, however a translation unit declares it. The original's programs say both
 * `extern void sys_msleep(int)` and `extern int sys_msleep(unsigned int)`; wasm links functions by exact
 * signature, so each file's name is mapped (with -D) onto the runtime variant matching its declaration.
 */
final class MsleepDeclarations {
    private static final Pattern VOID_DECL = Pattern.compile("\\bvoid\\s+sys_msleep\\s*\\(");

    private MsleepDeclarations() {}

    static List<String> defineFor(Path source) throws IOException {
        String text = Files.readString(source, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (!text.contains("sys_msleep")) return List.of();
        return List.of("-Dsys_msleep=" + (VOID_DECL.matcher(text).find() ? "__hexo_sys_msleep_void" : "__hexo_sys_msleep_int"));
    }
}
