package io.hexo.vmm.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import io.hexo.vmm.abi.Isa;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An flock(2) lock on a file or a directory. Not java.nio's FileLock: those are POSIX record locks,
 * which the JVM loses as soon as *any* channel to the same file is closed — a reader in the same JVM
 * would silently release a run's ownership. flock locks belong to their own open file description.
 */
public final class FileLock implements AutoCloseable {
    private interface C extends Library {
        C INSTANCE = Native.load("c", C.class);

        int open(String path, int flags, int mode) throws LastErrorException;

        int flock(int fd, int operation) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final int O_RDONLY = 0, O_RDWR = 2, O_CREAT = 0x40, O_CLOEXEC = 0x80000;
    private static final int O_DIRECTORY = Isa.host() == Isa.AARCH64 ? 0x4000 : 0x10000;
    private static final int LOCK_EX = 2, LOCK_NB = 4, EWOULDBLOCK = 11, EINTR = 4;

    private int fd;

    private FileLock(int fd) {
        this.fd = fd;
    }

    /** An exclusive lock on {@code file} (created when missing); null when another holder has it. */
    public static FileLock tryFile(Path file) throws IOException {
        return lock(file, O_RDWR | O_CREAT, false);
    }

    /** An exclusive lock on {@code file} (created when missing), waiting for the holder to release it. */
    public static FileLock file(Path file) throws IOException {
        return lock(file, O_RDWR | O_CREAT, true);
    }

    /** An exclusive lock on directory {@code dir}, waiting for the holder to release it. */
    public static FileLock directory(Path dir) throws IOException {
        return lock(dir, O_RDONLY | O_DIRECTORY, true);
    }

    private static FileLock lock(Path path, int flags, boolean wait) throws IOException {
        int fd;
        try {
            fd = C.INSTANCE.open(path.toString(), flags | O_CLOEXEC, 0644);
        } catch (LastErrorException e) {
            throw new IOException(path + " cannot be opened to lock it (errno " + e.getErrorCode() + ")");
        }
        while (true) {
            try {
                C.INSTANCE.flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB));
                return new FileLock(fd);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == EINTR) continue;
                C.INSTANCE.close(fd);
                if (e.getErrorCode() == EWOULDBLOCK) return null;
                throw new IOException(path + " cannot be locked (errno " + e.getErrorCode() + ")");
            }
        }
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            C.INSTANCE.close(fd); // releases the lock
            fd = -1;
        }
    }
}
