package io.hexo.vmm.process;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

/**
 * The process engine's doorbell: two pipes between the VMM and the guest process's loader. The guest
 * writes the 32-bit hypercall block address (what `out` or the MMIO store carries on KVM) and blocks
 * until the VMM answers with 4 bytes. A pipe round trip costs about 11 µs on these machines, less
 * than one KVM I/O exit.
 *
 * <p>The child's ends are handed to the spawned process and then closed here, so that the guest's
 * death is an end of file on {@link #await}.
 */
final class Doorbell implements AutoCloseable {
    private final int fromGuest, toGuest;
    private int childWrite, childRead;
    private final Memory buf = new Memory(4);

    private Doorbell(int fromGuest, int childWrite, int childRead, int toGuest) {
        this.fromGuest = fromGuest;
        this.childWrite = childWrite;
        this.childRead = childRead;
        this.toGuest = toGuest;
    }

    static Doorbell open() {
        int[] up = new int[2], down = new int[2];
        Posix.pipe2(up, Posix.O_CLOEXEC);
        try {
            Posix.pipe2(down, Posix.O_CLOEXEC);
        } catch (LastErrorException e) {
            Posix.closeQuietly(up[0]);
            Posix.closeQuietly(up[1]);
            throw e;
        }
        return new Doorbell(up[0], up[1], down[0], down[1]);
    }

    /** The descriptor the guest writes its doorbell to. */
    int childWriteEnd() { return childWrite; }

    /** The descriptor the guest reads the VMM's answer from. */
    int childReadEnd() { return childRead; }

    /** Once the child has its copies: ours must go, or the guest's death would never read as end of file. */
    void closeChildEnds() {
        Posix.closeQuietly(childWrite);
        Posix.closeQuietly(childRead);
        childWrite = childRead = -1;
    }

    /** Blocks until the guest rings; returns the value it wrote, or -1 when the guest process is gone. */
    long await() {
        int got = 0;
        while (got < 4) {
            long n;
            try {
                n = Posix.read(fromGuest, buf.share(got), 4 - got);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Posix.EINTR) continue;
                return -1;
            }
            if (n <= 0) return -1;
            got += (int) n;
        }
        return buf.getInt(0) & 0xFFFFFFFFL;
    }

    /** Lets the guest continue; false when it is gone. */
    boolean answer() {
        return answer(0);
    }

    /** Lets the guest continue with a word for the loader (see loader.c, doorbell() and on_fault()); false when it is gone. */
    boolean answer(int word) {
        buf.setInt(0, word);
        while (true) {
            try {
                return Posix.write(toGuest, buf, 4) == 4;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Posix.EINTR) return false;
            }
        }
    }

    @Override
    public void close() {
        closeChildEnds();
        Posix.closeQuietly(fromGuest);
        Posix.closeQuietly(toGuest);
    }
}
