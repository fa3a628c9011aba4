package io.hexo.vmm.engine;

/** Called by an engine, on the vCPU thread, each time the guest rings the hypercall doorbell. */
@FunctionalInterface
public interface DoorbellHandler {
    /**
     * @param value the 32-bit value the guest wrote (the hypercall block address)
     * @return true to let the guest continue, false to stop it ({@link Engine#run} then returns Stopped)
     */
    boolean onDoorbell(long value);
}
