package io.hexo.vmm.engine;

import io.hexo.vmm.abi.Abi;

import java.util.List;

/**
 * Where things are in one guest: computed by the loader from the image and MEM, then used by the
 * engine (what to map, where to start) and the hypercall handlers (where linear memory is).
 *
 * <p>Mapped ranges leave two holes that turn stray accesses into faults: the null page [0, 0x1000) and
 * a 2 MiB guard below the kernel stack. Everything past memSize is unmapped too, which is what makes
 * an out-of-bounds wasm access fault without bounds checks in the generated code.
 *
 * <p>linmemView: where the program's code sees linear memory ({@link Abi#LINMEM_VIEW}; 0 for images built
 * before the view): engines map [linmemView, linmemView + {@link #linmemLimit()}) to the same pages as
 * [linmemBase, ...) and leave {@link Abi#LINMEM_GUARD} around it unmapped (compiler-bridge
 * AddressArithmetic relies on both guards).
 */
public record GuestLayout(
        long memSize,
        long entry,
        long stackTop,
        long stackGuardStart,
        long stackGuardEnd,
        long imageEnd,
        long linmemBase,
        long x86TrapVectors,
        long linmemView) {

    /** A layout without the program's view of linear memory (images that address it guest-physically). */
    public GuestLayout(long memSize, long entry, long stackTop, long stackGuardStart, long stackGuardEnd, long imageEnd,
            long linmemBase, long x86TrapVectors) {
        this(memSize, entry, stackTop, stackGuardStart, stackGuardEnd, imageEnd, linmemBase, x86TrapVectors, 0);
    }

    public static final long NULL_PAGE_END = 0x1000;

    /** The guest-physical ranges an engine maps read/write/execute. */
    public List<MemoryRange> mappedRanges() {
        return List.of(new MemoryRange(NULL_PAGE_END, stackGuardStart), new MemoryRange(stackGuardEnd, memSize));
    }

    public long linmemLimit() {
        return Math.min(memSize - linmemBase, 1L << 32);
    }

    public static long alignUp(long v, long a) {
        return (v + a - 1) & -a;
    }

    public static long linmemBaseAfter(long imageEnd) {
        return alignUp(imageEnd, Abi.LINMEM_ALIGN);
    }
}
