package io.hexo.vmm.unicorn;

import com.sun.jna.Callback;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.engine.DoorbellHandler;
import io.hexo.vmm.engine.Engine;
import io.hexo.vmm.engine.Exit;
import io.hexo.vmm.engine.GuestLayout;
import io.hexo.vmm.engine.MemoryRange;
import io.hexo.vmm.memory.GuestMemory;

import java.util.ArrayList;
import java.util.List;

import static io.hexo.vmm.unicorn.Unicorn.*;

/**
 * What both Unicorn engines share: the uc handle, guest RAM mapped with uc_mem_map_ptr (Unicorn works on
 * the caller's GuestMemory, no copy), the hooks and their strong references, the run loop and the
 * reporting of accesses to unmapped memory.
 *
 * <p>Unicorn 2.0.1 stops an access to unmapped memory in the middle of a translation block without
 * writing the program counter back: registers hold the state just before the faulting instruction, but
 * the PC still names the start of the block. {@link #locateFaultPc} finds the instruction afterwards by
 * replaying the block one instruction at a time (only after the guest has died, so the fast path pays
 * nothing). No memory hooks are installed: any UC_HOOK_MEM_READ/WRITE would push every guest load and
 * store onto the slow path.
 */
abstract class UnicornEngine implements Engine {
    protected final GuestMemory memory;
    protected final GuestLayout layout;
    protected final Pointer uc;
    protected final String version;

    /** Callback objects handed to native code: referenced here so that the GC never frees their trampolines. */
    private final List<Object> keepAlive = new ArrayList<>();
    private final Memory regBuf = new Memory(64);
    private final Memory hookOut = new Memory(8);

    protected DoorbellHandler handler;
    /** Set when a doorbell handler returned false: the run ends with Exit.Stopped. */
    protected boolean stopped;
    /** The first fault seen by a hook in this run. */
    protected Exit.Fault fault;
    /** An exception thrown by the doorbell handler inside a native callback: rethrown by run. */
    protected RuntimeException callbackError;

    // access to unmapped memory recorded by the hook
    private boolean memFault;
    private int memFaultType;
    private long memFaultAddress;
    private int memFaultSize;

    /** True while locateFaultPc replays instructions: hooks then only record, doorbells are not rung. */
    protected boolean diagnosing;
    private boolean diagMemFault;
    private int diagType;
    private long diagAddress;
    protected boolean diagOther;

    private boolean ran;
    private boolean closed;

    protected UnicornEngine(Setup setup, int arch, int mode) {
        this.memory = setup.memory();
        this.layout = setup.layout();
        this.version = Unicorn.version();
        Pointer handle = Unicorn.open(arch, mode);
        this.uc = handle;
        try {
            configureCpu();
            mapGuestMemory();
            EventMemCallback unmapped = this::onUnmapped;
            addHook(UC_HOOK_MEM_UNMAPPED, unmapped, 1, 0);
            // Stop only when a hook says so: never at an `until` address (a jump to 0 must fault).
            check(uc_ctl(uc, CTL_USE_EXITS_WRITE, 1), "uc_ctl(UC_CTL_UC_USE_EXITS)");
            installHooks();
            setEntryState();
        } catch (RuntimeException | Error e) {
            uc_close(handle);
            throw e;
        }
    }

    /** Before anything else touches the CPU (CPU model and the like). */
    protected void configureCpu() {}

    /** Adds the ISA's doorbell and exception hooks. */
    protected abstract void installHooks();

    /** Stack pointer, flags, system registers for the entry state of {@link Engine}. */
    protected abstract void setEntryState();

    /** The program counter register id. */
    protected abstract int pcRegister();

    /** Exception detail for an access to unmapped memory (the vector / interrupt number it stands for). */
    protected abstract long unmappedDetail(int memType);

    /**
     * Interprets an emulation that ended without a doorbell stop or hook-reported fault. Returns the exit,
     * or null to resume at the current PC (an instruction was emulated in Java).
     */
    protected abstract Exit onEmulationEnd(int err);

