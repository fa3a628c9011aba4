package io.hexo.vmm.hypercall;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.engine.DoorbellHandler;
import io.hexo.vmm.memory.GuestFault;
import io.hexo.vmm.memory.GuestMemory;
import io.hexo.vmm.memory.LazyMemory;
import io.hexo.vmm.run.Outcome;

/**
 * The doorbell handler: reads the hypercall block, dispatches on its number, writes the result back.
 * Nothing a guest puts in the block can crash the VMM: unknown numbers get -ENOSYS, bad addresses
 * -EFAULT, and any other failure -EIO.
 */
public final class HypercallTable implements DoorbellHandler {
    private static final int MAX_NR = 0x40;

    private final GuestMemory memory;
    private final Hypercall[] calls = new Hypercall[MAX_NR];
    private final long[] args = new long[6];
    private Outcome outcome;

    public HypercallTable(GuestMemory memory, HypercallFamily... families) {
        this.memory = memory;
        for (HypercallFamily f : families) f.register(this);
    }

    public void register(int nr, Hypercall call) {
        if (calls[nr] != null) throw new IllegalStateException("hypercall " + nr + " registered twice");
        calls[nr] = call;
    }

    @Override
    public boolean onDoorbell(long value) {
        if (value != Abi.HYPERCALL_ADDR) return true; // not our block: ignore rather than trust it
        long block = Abi.HYPERCALL_ADDR;
        long nr = memory.getLong(block + Abi.HC_NR);
        for (int i = 0; i < args.length; i++) args[i] = memory.getLong(block + Abi.HC_ARG0 + 8L * i);
        String stop = lazyMemoryStop(nr);
        if (stop != null) {
            outcome = new Outcome.Failed(stop);
            return false;
        }
        long ret;
        try {
            Hypercall call = nr >= 0 && nr < MAX_NR ? calls[(int) nr] : null;
            ret = call == null ? -Abi.ENOSYS : call.call(args);
        } catch (GuestStopped e) {
            outcome = e.outcome();
            return false;
        } catch (LazyMemory.Failed e) {
            outcome = new Outcome.Failed(e.getMessage());
            return false;
        } catch (GuestFault | ArithmeticException | IndexOutOfBoundsException e) {
            ret = -Abi.EFAULT;
        } catch (Exception e) {
            ret = -Abi.EIO;
        }
        memory.putLong(block + Abi.HC_RET, ret);
        return true;
    }

    /**
     * While guest memory fills itself ({@link LazyMemory}): a failed fill stops the guest at this exit, and
     * when the source holds effects (a checkpoint on disk; a post-copy source until the hand-over) every call but those without effects outside the guest
     * (time, randomness, the control block, the restore itself) first waits for all of them to be verified.
     */
    private String lazyMemoryStop(long nr) {
        LazyMemory lazy = memory.lazy();
        if (lazy == null) return null;
        String failed = lazy.failure();
        boolean free = nr == Abi.HC_RESTORE || nr == Abi.HC_CLOCK || nr == Abi.HC_RANDOM || nr == Abi.HC_SLEEP || nr == Abi.HC_SET_CONTROL || nr == Abi.HC_LOG;
        if (failed == null && !lazy.complete() && lazy.holdsEffects() && !free) failed = lazy.awaitComplete();
        return failed;
    }

    /** Why the guest stopped, once a hypercall stopped it; null otherwise. */
    public Outcome outcome() { return outcome; }
}
