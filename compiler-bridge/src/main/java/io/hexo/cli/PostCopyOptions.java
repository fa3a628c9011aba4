package io.hexo.cli;

import io.hexo.vmm.postcopy.PostCopyMode;
import io.hexo.vmm.vm.Vm;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * Post-copy migration (the original's FULL_CHKPT_SAVE=0 / FULL_CHKPT_RESTORE=0): the source writes a
 * minimal checkpoint and serves the guest's pages; the destination resumes at once and fetches them.
 * docs/architecture.md, "Post-copy protocol".
 */
final class PostCopyOptions {
    @Option(names = "--full-chkpt-save", paramLabel = "0|1", description = "0: at the migration point write the minimal checkpoint (no memory contents) and serve the guest's pages on --port until the destination holds them all (post-copy). 1 (default): a full checkpoint.")
    Integer fullSave;

    @Option(names = "--full-chkpt-restore", paramLabel = "0|1", description = "0: with --resume, resume a post-copy migration's minimal checkpoint at once and fetch its pages from --server. 1 (default): a full checkpoint.")
    Integer fullRestore;

    @Option(names = "--port", paramLabel = "PORT", description = "The page server's TCP port (--full-chkpt-save 0; default 5050; 0 = any free port).")
    Integer port;

    @Option(names = "--bind", paramLabel = "ADDR", description = "The address the page server listens on (--full-chkpt-save 0; default 127.0.0.1, loopback only).")
    String bind;

    @Option(names = "--server", paramLabel = "HOST[:PORT]", description = "The source's page server (--full-chkpt-restore 0; port 5050 when left out).")
    String server;

    @Option(names = "--wait", description = "With --resume --full-chkpt-restore 0: start before the source reaches its migration point (the program loaded, its guest booted, waiting on --server with the key the source wrote to its checkpoint directory, postcopy.key) and resume the moment it does.")
    boolean waitForSource;

    /** This run is the source of a post-copy migration: its checkpoint is a minimal one, never resumed alone. */
    boolean source() {
        return fullSave != null && fullSave == 0;
    }

    /** Tells vm its part in a post-copy migration; a sentence for options that do not fit together. */
    void applyTo(Vm vm, boolean resume) {
        if (fullSave != null && fullSave != 0 && fullSave != 1) throw new IllegalArgumentException("--full-chkpt-save takes 0 or 1, not " + fullSave);
        if (fullRestore != null && fullRestore != 0 && fullRestore != 1) throw new IllegalArgumentException("--full-chkpt-restore takes 0 or 1, not " + fullRestore);
        boolean source = fullSave != null && fullSave == 0, destination = fullRestore != null && fullRestore == 0;
        if (port != null && (port < 0 || port > 65535)) throw new IllegalArgumentException("--port " + port + " is not a TCP port: give e.g. --port 5050");
        if ((port != null || bind != null) && !source) throw new IllegalArgumentException("--port and --bind are for the source of a post-copy migration: add --full-chkpt-save 0");
        if (server != null && !destination) throw new IllegalArgumentException("--server names the page server of a post-copy migration: add --full-chkpt-restore 0");
        if (destination && !resume) throw new IllegalArgumentException("--full-chkpt-restore 0 resumes a post-copy migration: add --resume");
        if (destination && server == null) throw new IllegalArgumentException("--full-chkpt-restore 0 needs the source's page server: add --server HOST[:PORT]");
        if (waitForSource && !destination) throw new IllegalArgumentException("--wait is for the destination of a post-copy migration: add --resume --full-chkpt-restore 0 --server HOST[:PORT]");
        if (source) vm.postCopy(PostCopyMode.source(bind == null ? "127.0.0.1" : bind, port == null ? 5050 : port));
        if (destination) vm.postCopy(PostCopyMode.destination(server, waitForSource));
        if (source || destination) PostCopyProgressLine.follow(vm.postCopyStatus(), System.err);
        if (source) Signal.handle(new Signal("INT"), sig -> takeBackOrStop(vm));
    }

    /**
     * Ctrl-C (SIGINT) while the source serves its pages: the user wants the job back here, not the job gone —
     * the source fences its destination off and runs the guest on. Any other time it stops hexo as usual.
     */
    private static void takeBackOrStop(Vm vm) {
        if (vm.postCopyStatus().requestTakeBack()) {
            System.err.println("hexo: post-copy: taking the job back (Ctrl-C again stops hexo)");
        } else {
            System.exit(130);
        }
    }
}
