package io.hexo.vmm.engine;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.kvm.KvmArm64Engine;
import io.hexo.vmm.kvm.KvmX86Engine;
import io.hexo.vmm.unicorn.UnicornArm64Engine;
import io.hexo.vmm.unicorn.UnicornX86Engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Picks the engine for a guest: KVM when the guest's ISA is the host's and /dev/kvm is there, the
 * emulated engine (Unicorn) otherwise — the emulated ARM64 board for AArch64 guests on an x86 host.
 */
public final class Engines {
    private Engines() {}

    public static Engine create(Isa isa, EngineChoice choice, Engine.Setup setup, Consumer<String> notices) {
        boolean kvmPossible = isa == Isa.host() && Files.exists(Path.of("/dev/kvm"));
        boolean useKvm = switch (choice) {
            case KVM -> true;
            case EMULATED -> false;
            case AUTO -> kvmPossible;
        };
        if (useKvm) {
            if (isa != Isa.host()) {
                throw new EngineUnavailableException("KVM cannot run " + isa.displayName() + " guests on this "
                        + (Isa.host() == null ? "host" : Isa.host().displayName() + " host")
                        + ": use --engine emulated, or run on a board (--isa arm runs on the emulated board)");
            }
            return isa == Isa.X86_64 ? KvmX86Engine.create(setup) : KvmArm64Engine.create(setup);
        }
        if (choice == EngineChoice.AUTO && isa == Isa.host() && isa == Isa.X86_64) {
            notices.accept("hexo: /dev/kvm is not available on this host: running the x86-64 guest emulated (much slower)");
        }
        return isa == Isa.X86_64 ? UnicornX86Engine.create(setup) : UnicornArm64Engine.create(setup);
    }
}
