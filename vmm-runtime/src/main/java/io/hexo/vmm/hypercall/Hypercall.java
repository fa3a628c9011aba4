package io.hexo.vmm.hypercall;

/**
 * One hypercall handler. Arguments are the guest's raw u64 values; the result is the value for the
 * block's {@code ret} (negative: minus a WASI errno). Guest addresses must be checked through
 * GuestMemory, which throws GuestFault, turned into -EFAULT by the table.
 */
@FunctionalInterface
public interface Hypercall {
    long call(long[] args) throws Exception;
}
