package io.hexo.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * HermitCore's sys_msleep and kprintf, however a translation unit declares them. The original's programs
 * say `extern void sys_msleep(int)` and `extern int sys_msleep(unsigned int)`, `extern void kprintf(char *, ...)`
 * and `int kprintf(const char *, ...)`, or call them with no declaration at all (an implicit `int`). wasm links
 * functions by exact signature, so each file's name is mapped (with -D) onto the runtime variant matching its
 * declaration — and the variant's name is mapped back in every message the user sees.
 */
final class HermitDeclarations {
    private record Function(String name, Pattern voidDeclaration, String voidVariant, String intVariant) {
        Function(String name) {
            this(name, Pattern.compile("\\bvoid\\s+" + name + "\\s*\\("), "__hexo_" + name + "_void", "__hexo_" + name + "_int");
        }
    }

    private static final List<Function> FUNCTIONS = List.of(new Function("sys_msleep"), new Function("kprintf"));

    private HermitDeclarations() {}

    static List<String> defineFor(Path source) throws IOException {
        String text = Files.readString(source, StandardCharsets.ISO_8859_1);
        List<String> defines = new ArrayList<>();
        for (Function f : FUNCTIONS) {
            if (!text.contains(f.name())) continue;
            defines.add("-D" + f.name() + "=" + (f.voidDeclaration().matcher(text).find() ? f.voidVariant() : f.intVariant()));
        }
        return defines;
    }

    /** hexo's internal names, each with the name the program wrote. */
    static Map<String, String> userNames() {
        Map<String, String> names = new java.util.LinkedHashMap<>();
        for (Function f : FUNCTIONS) {
            names.put(f.voidVariant(), f.name());
            names.put(f.intVariant(), f.name());
        }
        return names;
    }
}
