package io.hexo.vmm.loader;

/** An image file that hexo cannot boot; the message names the file and what to do. */
public final class ImageException extends RuntimeException {
    public ImageException(String message) {
        super(message);
    }
}
