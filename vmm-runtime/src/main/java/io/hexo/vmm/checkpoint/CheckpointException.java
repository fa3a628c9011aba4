package io.hexo.vmm.checkpoint;

/** A checkpoint that must not be resumed; the message says which file, what is wrong, and what to do. */
public final class CheckpointException extends Exception {
    public CheckpointException(String message) {
        super(message);
    }
}
