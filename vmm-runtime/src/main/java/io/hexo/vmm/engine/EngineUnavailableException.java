package io.hexo.vmm.engine;

/**
 * An engine cannot run on this host. The message is one sentence a user can act on, e.g. "/dev/kvm
 * does not exist: ..." or "libunicorn2 is not installed: apt-get install libunicorn2".
 */
public final class EngineUnavailableException extends RuntimeException {
    public EngineUnavailableException(String message) {
        super(message);
    }

    public EngineUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
