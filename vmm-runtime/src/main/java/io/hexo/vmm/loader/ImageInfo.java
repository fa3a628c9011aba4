package io.hexo.vmm.loader;

import io.hexo.vmm.abi.Isa;

/**
 * What an image says about itself in its {@code .hexo_info} section: struct hexo_image_info of
 * hexo_abi.h (offsets in {@link io.hexo.vmm.abi.Abi}'s II_* constants, checked against the header by
 * AbiHeaderTest). Two images belong together when everything but the ISA is equal; a checkpoint
 * belongs to an image when the module ids are equal.
 */
public record ImageInfo(int abiVersion, Isa isa, int globals, String moduleId, long imageBase, long linmemAlign,
                        long initialLinmem, long dataStart, long bssStart, long stackLow, long stackHigh) {}
