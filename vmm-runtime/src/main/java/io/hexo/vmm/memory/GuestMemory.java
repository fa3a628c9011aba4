package io.hexo.vmm.memory;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;
import io.hexo.vmm.os.LibC;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Guest RAM: one memfd, mapped shared into this process, that engines hand to KVM or Unicorn as
 * guest-physical [0, size) and that the process engine maps into the guest process as well (a file,
 * not anonymous memory, is what two processes can share). Every accessor checks the guest-supplied
 * range first, so a guest can never make the VMM touch host memory outside it.
 */
public final class GuestMemory implements AutoCloseable {
    private final Pointer base;
    private final long size;
    private final int fd;
    private boolean closed;
    /** Set while part of memory fills itself: the VMM's own accesses make their blocks present first. */
    private volatile LazyMemory lazy;

    private GuestMemory(Pointer base, long size, int fd) {
        this.base = base;
        this.size = size;
        this.fd = fd;
    }

    /** Reserves size bytes (rounded up to 2 MiB); pages are only backed when touched. */
    public static GuestMemory allocate(long size) {
        long rounded = (size + 0x1FFFFF) & ~0x1FFFFFL;
        int fd;
        try {
            fd = LibC.memfd_create("hexo-guest-ram", LibC.MFD_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IllegalStateException("cannot create guest memory (memfd_create: errno " + e.getErrorCode() + ")");
        }
        try {
            LibC.ftruncate(fd, rounded);
            Pointer p = LibC.mmap(null, rounded, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_NORESERVE, fd, 0);
            if (Pointer.nativeValue(p) == -1) throw new LastErrorException(12);
            return new GuestMemory(p, rounded, fd);
        } catch (LastErrorException e) {
            LibC.close(fd);
            throw new IllegalStateException("cannot reserve " + rounded + " bytes of guest memory (errno " + e.getErrorCode() + ")");
        }
    }

    public long size() { return size; }

    /** Host address of guest-physical 0, for KVM_SET_USER_MEMORY_REGION and uc_mem_map_ptr. */
    public Pointer hostBase() { return base; }

    /** The memfd behind guest RAM (file offset = guest-physical address); close-on-exec, owned by this object. */
    public int fd() { return fd; }

    public boolean contains(long gpa, long len) {
        return gpa >= 0 && len >= 0 && gpa <= size && len <= size - gpa;
    }

    public void check(long gpa, long len) {
        if (!contains(gpa, len)) throw new GuestFault(gpa, len);
        LazyMemory l = lazy;
        if (l != null) l.ensure(gpa, len);
    }

    /** From now on, accesses through this object wait for l's blocks (null: none fill themselves any more). */
    public void fillLazily(LazyMemory l) {
        lazy = l;
    }

    /** The range that fills itself, or null. */
    public LazyMemory lazy() { return lazy; }

    /**
     * Writes src at gpa without waiting for lazily filled blocks: for the {@link LazyMemory.Installer} that
     * is filling them (the process engine's, which writes the shared memfd the guest process maps).
     */
    public void install(long gpa, ByteBuffer src) {
        if (!contains(gpa, src.remaining())) throw new GuestFault(gpa, src.remaining());
        base.getByteBuffer(gpa, src.remaining()).put(src);
    }

    /**
     * Backs [gpa, gpa+len) with host pages now (MADV_POPULATE_WRITE), for memory the guest has just
     * started to use. The first touch of an unbacked page from a KVM guest costs ~28 us on kvm_pvm
     * hosts (shadow paging: the host faults the page in from inside KVM's own fault), ~3 us per page
     * here in bulk, and the guest's touch then maps it without a host fault (bench/README.md, "First touch of guest
     * memory"). Only advice: nothing happens while memory fills itself (post-copy: its pages must stay
     * missing until the checkpoint's arrive), and a kernel without MADV_POPULATE_WRITE (before 5.14) or
     * short of memory leaves the pages to be backed when touched, as before.
     */
    public void populate(long gpa, long len) {
        if (!contains(gpa, len)) throw new GuestFault(gpa, len);
        if (lazy != null) return;
        long start = gpa & ~0xFFFL, end = (gpa + len + 0xFFF) & ~0xFFFL;
        if (end > size) end = size;
        if (end <= start) return;
        try {
            LibC.madvise(base.share(start), end - start, LibC.MADV_POPULATE_WRITE);
        } catch (LastErrorException e) {
            // EINVAL (older kernel), ENOMEM, EFAULT: the pages are backed when first touched instead
        }
    }

    /** Drops the contents of [gpa, gpa+len) (page-aligned): they read as zeros, or fault in again under userfaultfd. */
    public void discard(long gpa, long len) {
        if (!contains(gpa, len)) throw new GuestFault(gpa, len);
        LibC.fallocate(fd, LibC.FALLOC_FL_PUNCH_HOLE | LibC.FALLOC_FL_KEEP_SIZE, gpa, len);
    }

    /**
     * The same, for the pages of [gpa, gpa+len) that hold data only: a range about to fill itself, of which the
     * guest wrote little before (its boot), is cleared at the cost of what was written, not of its size.
     */
    public void discardData(long gpa, long len) {
        if (!contains(gpa, len)) throw new GuestFault(gpa, len);
        long end = gpa + len;
        for (long at = gpa; at < end; ) {
            long data = nextData(at, end);
            if (data >= end) return;
            long hole = nextHole(data, end);
            long from = data & ~0xFFFL, to = Math.min(end, (hole + 0xFFF) & ~0xFFFL);
            discard(from, to - from);
            at = Math.max(to, data + 1);
        }
    }

    /**
     * The first guest-physical address at or after gpa (and before end) that may hold data: pages never
     * written are holes in the memfd and need not be read to know they are zero. end when none.
     */
    public long nextData(long gpa, long end) {
        if (gpa >= end) return end;
        try {
            return Math.min(end, LibC.lseek(fd, gpa, LibC.SEEK_DATA));
        } catch (LastErrorException e) {
            return end; // ENXIO: nothing but holes from gpa on
        }
    }

    /** The first hole at or after gpa (a position that holds data): where the data extent ends. */
    public long nextHole(long gpa, long end) {
        if (gpa >= end) return end;
        try {
            return Math.min(end, LibC.lseek(fd, gpa, LibC.SEEK_HOLE));
        } catch (LastErrorException e) {
            return end;
        }
    }

    /** A host pointer to [gpa, gpa+len), checked. */
    public Pointer pointer(long gpa, long len) {
        check(gpa, len);
        return base.share(gpa);
    }

    public long getLong(long gpa) { check(gpa, 8); return base.getLong(gpa); }

    public int getInt(long gpa) { check(gpa, 4); return base.getInt(gpa); }

    public byte getByte(long gpa) { check(gpa, 1); return base.getByte(gpa); }

    public void putLong(long gpa, long v) { check(gpa, 8); base.setLong(gpa, v); }

    public void putInt(long gpa, int v) { check(gpa, 4); base.setInt(gpa, v); }

    public void putByte(long gpa, byte v) { check(gpa, 1); base.setByte(gpa, v); }

    public byte[] read(long gpa, int len) {
        check(gpa, len);
        return base.getByteArray(gpa, len);
    }

    public void read(long gpa, byte[] dst, int off, int len) {
        check(gpa, len);
        base.read(gpa, dst, off, len);
    }

    public void write(long gpa, byte[] src) { write(gpa, src, 0, src.length); }

    public void write(long gpa, byte[] src, int off, int len) {
        check(gpa, len);
        base.write(gpa, src, off, len);
    }

    /** A direct view of [gpa, gpa+len) for channel I/O without copies; len at most 2 GiB - 1. */
    public ByteBuffer buffer(long gpa, int len) {
        check(gpa, len);
        return base.getByteBuffer(gpa, len);
    }

    public void fill(long gpa, long len, byte value) {
        check(gpa, len);
        base.setMemory(gpa, len, value);
    }

    /** A UTF-8 string of exactly len bytes (guests pass lengths, not NUL terminators). */
    public String string(long gpa, int len) {
        return new String(read(gpa, len), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.munmap(base, size);
            LibC.close(fd);
        }
    }
}
