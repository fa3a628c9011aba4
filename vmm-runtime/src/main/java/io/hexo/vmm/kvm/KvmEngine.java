package io.hexo.vmm.kvm;

import com.sun.jna.Pointer;
import io.hexo.vmm.engine.Engine;
import io.hexo.vmm.memory.GuestMemory;
import io.hexo.vmm.memory.LazyMemory;
import io.hexo.vmm.memory.PageSource;

/**
 * What every KVM engine is, whatever the ISA: one VM with all guest RAM in one memory slot, one vCPU,
 * run once, torn down once. The ISA's engine sets the vCPU up in between (its {@code create}) and
 * decodes its exits ({@link #run}).
 */
abstract class KvmEngine implements Engine {
    final KvmSystem kvm;
    final KvmSystem.Vm vm;
    final KvmSystem.Vcpu vcpu;
    /** The vCPU's shared kvm_run structure, where exits are read. */
    final Pointer run;
    private final GuestMemory memory;
    private UserFaults userFaults;
    private boolean ran, closed;

    KvmEngine(Parts parts) {
        this.memory = parts.memory;
        this.kvm = parts.kvm;
        this.vm = parts.vm;
        this.vcpu = parts.vcpu;
        this.run = vcpu.kvmRun();
    }

    /**
     * A VM being built: its guest memory mapped, its vCPU created. Closed (in reverse) when building fails
     * half-way; handed to the engine when it succeeds.
     */
    static final class Parts implements AutoCloseable {
        final KvmSystem kvm;
        final GuestMemory memory;
        KvmSystem.Vm vm;
        KvmSystem.Vcpu vcpu;
        private boolean handedOver;

        Parts(KvmSystem kvm, long vmType, GuestMemory memory) {
            this.kvm = kvm;
            this.memory = memory;
            try {
                vm = kvm.createVm(vmType);
                vm.setUserMemoryRegion(0, 0, 0, memory.size(), memory.hostBase());
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        KvmSystem.Vcpu createVcpu() {
            vcpu = vm.createVcpu(0);
            return vcpu;
        }

        /** The engine owns everything from here on. */
        Parts handOver() {
            handedOver = true;
            return this;
        }

        @Override
        public void close() {
            if (handedOver) return;
            if (vcpu != null) vcpu.close();
            if (vm != null) vm.close();
            kvm.close();
        }
    }

    @Override
    public final String description() { return "KVM"; }

    /** Called first by {@link #run}: a VM boots its guest once. */
    final void startOnce() {
        if (ran) throw new IllegalStateException("run() may be called once");
        ran = true;
    }

    /** userfaultfd on the VMM's mapping: KVM's accesses to a missing page wait in KVM_RUN until it is filled. */
    @Override
    public final LazyMemory fillLazily(long start, long length, PageSource source) {
        if (userFaults != null) throw new IllegalStateException("guest memory fills itself once per run");
        memory.discardData(start, length); // what the guest kernel wrote there before the restore is not the program's
        userFaults = UserFaults.register(memory, start, length);
        LazyMemory lazy = new LazyMemory(start, length, source, userFaults);
        memory.fillLazily(lazy);
        userFaults.serve(lazy);
        return lazy;
    }

    @Override
    public final void close() {
        if (closed) return;
        closed = true;
        if (userFaults != null) userFaults.close();
        vcpu.close();
        vm.close();
        kvm.close();
    }
}
