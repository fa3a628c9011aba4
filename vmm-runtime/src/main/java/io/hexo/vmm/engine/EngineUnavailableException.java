package io.hexo.vmm.engine;

/**
 * An engine cannot run on this host. The message is one sentence a user can act on, e.g. "/dev/kvm
 * does not exist: ..." or "qemu-aarch64-static is not installed: apt-get install qemu-user-static".
 */
public final class EngineUnavailableException extends RuntimeException {
    public EngineUnavailableException(String message) {
        super(message);
    }

    public EngineUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
