package io.hexo.vmm.engine;

import java.util.Locale;

/**
 * --engine: let hexo pick (KVM for the host's ISA when /dev/kvm works, the process engine otherwise),
 * or insist on one. "emulated" names the process engine too: it was the Unicorn engines' word, and launch
 * configurations and scripts written for them keep working (the Unicorn engines are gone: see
 * docs/architecture.md, "Engines").
 */
public enum EngineChoice {
    AUTO, KVM, PROCESS;

    public static EngineChoice parse(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "auto": return AUTO;
            case "kvm": return KVM;
            case "process": case "emulated": return PROCESS;
            default: throw new IllegalArgumentException("unknown engine '" + s + "': use auto, kvm or process");
        }
    }
}
