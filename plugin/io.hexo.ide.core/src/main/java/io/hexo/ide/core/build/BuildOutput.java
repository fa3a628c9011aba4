package io.hexo.ide.core.build;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Where the lines hexo build prints go. Headless they go to standard output; the UI bundle, when it starts, sends
 * each build to its "hexo build" console instead.
 */
public final class BuildOutput {

    private static volatile Supplier<Consumer<String>> opener = () -> System.out::println;

    private BuildOutput() {
    }

    /** opener gives the line sink of one build; called once per build. */
    public static void setOpener(Supplier<Consumer<String>> opener) {
        BuildOutput.opener = opener;
    }

    static Consumer<String> open() {
        return opener.get();
    }
}
