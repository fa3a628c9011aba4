package io.hexo.vmm.hypercall;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.guest.GuestFiles;
import io.hexo.vmm.guest.MigrationControl;
import io.hexo.vmm.loader.ElfImage;
import io.hexo.vmm.loader.ImageInfo;
import io.hexo.vmm.memory.GuestMemory;

import java.nio.file.Path;
import java.util.function.Consumer;

/** Checkpoint and restore. */
public final class MigrationCalls implements HypercallFamily {
    public MigrationCalls(GuestMemory memory, ElfImage image, ImageInfo info, GuestFiles files, MigrationControl control,
                          Path checkpointDir, Consumer<String> notices) {
    }

    @Override
    public void register(HypercallTable t) {
        t.register(Abi.HC_CHECKPOINT, a -> -Abi.ENOSYS);
        t.register(Abi.HC_RESTORE, a -> -Abi.ENOSYS);
    }
}
