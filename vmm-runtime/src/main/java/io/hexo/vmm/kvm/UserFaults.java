package io.hexo.vmm.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.EngineUnavailableException;
import io.hexo.vmm.memory.GuestMemory;
import io.hexo.vmm.memory.LazyMemory;
import io.hexo.vmm.os.LibC;

import java.nio.ByteBuffer;

/**
 * userfaultfd(2) on the VMM's mapping of guest RAM, which is also what KVM maps into the guest: a
 * missing page the vCPU touches blocks it inside KVM_RUN until {@link #install} (UFFDIO_COPY) fills it.
 * The descriptor must not be UFFD_USER_MODE_ONLY — KVM's own accesses fault in the kernel — which
 * needs root (or vm.unprivileged_userfaultfd=1); measured in ../shared/notes/kvm-on-these-machines.md.
 */
final class UserFaults implements LazyMemory.Installer, AutoCloseable {
    private static final int O_CLOEXEC = 0x80000, O_NONBLOCK = 0x800;
    private static final long UFFD_API = 0xAA;
    private static final NativeLong UFFDIO_API = new NativeLong(0xc018aa3fL), UFFDIO_REGISTER = new NativeLong(0xc020aa00L),
            UFFDIO_UNREGISTER = new NativeLong(0x8010aa01L), UFFDIO_WAKE = new NativeLong(0x8010aa02L), UFFDIO_COPY = new NativeLong(0xc028aa03L),
            UFFDIO_ZEROPAGE = new NativeLong(0xc020aa04L);
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(LazyMemory.BLOCK);
    private volatile boolean zeropageWorks = true;
    private static final int EVENT_PAGEFAULT = 0x12, EAGAIN = 11, EEXIST = 17, POLLIN = 1;

    private final GuestMemory memory;
    private final int fd;
    private final long start, length;
    private volatile boolean stopped;
    private Thread server;

    private UserFaults(GuestMemory memory, int fd, long start, long length) {
        this.memory = memory;
        this.fd = fd;
        this.start = start;
        this.length = length;
    }

    /** Registers [start, start+length) of guest memory (missing pages only). */
    static UserFaults register(GuestMemory memory, long start, long length) {
        long nr = Isa.host() == Isa.AARCH64 ? 282 : 323;
        int fd;
        try {
            fd = (int) LibC.syscall(nr, O_CLOEXEC | O_NONBLOCK);
        } catch (LastErrorException e) {
            throw new EngineUnavailableException("userfaultfd is not available here (errno " + e.getErrorCode()
                    + "): resume with --engine process, or as root", e);
        }
        try (Memory api = new Memory(24); Memory reg = new Memory(32)) {
            api.clear();
            api.setLong(0, UFFD_API);
            LibC.ioctl(fd, UFFDIO_API, api);
            reg.setLong(0, Pointer.nativeValue(memory.hostBase()) + start);
            reg.setLong(8, length);
            reg.setLong(16, 1); // UFFDIO_REGISTER_MODE_MISSING
            reg.setLong(24, 0);
            LibC.ioctl(fd, UFFDIO_REGISTER, reg);
        } catch (LastErrorException e) {
            LibC.close(fd);
            throw new EngineUnavailableException("userfaultfd cannot watch guest memory here (errno " + e.getErrorCode() + ")", e);
        }
        return new UserFaults(memory, fd, start, length);
    }

    /** Serves faults on a thread of its own until every block is in. */
    void serve(LazyMemory lazy) {
        server = new Thread(() -> loop(lazy), "hexo-userfaults");
        server.setDaemon(true);
        server.start();
    }

