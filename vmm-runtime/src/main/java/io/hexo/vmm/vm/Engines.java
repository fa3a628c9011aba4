package io.hexo.vmm.vm;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.Engine;
import io.hexo.vmm.engine.EngineChoice;
import io.hexo.vmm.engine.EngineUnavailableException;
import io.hexo.vmm.kvm.KvmArm64Engine;
import io.hexo.vmm.kvm.KvmX86Engine;
import io.hexo.vmm.process.ProcessEngine;

import java.util.function.Consumer;

/**
 * Picks the engine for a guest and says which in the run's first notice. It lives beside Vm, not in
 * the engine package, which holds only the contract the engines implement (no package cycle). AUTO: KVM when the guest's
 * ISA is the host's and /dev/kvm works, the process engine otherwise (natively for the host's ISA,
 * under qemu-user for the other one, until a real board is named).
 */
public final class Engines {
    private Engines() {}

    public static Engine create(Isa isa, EngineChoice choice, Engine.Setup setup, Consumer<String> notices) {
        Engine engine;
        String why = "";
        if (setup.gdbPort() > 0 && choice != EngineChoice.AUTO && choice != EngineChoice.PROCESS) {
            throw new EngineUnavailableException("--gdb works on the process engine only: use --engine process (or auto)");
        }
        if (setup.gdbPort() > 0) choice = EngineChoice.PROCESS;
        switch (choice) {
            case KVM -> engine = kvm(isa, setup);
            case PROCESS -> engine = ProcessEngine.create(isa, setup);
            default -> {
                if (isa == Isa.host()) {
                    Engine k;
                    try {
                        k = kvm(isa, setup);
                    } catch (EngineUnavailableException e) {
                        k = null;
                        why = "; KVM is not usable here: " + e.getMessage();
                    }
                    engine = k != null ? k : ProcessEngine.create(isa, setup);
                } else {
                    engine = ProcessEngine.create(isa, setup);
                }
            }
        }
        notices.accept("hexo: engine: " + engine.description() + " for the " + isa.displayName() + " guest" + why);
        return engine;
    }

    private static Engine kvm(Isa isa, Engine.Setup setup) {
        if (isa != Isa.host()) {
            throw new EngineUnavailableException("KVM cannot run " + isa.displayName() + " guests on this "
                    + (Isa.host() == null ? "host" : Isa.host().displayName() + " host")
                    + ": use --engine process (or auto), or run on a board");
        }
        return isa == Isa.X86_64 ? KvmX86Engine.create(setup) : KvmArm64Engine.create(setup);
    }
}
