package io.hexo.vmm.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.hexo.vmm.abi.Isa;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/**
 * Opens a regular file inside a directory with the kernel doing the confinement: openat2(2) with
 * RESOLVE_BENEATH refuses `..` that climbs out, absolute paths and symbolic links that lead outside,
 * with no window between a check and the open; {@link Links#NONE} refuses every link on the way.
 * O_NONBLOCK keeps a FIFO from blocking the VMM, and anything but a regular file is refused before it is
 * used.
 */
public final class Beneath {
    private Beneath() {}

    /** Which symbolic links a path may go through. */
    public enum Links { NONE, INSIDE }

    /** What the caller wants, beyond reading: the open(2) flags hexo passes on. */
    public record Mode(boolean read, boolean write, boolean create, boolean exclusive, boolean truncate) {
        public static final Mode READ = new Mode(true, false, false, false, false);
        public static final Mode WRITE_CREATE = new Mode(false, true, true, false, false);
    }

    /** A refusal, with the errno that says why (for the guest) and a sentence (for the user). */
    public static final class Refused extends IOException {
        private final int errno;
        private final boolean notRegular;

        Refused(String message, int errno, boolean notRegular) {
            super(message);
            this.errno = errno;
            this.notRegular = notRegular;
        }

        /** The Linux errno, or 0 when the file was opened but is not a regular file. */
        public int errno() { return errno; }

        public boolean notRegular() { return notRegular; }

        public boolean escapes() { return errno == EXDEV || errno == ELOOP; }
    }

    private interface C extends Library {
        C INSTANCE = Native.load("c", C.class);

        long syscall(long number, int dirfd, String path, Memory how, long size) throws LastErrorException;

        int open(String path, int flags, int mode) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final long SYS_OPENAT2 = 437; // the same on x86-64 and AArch64 (asm-generic numbering)
    private static final long RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08;
    private static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_TRUNC = 0x200,
            O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    private static final int O_DIRECTORY = Isa.host() == Isa.AARCH64 ? 0x4000 : 0x10000;
    public static final int ENOENT = 2, ENXIO = 6, EACCES = 13, EEXIST = 17, EXDEV = 18, ENOTDIR = 20, EISDIR = 21, EINVAL = 22,
            ENOSYS = 38, ENAMETOOLONG = 36, ELOOP = 40;

    /** A regular file inside {@code dir}, for reading; no symbolic links on the way. */
    public static FileChannel openForRead(Path dir, String relative) throws IOException {
        return open(dir, relative, Mode.READ, Links.NONE);
    }

    /** A regular file inside {@code dir}, created when missing, for writing (not truncated: the caller does). */
    public static FileChannel openForWrite(Path dir, String relative) throws IOException {
        return open(dir, relative, Mode.WRITE_CREATE, Links.NONE);
    }

    public static FileChannel open(Path dir, String relative, Mode mode, Links links) throws IOException {
        int dirfd;
        try {
            dirfd = C.INSTANCE.open(dir.toString(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new Refused(dir + " is not a directory hexo can open (" + reason(e.getErrorCode()) + ")", e.getErrorCode(), false);
        }
        int fd;
        try (Memory how = new Memory(24)) {
            int flags = (mode.write() ? (mode.read() ? O_RDWR : O_WRONLY) : O_RDONLY) | (mode.create() ? O_CREAT : 0)
                    | (mode.exclusive() ? O_EXCL : 0) | (mode.truncate() ? O_TRUNC : 0);
            how.setLong(0, flags | O_NONBLOCK | O_CLOEXEC);
            how.setLong(8, mode.create() ? 0644 : 0); // openat2 refuses a mode without O_CREAT
            how.setLong(16, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (links == Links.NONE ? RESOLVE_NO_SYMLINKS : 0));
            fd = (int) C.INSTANCE.syscall(SYS_OPENAT2, dirfd, relative, how, 24);
        } catch (LastErrorException e) {
            throw new Refused(relative + " in " + dir + ": " + reason(e.getErrorCode()), e.getErrorCode(), false);
        } finally {
            C.INSTANCE.close(dirfd);
        }
        try {
            // /proc/self/fd/N reopens exactly the file the kernel resolved, not the path again.
            Path opened = Path.of("/proc/self/fd/" + fd);
            if (!Files.readAttributes(opened, BasicFileAttributes.class).isRegularFile()) {
                throw new Refused(relative + " in " + dir + " is not a regular file (a FIFO, device or directory): hexo only uses regular files",
                        0, true);
            }
            Set<OpenOption> options = new HashSet<>();
            if (mode.read() || !mode.write()) options.add(StandardOpenOption.READ);
            if (mode.write()) options.add(StandardOpenOption.WRITE);
            return FileChannel.open(opened, options);
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
            case EEXIST -> "it exists already";
            case EXDEV -> "the path leads outside the directory";
            case ELOOP -> "the path goes through a symbolic link, which hexo does not follow here";
            case ENOTDIR -> "a part of the path is not a directory";
            case EISDIR -> "it is a directory";
            case ENAMETOOLONG -> "the name is too long";
            case ENOSYS -> "this kernel lacks openat2 (Linux 5.6 or later is needed)";
            default -> "error " + errno;
        };
    }
}
