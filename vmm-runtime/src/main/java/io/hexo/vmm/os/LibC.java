package io.hexo.vmm.os;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/** The few libc calls the VMM needs (memfd and mmap for guest RAM, ioctl for KVM), bound with JNA direct mapping. */
public final class LibC {
    public static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    public static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    public static final int O_RDWR = 2, O_CLOEXEC = 0x80000;
    public static final int MFD_CLOEXEC = 1;
    public static final int MADV_POPULATE_WRITE = 23; // Linux 5.14
    public static final Pointer MAP_FAILED = new Pointer(-1);

    static {
        Native.register("c");
    }

    private LibC() {}

    public static native Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset) throws LastErrorException;
    public static native int munmap(Pointer addr, long length) throws LastErrorException;
    public static native int madvise(Pointer addr, long length, int advice) throws LastErrorException;
    public static native int open(String path, int flags) throws LastErrorException;
    public static native int close(int fd) throws LastErrorException;
    public static native int ioctl(int fd, NativeLong request, long arg) throws LastErrorException;
    public static native int ioctl(int fd, NativeLong request, Pointer arg) throws LastErrorException;
    public static native int getpid();
    public static native int memfd_create(String name, int flags) throws LastErrorException;
    public static native int ftruncate(int fd, long length) throws LastErrorException;

    // Guest memory that fills itself (io.hexo.vmm.memory.LazyMemory): holes in the memfd, userfaultfd.
    public static final int SEEK_DATA = 3, SEEK_HOLE = 4;
    public static final int FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2;
    public static native long lseek(int fd, long offset, int whence) throws LastErrorException;
    public static native int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;
    public static native long syscall(long number, long arg) throws LastErrorException;
    public static native long read(int fd, Pointer buf, long count) throws LastErrorException;
    public static native int poll(Pointer fds, long nfds, int timeoutMs) throws LastErrorException;
}
