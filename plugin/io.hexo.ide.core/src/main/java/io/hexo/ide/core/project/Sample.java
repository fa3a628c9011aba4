package io.hexo.ide.core.project;

/** What a new hexo project starts with: nothing but a main.c, or one of hexo's samples (resources/samples). */
public enum Sample {
    EMPTY(null, "Empty (a main.c with one migration point)"),
    HELLO_MIGRATE("hello-migrate", "hello-migrate: ten iterations, one second apart"),
    NPB_IS("npb-is", "NPB IS: the NAS integer sort benchmark, with its class");

    /** NPB IS's problem classes, smallest first (npbparams.h: -DCLASS=...). */
    public static final String[] NPB_CLASSES = {"S", "W", "A", "B", "C"};

    private final String directory;
    private final String label;

    Sample(String directory, String label) {
        this.directory = directory;
        this.label = label;
    }

    /** The directory under resources/samples, or null for the empty project. */
    public String directory() {
        return directory;
    }

    public String label() {
        return label;
    }
}
