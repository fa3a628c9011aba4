package io.hexo.vmm.loader;

import io.hexo.vmm.abi.Isa;

/**
 * What an image says about itself in its {@code .hexo_info} section (written by the build's glue):
 * which wasm module it was translated from, for which ABI and ISA. Two images belong together when
 * everything but the ISA is equal; a checkpoint belongs to an image when the module ids are equal.
 *
 * <p>Section layout (little-endian): u32 magic "HXIN", u32 ABI version, u32 ISA (1 x86-64, 2 AArch64),
 * u32 wasm globals count, char[64] module id (hex SHA-256 of the instrumented wasm), u64 image base,
 * u64 linear-memory alignment, u64 initial linear memory bytes, then the program's linear-memory
 * regions (wasm addresses): u64 data start, u64 end of initialized data (= start of bss), u64 stack
 * low, u64 stack high (= heap start). The regions name the checkpoint files (data.bin, bss.bin, ...).
 */
public record ImageInfo(int abiVersion, Isa isa, int globals, String moduleId, long imageBase, long linmemAlign,
                        long initialLinmem, long dataStart, long bssStart, long stackLow, long stackHigh) {
    public static final int MAGIC = 0x4e495848; // "HXIN"
    public static final int SIZE = 16 + 64 + 24 + 32;
}