    private void mapGuestMemory() {
        long limit = Math.min(layout.memSize(), memory.size());
        if (layout.memSize() > memory.size()) {
            throw new IllegalArgumentException("layout memSize " + hex(layout.memSize()) + " exceeds guest memory "
                    + hex(memory.size()));
        }
        for (MemoryRange r : layout.mappedRanges()) {
            long start = r.start(), end = Math.min(r.end(), limit);
            if (end <= start) continue;
            if ((start & 0xfff) != 0 || (end & 0xfff) != 0) {
                throw new IllegalArgumentException("guest range [" + hex(start) + ", " + hex(end) + ") is not 4 KiB aligned");
            }
            check(uc_mem_map_ptr(uc, start, end - start, UC_PROT_ALL, memory.hostBase().share(start)),
                    "uc_mem_map_ptr(" + hex(start) + ", " + hex(end - start) + ")");
        }
    }

    /** QEMU's target page: 4 KiB for x86-64, but 1 KiB for AArch64 in Unicorn (and not settable for it). */
    @Override
    public int softTlbPage() {
        regBuf.setInt(0, 0);
        check(uc_ctl(uc, CTL_PAGE_SIZE_READ, regBuf), "uc_ctl(UC_CTL_UC_PAGE_SIZE)");
        return regBuf.getInt(0);
    }

    protected final long addHook(int type, Callback cb, long begin, long end) {
        keepAlive.add(cb);
        check(uc_hook_add(uc, hookOut, type, cb, null, begin, end), "uc_hook_add(" + type + ")");
        return hookOut.getLong(0);
    }

    protected final long addInsnHook(Callback cb, int insn) {
        keepAlive.add(cb);
        check(uc_hook_add(uc, hookOut, UC_HOOK_INSN, cb, null, 1, 0, insn), "uc_hook_add(UC_HOOK_INSN " + insn + ")");
        return hookOut.getLong(0);
    }

    protected final void keep(Object o) {
        keepAlive.add(o);
    }

    protected final long reg(int id) {
        regBuf.setLong(0, 0);
        check(uc_reg_read(uc, id, regBuf), "uc_reg_read(" + id + ")");
        return regBuf.getLong(0);
    }

    protected final void setReg(int id, long value) {
        regBuf.setLong(0, value);
        check(uc_reg_write(uc, id, regBuf), "uc_reg_write(" + id + ")");
    }

    protected final long pc() {
        return reg(pcRegister());
    }

    /** Called from native hooks: the doorbell. Returns normally; stops the emulation when asked. */
    protected final void ring(long value) {
        if (diagnosing || stopped || fault != null || callbackError != null) return;
        try {
            if (!handler.onDoorbell(value & 0xffffffffL)) {
                stopped = true;
                uc_emu_stop(uc);
            }
        } catch (RuntimeException | Error e) {
            callbackError = e instanceof RuntimeException re ? re : new IllegalStateException("doorbell handler failed", e);
            uc_emu_stop(uc);
        }
    }

    /** Called from hooks that saw a CPU exception: records the first fault and stops. */
    protected final void reportFault(Exit.Fault f) {
        if (diagnosing) {
            diagOther = true;
        } else if (fault == null && !stopped) {
            fault = f;
        }
        uc_emu_stop(uc);
    }

    private boolean onUnmapped(Pointer ucp, int type, long address, int size, long value, Pointer user) {
        if (diagnosing) {
            if (!diagMemFault) {
                diagMemFault = true;
                diagType = type;
                diagAddress = address;
            }
        } else if (!memFault) {
            memFault = true;
            memFaultType = type;
            memFaultAddress = address;
            memFaultSize = size;
        }
        return false;
    }

    @Override
    public final Exit run(DoorbellHandler handler) {
        if (closed) throw new IllegalStateException("engine closed");
        if (ran) throw new IllegalStateException("Engine.run may be called once");
        ran = true;
        this.handler = handler;
        long start = layout.entry();
        while (true) {
            int err = uc_emu_start(uc, start, 0, 0, 0);
            if (callbackError != null) throw callbackError;
            if (stopped) return new Exit.Stopped();
            if (fault != null) return fault;
            if (memFault) return unmappedFault();
            Exit exit = onEmulationEnd(err);
            if (exit != null) return exit;
            start = pc();
        }
    }

