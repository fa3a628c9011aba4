package io.hexo.vmm.checkpoint;

import io.hexo.vmm.loader.ImageInfo;

import java.util.List;

/**
 * How linear memory is cut into the files users of the original know: initialized data, bss, the C
 * stack and the heap (wasm-ld's layout: data, bss, stack growing down, then the heap up to the current
 * memory size). The bounds come from the image's .hexo_info.
 */
record RegionBounds(String name, String file, long start, long length) {
    static List<RegionBounds> of(ImageInfo info, long linmemSize) {
        long bss = Math.min(info.bssStart(), linmemSize);
        long stackLow = Math.max(bss, Math.min(info.stackLow(), linmemSize));
        long heap = Math.max(stackLow, Math.min(info.stackHigh(), linmemSize));
        return List.of(
                new RegionBounds("data", "data.bin", 0, bss),
                new RegionBounds("bss", "bss.bin", bss, stackLow - bss),
                new RegionBounds("stack", "stack.bin.1", stackLow, heap - stackLow),
                new RegionBounds("heap", "heap.bin", heap, linmemSize - heap));
    }
}
