package io.hexo.vmm.engine;

import java.util.Locale;

/** --engine: let hexo pick (KVM when it can), or insist on one. */
public enum EngineChoice {
    AUTO, KVM, EMULATED;

    public static EngineChoice parse(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "auto": return AUTO;
            case "kvm": return KVM;
            case "emulated": case "unicorn": return EMULATED;
            default: throw new IllegalArgumentException("unknown engine '" + s + "': use kvm or emulated");
        }
    }
}