    private Exit.Fault unmappedFault() {
        String what;
        long pc;
        switch (memFaultType) {
            case UC_MEM_FETCH_UNMAPPED:
                what = "instruction fetch from";
                pc = memFaultAddress;
                break;
            case UC_MEM_WRITE_UNMAPPED:
                what = memFaultSize + "-byte write to";
                pc = locateFaultPc(pc(), memFaultAddress, memFaultType);
                break;
            default:
                what = memFaultSize + "-byte read from";
                pc = locateFaultPc(pc(), memFaultAddress, memFaultType);
                break;
        }
        return new Exit.Fault(Abi.TRAP_OUT_OF_BOUNDS, pc, memFaultAddress, unmappedDetail(memFaultType),
                what + " " + where(memFaultAddress) + " at pc " + hex(pc));
    }

    /** Names the hole an address falls into, for fault descriptions. */
    protected final String where(long address) {
        String a = hex(address);
        if (address >= 0 && address < GuestLayout.NULL_PAGE_END) return "the null page (" + a + ")";
        if (address >= layout.stackGuardStart() && address < layout.stackGuardEnd()) return "the stack guard (" + a + ")";
        if (Long.compareUnsigned(address, layout.memSize()) >= 0) return "beyond guest memory (" + a + " >= " + hex(layout.memSize()) + ")";
        return "unmapped memory (" + a + ")";
    }

    /**
     * Finds the instruction that made an access of the given type to the given address, knowing that it
     * lies on the straight-line path from {@code blockPc} (the PC Unicorn left behind: the start of the
     * translation block) and that the registers now hold the state just before it.
     *
     * <p>For each instruction k of the block: (1) the k instructions before it are replayed from the
     * current state and must run without faulting (a cheap plausibility test), (2) instruction k alone,
     * run from the current state, must make the same access. The first such instruction is returned;
     * blockPc when none is found. Replays run with Unicorn's instruction counter (precise PC), doorbells
     * muted; the guest is dead by then, so its memory and registers no longer matter.
     */
    protected final long locateFaultPc(long blockPc, long address, int type) {
        Memory ctxOut = new Memory(8);
        if (uc_context_alloc(uc, ctxOut) != UC_ERR_OK) return blockPc;
        Pointer ctx = ctxOut.getPointer(0);
        diagnosing = true;
        try {
            if (uc_context_save(uc, ctx) != UC_ERR_OK) return blockPc;
            Memory tb = new Memory(UC_TB_SIZE);
            tb.clear();
            if (uc_ctl(uc, CTL_TB_REQUEST_CACHE, blockPc, tb) != UC_ERR_OK) return blockPc;
            int icount = tb.getShort(8) & 0xffff;
            long size = tb.getShort(10) & 0xffff;
            // Blocks translated before the replay lack the per-instruction counter: drop those of this block.
            if (uc_ctl(uc, CTL_TB_REMOVE_CACHE, blockPc, blockPc + Math.max(size, 1)) != UC_ERR_OK) return blockPc;
            int pcReg = pcRegister();
            // Pass 1: step through the block from the current state; instruction k is a candidate when
            // the k before it ran without faulting.
            long[] candidates = new long[icount];
            int n = 0;
            uc_context_restore(uc, ctx);
            long at = blockPc;
            while (n < icount) {
                candidates[n++] = at;
                clearDiag();
                int err = uc_emu_start(uc, at, 0, 0, 1);
                if (err != UC_ERR_OK || diagMemFault || diagOther) break;
                at = reg(pcReg);
                if (at < blockPc || at >= blockPc + size) break;
            }
            // Pass 2: the first candidate that, run alone from the state at the fault, makes the same access.
            for (int k = 0; k < n; k++) {
                uc_context_restore(uc, ctx);
                clearDiag();
                uc_emu_start(uc, candidates[k], 0, 0, 1);
                if (diagMemFault && diagAddress == address && diagType == type) return candidates[k];
            }
            return blockPc;
        } catch (RuntimeException e) {
            return blockPc;
        } finally {
            uc_context_restore(uc, ctx);
            uc_context_free(ctx);
            diagnosing = false;
        }
    }

    private void clearDiag() {
        diagMemFault = false;
        diagOther = false;
        diagType = 0;
        diagAddress = 0;
    }

    /** Reads guest bytes for instruction decoding; null when outside guest RAM. */
    protected final byte[] guestBytes(long address, int len) {
        long end = Math.min(layout.memSize(), memory.size());
        if (address < GuestLayout.NULL_PAGE_END || address < 0 || address + len > end) return null;
        return memory.read(address, len);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            uc_close(uc);
        }
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
