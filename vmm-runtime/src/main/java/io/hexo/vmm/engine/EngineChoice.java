package io.hexo.vmm.engine;

import java.util.Locale;

/**
 * --engine: let hexo pick (KVM for the host's ISA when /dev/kvm works, the process engine otherwise),
 * or insist on one. EMULATED (Unicorn) stays accepted while the Unicorn engines exist.
 */
public enum EngineChoice {
    AUTO, KVM, PROCESS, EMULATED;

    public static EngineChoice parse(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "auto": return AUTO;
            case "kvm": return KVM;
            case "process": return PROCESS;
            case "emulated": case "unicorn": return EMULATED;
            default: throw new IllegalArgumentException("unknown engine '" + s + "': use auto, kvm, process or emulated");
        }
    }
}
