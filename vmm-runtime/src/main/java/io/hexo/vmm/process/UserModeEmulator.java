package io.hexo.vmm.process;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.EngineUnavailableException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * qemu-user, which runs a guest process of the other ISA: it translates the instructions and passes
 * system calls to this kernel, so the loader and the guest need nothing else (Debian's
 * qemu-user-static; a static emulator also works where binfmt_misc is not set up).
 */
final class UserModeEmulator {
    private UserModeEmulator() {}

    /** The emulator for a guest of isa on this host, or null when the host runs it natively. */
    static Path forIsa(Isa isa) {
        return forIsa(isa, System.getenv("PATH"));
    }

    /** As {@link #forIsa(Isa)}, searching the given PATH. */
    static Path forIsa(Isa isa, String path) {
        if (isa == Isa.host()) return null;
        String arch = isa == Isa.X86_64 ? "x86_64" : "aarch64";
        for (String name : new String[] {"qemu-" + arch + "-static", "qemu-" + arch}) {
            Path found = onPath(name, path);
            if (found != null) return found;
        }
        throw new EngineUnavailableException("qemu-" + arch + "-static is not installed: the process engine runs "
                + isa.displayName() + " guests on this " + (Isa.host() == null ? "" : Isa.host().displayName() + " ")
                + "host under it; install it with apt-get install qemu-user-static (or run tools/install.sh)");
    }

    /** A helper program on PATH, or EngineUnavailableException with the given sentence. */
    static Path tool(String name, String missing) {
        Path p = onPath(name, System.getenv("PATH"));
        if (p == null) throw new EngineUnavailableException(missing);
        return p;
    }

    private static Path onPath(String name, String path) {
        if (path == null || path.isEmpty()) path = "/usr/local/bin:/usr/bin:/bin";
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p.toAbsolutePath();
        }
        return null;
    }
}
