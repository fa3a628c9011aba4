package io.hexo.vmm.engine;

/** A guest-physical range [start, end). */
public record MemoryRange(long start, long end) {
    public MemoryRange {
        if (end < start) throw new IllegalArgumentException("range end before start");
    }

    public long size() { return end - start; }

    public boolean contains(long addr) { return addr >= start && addr < end; }
}
