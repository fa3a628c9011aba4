package io.hexo.build;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.loader.ElfImage;
import io.hexo.vmm.loader.ImageInfo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * `hexo check`: do prog_x86-64 and prog_aarch64 belong together, so that each can resume the other's
 * checkpoints? (The original's `make check` verified its aligned binaries; here the question is
 * whether both were translated from the same wasm module for the same ABI and memory layout.)
 */
public final class ImagePairCheck {
    private ImagePairCheck() {}

    /** @return the differences, one sentence each; empty when the pair matches */
    public static List<String> check(Path dir) {
        ElfImage x86 = ElfImage.read(dir.resolve(Isa.X86_64.imageName()));
        ElfImage arm = ElfImage.read(dir.resolve(Isa.AARCH64.imageName()));
        List<String> problems = new ArrayList<>();
        if (x86.isa() != Isa.X86_64) problems.add(x86.path() + " is not an x86-64 image");
        if (arm.isa() != Isa.AARCH64) problems.add(arm.path() + " is not an AArch64 image");
        ImageInfo a = x86.info(), b = arm.info();
        if (!a.moduleId().equals(b.moduleId())) {
            problems.add("the images come from different programs (module " + a.moduleId().substring(0, 12) + " vs "
                    + b.moduleId().substring(0, 12) + "): rebuild both with `hexo build`");
        }
        compare(problems, "hexo ABI version", a.abiVersion(), b.abiVersion());
        compare(problems, "number of wasm globals", a.globals(), b.globals());
        compare(problems, "image base", a.imageBase(), b.imageBase());
        compare(problems, "linear-memory alignment", a.linmemAlign(), b.linmemAlign());
        compare(problems, "initial linear memory", a.initialLinmem(), b.initialLinmem());
        compare(problems, "data start", a.dataStart(), b.dataStart());
        compare(problems, "bss start", a.bssStart(), b.bssStart());
        compare(problems, "stack", a.stackLow(), b.stackLow());
        compare(problems, "heap start", a.stackHigh(), b.stackHigh());
        return problems;
    }

    private static void compare(List<String> problems, String what, long x86, long arm) {
        if (x86 != arm) problems.add(String.format("the %s differs: x86-64 has %d, AArch64 has %d", what, x86, arm));
    }
}
