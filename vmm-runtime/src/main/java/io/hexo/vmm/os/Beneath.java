package io.hexo.vmm.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.hexo.vmm.abi.Isa;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Opens a regular file inside a directory with the kernel doing the confinement: openat2(2) with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS refuses `..` that climbs out, absolute
 * paths, and a symbolic link in any component, with no window between a check and the open. O_NONBLOCK
 * keeps a FIFO from blocking the VMM; anything but a regular file is then refused before it is used.
 */
public final class Beneath {
    private Beneath() {}

    private interface C extends Library {
        C INSTANCE = Native.load("c", C.class);

        long syscall(long number, int dirfd, String path, Pointer how, long size) throws LastErrorException;

        int open(String path, int flags, int mode) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final long SYS_OPENAT2 = 437; // the same on x86-64 and AArch64 (asm-generic numbering)
    private static final long RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08;
    private static final int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0x40, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    private static final int O_DIRECTORY = Isa.host() == Isa.AARCH64 ? 0x4000 : 0x10000;
    private static final int EINVAL = 22, ENXIO = 6, ENOENT = 2, EACCES = 13, EXDEV = 18, ENOTDIR = 20, EISDIR = 21, ELOOP = 40, ENOSYS = 38;

    /** A regular file inside {@code dir}, for reading. */
    public static FileChannel openForRead(Path dir, String relative) throws IOException {
        return open(dir, relative, O_RDONLY, StandardOpenOption.READ);
    }

    /** A regular file inside {@code dir}, created when missing, for writing (not truncated: the caller does). */
    public static FileChannel openForWrite(Path dir, String relative) throws IOException {
        return open(dir, relative, O_WRONLY | O_CREAT, StandardOpenOption.WRITE);
    }

    private static FileChannel open(Path dir, String relative, int flags, StandardOpenOption mode) throws IOException {
        int dirfd;
        try {
            dirfd = C.INSTANCE.open(dir.toString(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException(dir + " is not a directory hexo can open (" + reason(e.getErrorCode()) + ")");
        }
        int fd;
        try (Memory how = new Memory(24)) {
            how.setLong(0, flags | O_NONBLOCK | O_CLOEXEC);
            how.setLong(8, (flags & O_CREAT) != 0 ? 0644 : 0); // openat2 refuses a mode without O_CREAT
            how.setLong(16, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
            fd = (int) C.INSTANCE.syscall(SYS_OPENAT2, dirfd, relative, how, 24);
        } catch (LastErrorException e) {
            throw new IOException(relative + " in " + dir + ": " + reason(e.getErrorCode()));
        } finally {
            C.INSTANCE.close(dirfd);
        }
        try {
            // /proc/self/fd/N reopens exactly the file the kernel resolved, not the path again.
            Path opened = Path.of("/proc/self/fd/" + fd);
            if (!Files.readAttributes(opened, BasicFileAttributes.class).isRegularFile()) {
                throw new IOException(relative + " in " + dir + " is not a regular file (a FIFO, device or directory): hexo only moves regular files");
            }
            return FileChannel.open(opened, mode);
        } finally {
            C.INSTANCE.close(fd);
        }
    }

    private static String reason(int errno) {
        return switch (errno) {
            case ENOENT -> "no such file";
            case ENXIO -> "it is a FIFO or device, not a regular file";
            case EINVAL -> "hexo asked the kernel wrongly (EINVAL)";
            case EACCES -> "permission denied";
            case EXDEV -> "the path leads outside the directory";
            case ELOOP -> "the path goes through a symbolic link, which hexo does not follow here";
            case ENOTDIR -> "a part of the path is not a directory";
            case EISDIR -> "it is a directory";
            case ENOSYS -> "this kernel lacks openat2 (Linux 5.6 or later is needed)";
            default -> "error " + errno;
        };
    }
}
