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
}
