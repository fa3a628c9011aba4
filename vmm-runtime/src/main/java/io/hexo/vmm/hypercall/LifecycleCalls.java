package io.hexo.vmm.hypercall;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.engine.Exit;
import io.hexo.vmm.engine.GuestLayout;
import io.hexo.vmm.guest.MigrationControl;
import io.hexo.vmm.loader.ElfImage;
import io.hexo.vmm.memory.GuestMemory;
import io.hexo.vmm.run.Outcome;

import java.util.function.Consumer;

/** Exit, trap, kernel log, registration of the migration control block, and linear memory's growth. */
public final class LifecycleCalls implements HypercallFamily {
    private static final int MAX_LOG = 4096;

    private final GuestMemory memory;
    private final ElfImage image;
    private final GuestLayout layout;
    private final MigrationControl control;
    private final Consumer<String> kernelLog;

    public LifecycleCalls(GuestMemory memory, ElfImage image, GuestLayout layout, MigrationControl control,
                          Consumer<String> kernelLog) {
        this.memory = memory;
        this.image = image;
        this.layout = layout;
        this.control = control;
        this.kernelLog = kernelLog;
    }

    @Override
    public void register(HypercallTable t) {
        t.register(Abi.HC_EXIT, a -> { throw new GuestStopped(new Outcome.Exited((int) a[0])); });
        t.register(Abi.HC_TRAP, a -> { throw new GuestStopped(trap((int) a[0], a[1], a[2], a[3])); });
        t.register(Abi.HC_LOG, a -> {
            if (kernelLog != null) kernelLog.accept(memory.string(a[0], (int) Math.min(a[1], MAX_LOG)));
            return 0;
        });
        t.register(Abi.HC_SET_CONTROL, a -> control.attach(a[0]));
        t.register(Abi.HC_MEMORY_GROWN, a -> {
            memory.populate(a[0], a[1]);
            return 0;
        });
    }

    /** The one-sentence report of a trap, from the kind the guest or the engine gave. */
    /**
     * A fault the engine saw rather than the guest (a triple fault, a failed VM entry, a guest process
     * killed by a signal): its detail is no exception vector, so the engine's own sentence says what
     * happened, with the function where the pc is known. Memory faults read like the guest's own reports.
     */
    public Outcome.Trapped fault(Exit.Fault f) {
        if (f.kind() != Abi.TRAP_CPU_EXCEPTION || f.description() == null) return trap(f.kind(), f.pc(), f.address(), f.detail());
        String function = f.pc() != 0 ? image.functionAt(f.pc()) : null;
        String what = f.description().startsWith("the guest") ? f.description() : "the guest stopped: " + f.description();
        return new Outcome.Trapped(f.kind(), f.pc(), f.address(), function, what + (function != null ? " (in function " + function + ")" : ""));
    }

    public Outcome.Trapped trap(int kind, long pc, long address, long detail) {
        boolean inStackGuard = address >= layout.stackGuardStart() && address < layout.stackGuardEnd();
        if (kind == Abi.TRAP_OUT_OF_BOUNDS && inStackGuard) kind = Abi.TRAP_STACK_EXHAUSTED;
        String what = switch (kind) {
            case Abi.TRAP_UNREACHABLE -> "reached unreachable code (abort() or __builtin_trap())";
            case Abi.TRAP_OUT_OF_BOUNDS -> String.format("accessed memory outside the guest's memory (address 0x%x)", address);
            case Abi.TRAP_DIV_BY_ZERO -> "divided an integer by zero";
            case Abi.TRAP_INT_OVERFLOW -> "overflowed an integer division or conversion";
            case Abi.TRAP_INVALID_CONVERSION -> "converted a NaN or out-of-range float to an integer";
            case Abi.TRAP_CALL_INDIRECT -> "called through an invalid function pointer";
            case Abi.TRAP_STACK_EXHAUSTED -> "ran out of stack (recursion too deep)";
            case Abi.TRAP_ABI_MISMATCH -> "was built for another version of hexo: rebuild it with `hexo build`";
            default -> String.format("raised CPU exception %d", detail);
        };
        String function = pc != 0 ? image.functionAt(pc) : null;
        String where = function != null ? " in function " + function : "";
        String pcText = pc != 0 ? String.format(" (pc 0x%x)", pc) : "";
        return new Outcome.Trapped(kind, pc, address, function, "the guest " + what + where + pcText);
    }
}
