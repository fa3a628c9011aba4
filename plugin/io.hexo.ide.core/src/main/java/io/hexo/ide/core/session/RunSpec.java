package io.hexo.ide.core.session;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.hexo.ide.core.HexoCli;
import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.run.Outcome;

/** Everything a {@code hexo run} needs, from a launch configuration. Builds the command lines. */
public record RunSpec(
        String program,
        Path imageDir,
        Path workDir,
        String startIsa,
        String x86Engine,
        String boardId,
        String args,
        Map<String, String> env,
        String mem,
        boolean verbose,
        Path checkpointDir,
        int migrateAfterSeconds,
        boolean resume) {

    /** The ISA names of hexo run --isa, from the CLI's own Isa. */
    public static final String ISA_X86 = Isa.X86_64.shortName();
    public static final String ISA_ARM = Isa.AARCH64.shortName();
    public static final String ENGINE_AUTO = "auto";
    public static final String ENGINE_KVM = "kvm";
    /** The process engine: a Linux process, native for x86-64 ("emulated" in configurations of the Unicorn days). */
    public static final String ENGINE_PROCESS = "process";

    /** Exit code of hexo run meaning "a checkpoint was written, resume it with --resume": the CLI's own. */
    public static final int EXIT_CHECKPOINTED = Outcome.STATUS_CHECKPOINTED;
    /** Exit code of hexo run after a guest trap: the CLI's own. */
    public static final int EXIT_TRAP = Outcome.STATUS_TRAP;

    public static String other(String isa) {
        return Isa.parse(isa).other().shortName();
    }

    /**
     * The --engine passed for an ISA: the user's explicit choice for x86, else auto. The emulated ARM board is whatever
     * hexo's auto picks for an aarch64 guest on this host; the IDE never decides an engine itself.
     */
    public String engineFor(String isa) {
        if (ISA_ARM.equals(isa)) {
            return ENGINE_AUTO;
        }
        return x86Engine == null || x86Engine.isBlank() ? ENGINE_AUTO : x86Engine;
    }

    public static String isaLabel(String isa) {
        return Isa.parse(isa).displayName();
    }

    /**
     * The command line of one hexo run: the first one (resume as configured, migrate-after as configured), or a resume
     * on the other ISA after a checkpoint (always --resume, no migrate-after). Its events go to {@code events}.
     */
    public List<String> command(String isa, boolean afterMigration, Path events) {
        List<String> cmd = new ArrayList<>();
        cmd.add(HexoCli.executable());
        cmd.add("run");
        cmd.add("--isa");
        cmd.add(isa);
        if (mem != null && !mem.isBlank()) {
            cmd.add("--mem");
            cmd.add(mem.trim());
        }
        if (args != null && !args.isBlank()) {
            cmd.add("--args");
            cmd.add(args.trim());
        }
        if (env != null) {
            env.forEach((k, v) -> {
                cmd.add("--env");
                cmd.add(k + "=" + v);
            });
        }
        if (workDir != null) {
            cmd.add("--workdir");
            cmd.add(workDir.toString());
        }
        if (verbose) {
            cmd.add("--verbose");
        }
        if (checkpointDir != null) {
            cmd.add("--checkpoint-dir");
            cmd.add(checkpointDir.toString());
        }
        if (!afterMigration && migrateAfterSeconds > 0) {
            cmd.add("--migrate-after");
            cmd.add(Integer.toString(migrateAfterSeconds));
        }
        if (afterMigration || resume) {
            cmd.add("--resume");
        }
        String engine = engineFor(isa);
        if (!ENGINE_AUTO.equals(engine)) {
            cmd.add("--engine");
            cmd.add(engine);
        }
        cmd.add("--events=json");
        cmd.add("--events-to=" + events);
        cmd.add(imageDir.toString());
        return cmd;
    }
}
