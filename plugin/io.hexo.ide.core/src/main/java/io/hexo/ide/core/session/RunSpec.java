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
        boolean resume,
        boolean postCopy) {

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

    /**
     * A run's part in a post-copy migration (docs/architecture.md, "Post-copy protocol"): none; the source, which at its
     * migration point writes the minimal checkpoint and serves the guest's pages ({@code --full-chkpt-save 0}, on any
     * free port, which its {@code postcopy} event names); or the destination, which resumes at once and fetches them
     * from {@code server}.
     */
    public record PostCopyPart(boolean serves, String server) {
        public static final PostCopyPart NONE = new PostCopyPart(false, null);
        public static final PostCopyPart SOURCE = new PostCopyPart(true, null);

        public static PostCopyPart destination(String server) {
            return new PostCopyPart(false, server);
        }
    }

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

    /** The SSH board of a board id (its name in hexo's boards file), or null for the built-in board on this host. */
    public static String sshBoard(String boardId) {
        return boardId == null || boardId.isBlank() || boardId.equals(io.hexo.ide.core.prefs.Board.EMULATED_ID) ? null : boardId;
    }

    public static String isaLabel(String isa) {
        return Isa.parse(isa).displayName();
    }

    /**
     * The command line of one hexo run: the first one (resume as configured, migrate-after as configured), or a resume
     * on the other ISA after a checkpoint (always --resume, no migrate-after). Its events go to {@code events}.
     */
    public List<String> command(String isa, boolean afterMigration, Path events) {
        return command(isa, null, afterMigration, events);
    }

    /**
     * The same on an SSH board ({@code hexo run --board NAME}; null = this host). The board keeps the run's working and
     * checkpoint directories in its hexo home (where hexo transfer --to-board / --from-board looks); its events are
     * written there and stream back into {@code events} like its output.
     */
    public List<String> command(String isa, String board, boolean afterMigration, Path events) {
        return command(isa, board, afterMigration, events, checkpointDir, PostCopyPart.NONE);
    }

    /**
     * The same with the checkpoint directory of this run (a post-copy destination resumes from its own copy of the
     * minimal checkpoint: the source holds its directory while it serves) and its part in a post-copy migration.
     */
    public List<String> command(String isa, String board, boolean afterMigration, Path events, Path checkpointDir, PostCopyPart postCopy) {
        List<String> cmd = new ArrayList<>();
        cmd.add(HexoCli.executable());
        cmd.add("run");
        if (board != null) {
            cmd.add("--board");
            cmd.add(board);
        }
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
        if (workDir != null && board == null) {
            cmd.add("--workdir");
            cmd.add(workDir.toString());
        }
        if (verbose) {
            cmd.add("--verbose");
        }
        if (checkpointDir != null && board == null) {
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
        if (postCopy.serves()) {
            // any free port: two guests (or two IDEs) never collide on 5050; the serving event says which
            cmd.addAll(List.of("--full-chkpt-save", "0", "--port", "0"));
        } else if (postCopy.server() != null) {
            cmd.addAll(List.of("--full-chkpt-restore", "0", "--server", postCopy.server()));
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

    /**
     * The transfer between a migration's two runs when one of them is on an SSH board: the checkpoint this host wrote
     * to the board ({@code toBoard}), or the board's back here. Null when both runs are on this host (the checkpoint
     * directory is shared).
     */
    public List<String> transfer(String fromBoard, String toBoard) {
        return transfer(fromBoard, toBoard, checkpointDir);
    }

    /** The same for the checkpoint in {@code checkpointDir} (after a post-copy, the destination's directory). */
    public List<String> transfer(String fromBoard, String toBoard, Path checkpointDir) {
        if (fromBoard == null && toBoard == null) {
            return null;
        }
        List<String> cmd = new ArrayList<>(List.of(HexoCli.executable(), "transfer"));
        if (toBoard != null) {
            cmd.addAll(List.of("--to-board", toBoard, "--from", checkpointDir.toString(), "--from-workdir", workDir.toString()));
        } else {
            cmd.addAll(List.of("--from-board", fromBoard, "--to", checkpointDir.toString(), "--to-workdir", workDir.toString()));
        }
        return cmd;
    }

    /**
     * A post-copy destination's own copy of the minimal checkpoint (the source keeps its directory while it serves):
     * {@code hexo transfer}, as a user copies it by hand. The guest's working directory is the same on both sides.
     */
    public List<String> copyMinimalCheckpoint(Path from, Path to) {
        return List.of(HexoCli.executable(), "transfer", "--from", from.toString(), "--to", to.toString(),
                "--from-workdir", workDir.toString(), "--to-workdir", workDir.toString());
    }

    /**
     * Where a post-copy destination on this host keeps its copy of the minimal checkpoint: beside the configured
     * checkpoint directory ({@code checkpoint-postcopy}), and back in the configured one when the source itself ran
     * from there, so that a guest can go back and forth.
     */
    public Path postCopyDirFor(Path sourceDir) {
        Path mine = checkpointDir.resolveSibling(checkpointDir.getFileName() + "-postcopy");
        return sourceDir.equals(mine) ? checkpointDir : mine;
    }
}
