package io.hexo.vmm.postcopy;

/**
 * A run's part in a post-copy migration: the source serves its pages after the minimal checkpoint
 * (`--full-chkpt-save 0`), the destination resumes from that checkpoint and fetches them from `server`
 * (`--resume --full-chkpt-restore 0 --server HOST[:PORT]`).
 */
public record PostCopyMode(PageServer.Settings serve, String server) {
    public static PostCopyMode source(String bind, int port) { return new PostCopyMode(new PageServer.Settings(bind, port), null); }

    public static PostCopyMode destination(String server) { return new PostCopyMode(null, server); }
}
