package io.hexo.build;

/** A build that cannot go on; the message is one sentence for the user (compiler output is printed before). */
public final class BuildException extends Exception {
    public BuildException(String message) {
        super(message);
    }
}
