package io.hexo.build;

/**
 * A textual change to generated code (LLVM IR, wasm2c output, a tool's report) that proves it applied
 * where expected: the generators are Debian 12's clang-16 and wabt 1.0.32, and when one of them changes
 * its output's shape the build must stop with a sentence, not go on with code that is silently wrong or
 * slower.
 */
final class GeneratedPatch {
    private GeneratedPatch() {}

    /**
     * Replaces every occurrence of {@code from} with {@code to}, after checking that each occurrence of
     * {@code family} (the text that identifies what is being patched) is one of them: another form of
     * the same thing means the generator changed.
     */
    static String replaceAll(String text, String family, String from, String to, String what) throws BuildException {
        int all = count(text, family), matching = count(text, from);
        if (all != matching) {
            throw new BuildException(what + ": " + (all - matching) + " of " + all + " occurrences of " + family
                    + " have an unexpected form (is clang-16 or wabt other than Debian 12's?): reinstall them with tools/install.sh");
        }
        return text.replace(from, to);
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) n++;
        return n;
    }
}
