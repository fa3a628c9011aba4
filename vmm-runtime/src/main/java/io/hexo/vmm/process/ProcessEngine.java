package io.hexo.vmm.process;

import com.sun.jna.LastErrorException;
import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.DoorbellHandler;
import io.hexo.vmm.engine.Engine;
import io.hexo.vmm.engine.EngineUnavailableException;
import io.hexo.vmm.engine.Exit;
import io.hexo.vmm.engine.GuestLayout;
import io.hexo.vmm.engine.MemoryRange;
import io.hexo.vmm.memory.GuestMemory;
import io.hexo.vmm.memory.LazyMemory;
import io.hexo.vmm.memory.PageSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The process engine: the guest image runs as a Linux process — natively when its ISA is the host's,
 * under qemu-user otherwise — started by hexo's loader (resources/loader/loader.c), which maps guest
 * memory (this VMM's memfd) at the guest-physical addresses and carries hypercalls over a pipe
 * {@link Doorbell}. The hypercall handlers are the same as on KVM; the guest image is the same file.
 *
 * <p>Faults the guest process can report, it reports itself through HEXO_HC_TRAP (the loader's signal
 * handlers); a process that dies otherwise (killed, or a fault in the handler) becomes an
 * {@link Exit.Fault} whose description says how it ended.
 */
public final class ProcessEngine implements Engine {
    private final Isa isa;
    private final GuestMemory memory;
    private final GuestLayout layout;
    private final Path loader;
    private final Path emulator;
    private final Path gdbserver;
    private final Path jail;
    private final int gdbPort;
    private Path privateDir;
    private GuestProcess process;
    private Process attachedGdbserver;
    private boolean ran;
    private LazyMemory lazy;
    /** Blocks of linear memory the loader is to make inaccessible with its next doorbell answer (0: none). */
    private int protectBlocks;

    /**
     * Doorbell words of the loader's lazy-memory protocol (loader.c): a fault in linear memory rings with
     * FAULT | block number (from linear memory's base, in {@link LazyMemory#BLOCK}s); the answer is
     * BLOCK_READY, ALL_READY or FILL_FAILED. A hypercall's answer of PROTECT | n makes the loader map the
     * first n blocks of linear memory PROT_NONE, so that the guest's next touch of each rings.
     */
    static final int FAULT = 0x80000000, PROTECT = 0x80000000, BLOCK_READY = 0, ALL_READY = 1, FILL_FAILED = 2;
    /** The loader's ring under --gdb, once guest memory is mapped: attach now (loader.c, wait_for_debugger). */
    static final int WAITS_FOR_DEBUGGER = 0x7fffffff;

    private ProcessEngine(Isa isa, Setup setup, Path loader, Path emulator, Path gdbserver, Path jail) {
        this.isa = isa;
        this.memory = setup.memory();
        this.layout = setup.layout();
        this.loader = loader;
        this.emulator = emulator;
        this.gdbserver = gdbserver;
        this.jail = jail;
        this.gdbPort = setup.gdbPort();
    }

    /**
     * Prepares a guest of isa; nothing runs until {@link #run}.
     *
     * @throws EngineUnavailableException when the loader cannot be built or qemu-user is missing
     */
    public static ProcessEngine create(Isa isa, Setup setup) {
        Path emulator = UserModeEmulator.forIsa(isa);
        // qemu-user has a gdb stub of its own; gdbserver attaches to a native guest process (attachGdbserver).
        Path gdbserver = setup.gdbPort() > 0 && emulator == null ? UserModeEmulator.tool("gdbserver",
                "gdbserver is not installed: --gdb starts a native guest under it; apt-get install gdbserver") : null;
        // The emulator is started by the host's own loader, which confines it first (loader.c, jail()).
        Path jail = emulator != null && setup.gdbPort() == 0 && Isa.host() != null ? LoaderBinary.forIsa(Isa.host()) : null;
        return new ProcessEngine(isa, setup, LoaderBinary.forIsa(isa), emulator, gdbserver, jail);
    }

    @Override
    public Isa isa() { return isa; }

    @Override
    public String description() {
        return emulator == null ? "process (native)" : "process (" + emulator.getFileName() + ")";
    }

    @Override
    public Exit run(DoorbellHandler handler) {
        if (ran) throw new IllegalStateException("run() may be called once");
        ran = true;
        Doorbell opened;
        try {
            opened = Doorbell.open();
        } catch (LastErrorException e) {
            throw new EngineUnavailableException("the process engine could not create its doorbell pipes (errno " + e.getErrorCode()
                    + "): too many open files? raise ulimit -n", e);
        }
        try (Doorbell doorbell = opened) {
            try {
                // An empty directory of its own: relative paths in a guest process lead nowhere.
                privateDir = Files.createTempDirectory("hexo-guest-");
                process = GuestProcess.spawn(commandLine(), memory.fd(), doorbell, privateDir);
                if (gdbserver != null) attachGdbserver(doorbell);
            } catch (IOException e) {
                throw new EngineUnavailableException("the process engine could not create the guest's private directory: " + e.getMessage(), e);
            } catch (IllegalStateException | LastErrorException e) {
                throw new EngineUnavailableException("the process engine could not start the guest: " + e.getMessage(), e);
            }
            while (true) {
                long value = doorbell.await();
                if (value < 0) return died();
                if ((value & FAULT) != 0) {
                    if (!answerFault(doorbell, value & ~FAULT)) {
                        process.kill();
                        process.waitFor();
                        return new Exit.Stopped(); // Vm reports the lazy memory's failure
                    }
                    continue;
                }
                boolean go;
                try {
                    go = handler.onDoorbell(value);
                } catch (RuntimeException | Error e) {
                    process.kill();
                    throw e;
                }
                if (!go) {
                    process.kill();
                    process.waitFor();
                    return new Exit.Stopped();
                }
                int word = protectBlocks > 0 ? PROTECT | protectBlocks : 0;
                protectBlocks = 0;
                if (!doorbell.answer(word)) return died();
            }
        }
    }

    /** A touch of linear memory the guest process could not see: fill its block. False when the guest must stop. */
    private boolean answerFault(Doorbell doorbell, long block) {
        if (lazy == null) return doorbell.answer(ALL_READY);
        boolean ok = lazy.fault(lazy.start() + block * LazyMemory.BLOCK);
        if (!ok) {
            doorbell.answer(FILL_FAILED);
            return false;
        }
        return doorbell.answer(lazy.complete() ? ALL_READY : BLOCK_READY);
    }

    /**
     * The guest process maps linear memory from layout.linmemBase(); the answer to the hypercall that
     * called this makes the loader protect the range, and each first touch then rings the doorbell. The
     * VMM fills blocks straight into the shared memfd (all-zero ones are holes already).
     */
    @Override
    public LazyMemory fillLazily(long start, long length, PageSource source) {
        if (lazy != null) throw new IllegalStateException("guest memory fills itself once per run");
        if (start != layout.linmemBase() || length % LazyMemory.BLOCK != 0) {
            throw new IllegalArgumentException("the process engine fills linear memory lazily from its base, in whole blocks");
        }
        memory.discardData(start, length);
        lazy = new LazyMemory(start, length, source, (gpa, data) -> {
            if (!allZero(data)) memory.install(gpa, data);
        });
        memory.fillLazily(lazy);
        protectBlocks = (int) (length / LazyMemory.BLOCK);
        return lazy;
    }

    private static boolean allZero(java.nio.ByteBuffer b) {
        for (int at = b.position(); at < b.limit(); at += ZEROS.capacity()) {
            int n = Math.min(ZEROS.capacity(), b.limit() - at);
            if (b.slice(at, n).mismatch(ZEROS.slice(0, n)) != -1) return false;
        }
        return true;
    }

    private static final java.nio.ByteBuffer ZEROS = java.nio.ByteBuffer.allocateDirect(LazyMemory.BLOCK * 64);

    private List<String> commandLine() {
        List<String> cmd = new ArrayList<>();
        if (jail != null) cmd.addAll(List.of(jail.toString(), "--jail"));
        if (emulator != null) cmd.add(emulator.toString());
        if (emulator != null && gdbPort > 0) cmd.addAll(List.of("-g", Integer.toString(gdbPort)));
        cmd.add(loader.toString());
        cmd.add((gdbserver != null ? "G" : "") + Long.toHexString(Posix.getpid()));
        cmd.add(Long.toHexString(layout.entry()));
        cmd.add(Long.toHexString(layout.stackTop()));
        cmd.add("L" + Long.toHexString(layout.linmemBase())); // where lazily filled memory starts, if it ever does
        long linmemEnd = Math.min(layout.linmemBase() + layout.linmemLimit(), memory.size());
        if (layout.linmemView() != 0 && linmemEnd > layout.linmemBase()) { // the program's view of it (GuestLayout)
            cmd.add("V" + Long.toHexString(layout.linmemView()) + "-" + Long.toHexString(layout.linmemBase()) + "-" + Long.toHexString(linmemEnd));
        }
        for (MemoryRange r : layout.mappedRanges()) {
            long start = Math.max(r.start(), Abi.PROCESS_MAP_START), end = Math.min(r.end(), memory.size());
            if (end > start) cmd.add(Long.toHexString(start) + "-" + Long.toHexString(end));
        }
        return cmd;
    }

    /**
     * --gdb on the host's ISA: the loader rings once guest memory is mapped (loader.c, wait_for_debugger);
     * gdbserver attaches then, and the loader goes on once gdbserver holds it. So gdb's software
     * breakpoints can be written into the program (hardware ones do not fire on every host). A loader that
     * ends before it rings is left to the run loop, which says how it ended.
     */
    private void attachGdbserver(Doorbell doorbell) {
        long word = doorbell.await();
        if (word < 0) return;
        if (word != WAITS_FOR_DEBUGGER) throw new IllegalStateException("the loader rang " + Long.toHexString(word) + " before gdb could attach");
        try {
            attachedGdbserver = new ProcessBuilder(gdbserver.toString(), "--once", "--attach", ":" + gdbPort, Integer.toString(process.pid()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new EngineUnavailableException("cannot start " + gdbserver + " to attach to the guest process: " + e.getMessage(), e);
        }
        Path status = Path.of("/proc", Integer.toString(process.pid()), "status");
        while (!traced(status)) {
            if (!attachedGdbserver.isAlive()) {
                throw new EngineUnavailableException(gdbserver + " could not attach to the guest process (it says why above): "
                        + "is port " + gdbPort + " taken, or ptrace forbidden here (/proc/sys/kernel/yama/ptrace_scope)?");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        doorbell.answer(0);
    }

    /** Whether a debugger holds the process whose /proc status file this is (its TracerPid is not 0). */
    private static boolean traced(Path status) {
        try {
            return Files.readAllLines(status).stream()
                    .anyMatch(l -> l.startsWith("TracerPid:") && !l.substring("TracerPid:".length()).trim().equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    /** The guest process ended without stopping through a hypercall: say how. */
    private Exit died() {
        process.kill();
        ChildStatus status = process.waitFor();
        String said = process.stderr();
        String last = said.lines().reduce((a, b) -> b).orElse("");
        String how;
        if (status.signaled()) {
            int sig = status.code();
            String why = switch (sig) {
                case Posix.SIGKILL -> " (by the out-of-memory killer or by hand: see dmesg; a smaller --mem may help)";
                case 1, 2, 3, 15 -> " (Ctrl-C, or a kill sent to it)";
                default -> " before it could report it (a fault inside its own fault handler"
                        + (emulator != null ? ", or in " + emulator.getFileName() : "") + ")";
            };
            how = "the guest process was killed by " + ChildStatus.signalName(sig) + why + (last.isEmpty() ? "" : ": " + last);
        } else if (status.code() == 127 && !last.isEmpty()) {
            how = "the guest process could not start: " + last;
        } else {
            how = "the guest process ended with status " + status.code() + " without the exit hypercall" + (last.isEmpty() ? "" : ": " + last);
        }
        return new Exit.Fault(Abi.TRAP_CPU_EXCEPTION, 0, 0, status.code(), how);
    }

    @Override
    public void close() {
        if (process != null) process.close();
        if (attachedGdbserver != null) attachedGdbserver.destroy();
        if (privateDir != null) {
            try {
                Files.deleteIfExists(privateDir);
            } catch (IOException ignored) {
                // the guest process had no system call to put anything there; an empty directory in /tmp is harmless
            }
        }
    }
}