    private void loop(LazyMemory lazy) {
        try (Memory poll = new Memory(8); Memory msg = new Memory(32 * 16)) {
            long base = Pointer.nativeValue(memory.hostBase());
            while (!stopped) {
                poll.setInt(0, fd);
                poll.setShort(4, (short) POLLIN);
                poll.setShort(6, (short) 0);
                if (LibC.poll(poll, 1, 100) <= 0) continue;
                long n;
                try {
                    n = LibC.read(fd, msg, msg.size());
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == EAGAIN) continue;
                    return;
                }
                for (long at = 0; at + 32 <= n; at += 32) {
                    if ((msg.getByte(at) & 0xFF) != EVENT_PAGEFAULT) continue;
                    long gpa = msg.getLong(at + 16) - base;
                    lazy.fault(gpa);
                    if (lazy.contains(gpa)) wake(gpa & ~(LazyMemory.BLOCK - 1L));
                }
            }
        } catch (LastErrorException e) {
            // the descriptor is gone: the engine is closing
        }
    }

    /** A fault on a block someone else filled first: its UFFDIO_COPY woke earlier waiters, not this one. */
    private void wake(long gpa) {
        try (Memory range = new Memory(16)) {
            range.setLong(0, Pointer.nativeValue(memory.hostBase()) + gpa);
            range.setLong(8, Math.min(LazyMemory.BLOCK, start + length - gpa));
            LibC.ioctl(fd, UFFDIO_WAKE, range);
        } catch (LastErrorException ignored) {
            // nobody waits there
        }
    }

    @Override
    public void install(long gpa, ByteBuffer data) {
        // Zero blocks (most of a fresh heap) without copying zeros: UFFDIO_ZEROPAGE, block by block.
        if (zeropageWorks) {
            int at = data.position(), run = 0;
            while (at + run < data.limit() && data.slice(at + run, LazyMemory.BLOCK).mismatch(ZEROS) == -1) run += LazyMemory.BLOCK;
            if (run > 0 && zeropage(gpa, run)) {
                if (run < data.remaining()) install(gpa + run, data.duplicate().position(at + run));
                return;
            }
        }
        copy(gpa, data);
    }

    private boolean zeropage(long gpa, long len) {
        try (Memory z = new Memory(32)) {
            z.setLong(0, Pointer.nativeValue(memory.hostBase()) + gpa);
            z.setLong(8, len);
            z.setLong(16, 0);
            z.setLong(24, 0);
            LibC.ioctl(fd, UFFDIO_ZEROPAGE, z);
            return true;
        } catch (LastErrorException e) {
            // EAGAIN: done in part, the copy below skips what exists; anything else: not for this memory here
            if (e.getErrorCode() != EAGAIN) zeropageWorks = false;
            return false;
        }
    }

    private void copy(long gpa, ByteBuffer data) {
        try (Memory copy = new Memory(40)) {
            long src = Pointer.nativeValue(com.sun.jna.Native.getDirectBufferPointer(data)) + data.position();
            long done = 0, len = data.remaining();
            while (done < len) {
                copy.setLong(0, Pointer.nativeValue(memory.hostBase()) + gpa + done);
                copy.setLong(8, src + done);
                copy.setLong(16, len - done);
                copy.setLong(24, 0);
                copy.setLong(32, 0);
                try {
                    LibC.ioctl(fd, UFFDIO_COPY, copy);
                    done = len;
                } catch (LastErrorException e) {
                    long copied = copy.getLong(32);
                    if (copied > 0) { done += copied; continue; }
                    if (e.getErrorCode() == EAGAIN) continue;
                    if (e.getErrorCode() == EEXIST) { done += 4096; continue; } // already present: keep what is there
                    throw new IllegalStateException("UFFDIO_COPY failed (errno " + e.getErrorCode() + ")");
                }
            }
        }
    }

    @Override
    public void allInstalled() {
        stopped = true;
    }

    @Override
    public void close() {
        stopped = true;
        if (server != null) {
            try {
                server.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Memory range = new Memory(16)) {
            range.setLong(0, Pointer.nativeValue(memory.hostBase()) + start);
            range.setLong(8, length);
            LibC.ioctl(fd, UFFDIO_UNREGISTER, range);
        } catch (LastErrorException ignored) {
            // closing unregisters all the same
        }
        LibC.close(fd);
    }
}
