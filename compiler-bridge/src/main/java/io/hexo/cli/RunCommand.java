package io.hexo.cli;

import io.hexo.vmm.abi.Isa;
import io.hexo.vmm.engine.EngineChoice;
import io.hexo.vmm.guest.GuestConsole;
import io.hexo.vmm.guest.GuestFiles;
import io.hexo.vmm.run.MemSize;
import io.hexo.vmm.run.Outcome;
import io.hexo.vmm.vm.Vm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Boot OUT/prog_x86-64 (--isa x86) or OUT/prog_aarch64 (--isa arm) and run it to the end (the original's `make test-x86` / `make test-arm`).",
                "SIGUSR1 to this process migrates the guest at its next migration point: it writes a checkpoint and exits with status 75.",
                "Exit status: the guest's own; 70 when the guest traps; 75 after a checkpoint; 2 when hexo cannot run it."})
final class RunCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin RemoteOptions remote;

    @Parameters(paramLabel = "OUT", arity = "0..1", description = "Directory with the images (from `hexo build`).")
    Path out;

    @Option(names = "--isa", paramLabel = "ISA", description = "x86 or arm (required).")
    String isa;

    @Option(names = "--mem", paramLabel = "MEM", description = "Guest memory, e.g. 2G, 512M (the original's MEM). Default: ${DEFAULT-VALUE}.")
    String mem = "2G";

    @Option(names = "--args", paramLabel = "ARGS", description = "The program's arguments, quoted like a shell (the original's ARGS).")
    String args = "";

    @Option(names = "--env", paramLabel = "K=V", description = "An environment variable for the program (repeatable).")
    List<String> env = new ArrayList<>();

    @Option(names = "--workdir", paramLabel = "DIR", description = "The only directory the program's files may be in (default: the current directory).")
    Path workdir = Path.of(".");

    @Option(names = "--mount", paramLabel = "HOST_DIR:GUEST_DIR", description = {"Let the program use HOST_DIR at the absolute path GUEST_DIR (repeatable; a lone absolute DIR is seen at the same path).",
            "Other absolute paths outside --workdir are refused."})
    List<String> mounts = new ArrayList<>();

    @Option(names = "--verbose", description = "Print the guest kernel's log (the original's VERBOSE=1).")
    boolean verbose;

    @Option(names = "--engine", paramLabel = "ENGINE", description = {"auto, kvm or process (default: auto).",
            "auto: KVM when the ISA is the host's and /dev/kvm works, else the process engine (a Linux process: native for the host's ISA, under qemu-user for the other).",
            "emulated: the same as process (the word of the retired Unicorn engines)."})
    String engine = "auto";

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "Where checkpoints are written and read (default: the current directory).")
    Path checkpointDir = Path.of(".");

    @Option(names = "--migrate-after", paramLabel = "SECONDS", description = "Request a migration after this many seconds (the original's MIGTEST).")
    Double migrateAfter;

    @Option(names = "--migrate-at-point", paramLabel = "N", description = "Migrate at the N-th migration point reached, counted from the program's start (1 = the first).")
    Long migrateAtPoint;

    /** A month: longer is a typing error, and the timer cannot hold much more anyway. */
    private static final double MAX_MIGRATE_AFTER = 31 * 24 * 3600;

    @Option(names = "--gdb", paramLabel = "PORT", description = "Wait for gdb on this TCP port before the guest's first instruction (process engine: qemu-user's gdb stub, or gdbserver for the host's ISA).")
    Integer gdbPort;

    @Option(names = "--resume", description = "Continue from the checkpoint in --checkpoint-dir instead of starting the program (the original's RESUME=1).")
    boolean resume;

    @Mixin EventOptions events = new EventOptions();
    @Mixin PostCopyOptions postCopy = new PostCopyOptions();

    @Override
    public Integer call() {
        Integer remoteStatus = remote.runIfRemote(out, isa); // OUT and --isa are checked there: --attach needs neither
        if (remoteStatus != null) return remoteStatus;
        Vm vm;
        try {
            for (String e : env) if (!e.contains("=")) throw new IllegalArgumentException("--env " + e + " is not of the form K=V");
            if (migrateAfter != null && !(migrateAfter > 0 && migrateAfter <= MAX_MIGRATE_AFTER)) {
                throw new IllegalArgumentException("--migrate-after " + migrateAfter + " is not a number of seconds between 0 and "
                        + (long) MAX_MIGRATE_AFTER + ": give e.g. --migrate-after 4");
            }
            if (migrateAtPoint != null && migrateAtPoint < 1) {
                throw new IllegalArgumentException("--migrate-at-point " + migrateAtPoint + ": migration points count from 1 (the first one the program passes)");
            }
            if (gdbPort != null && (gdbPort < 1 || gdbPort > 65535)) throw new IllegalArgumentException("--gdb " + gdbPort + " is not a TCP port: give e.g. --gdb 1234");
            List<GuestFiles.Mount> mounted = new ArrayList<>();
            for (String m : mounts) mounted.add(GuestFiles.Mount.parse(m));
            vm = new Vm(new Vm.Config(out, Isa.parse(isa), MemSize.checkFitsHere(MemSize.parse(mem)), ArgumentSplitter.split(args), env, workdir,
                    verbose, EngineChoice.parse(engine), checkpointDir, migrateAtPoint == null ? 0 : migrateAtPoint, resume, GuestConsole.system(verbose), mounted));
            postCopy.applyTo(vm, resume);
        } catch (IllegalArgumentException e) {
            System.err.println("hexo: " + e.getMessage());
            return Outcome.STATUS_FAILED;
        }
        Signal.handle(new Signal("USR1"), s -> vm.requestMigration());
        if (gdbPort != null) {
            vm.debugWithGdb(gdbPort);
            Isa i = Isa.parse(isa);
            System.err.println("hexo: the guest waits for gdb on port " + gdbPort + ": " + (i == Isa.host() ? "gdb" : "gdb-multiarch") + " "
                    + out.resolve(i.imageName()) + " -ex 'target remote :" + gdbPort + "', then break w2c_NAME (a function of your program), continue");
        }
        Timer timer = null;
        if (migrateAfter != null) {
            timer = new Timer("migrate-after", true);
            timer.schedule(new TimerTask() {
                @Override
                public void run() { vm.requestMigration(); }
            }, (long) (migrateAfter * 1000));
        }
        Outcome outcome = events.run(vm, this);
        if (timer != null) timer.cancel();
        report(outcome);
        reportUnansweredMigration(vm, outcome);
        return outcome.status();
    }

    /** A requested move that never happened is said once, at the end, rather than silently dropped. */
    private void reportUnansweredMigration(Vm vm, Outcome outcome) {
        if (!(outcome instanceof Outcome.Exited)) return;
        if (vm.migrationRequested() && vm.pointsReached() == 0) {
            System.err.println("hexo: a migration was requested, but the program passed no migration point, so it ran to its end here:"
                    + " call popcorn_check_migrate() in its loops, or build it with --instrument-functions");
        } else if (migrateAtPoint != null && vm.pointsReached() < migrateAtPoint) {
            System.err.println("hexo: the program ended after " + vm.pointsReached() + " migration points, before point " + migrateAtPoint
                    + ": nothing was migrated (pick a smaller --migrate-at-point)");
        }
    }

    private void report(Outcome outcome) {
        if (outcome instanceof Outcome.Trapped t) {
            System.err.println("hexo: guest trap: " + t.message());
        } else if (outcome instanceof Outcome.Checkpointed c && postCopy.source()) {
            // The page server said how the hand-over went; the minimal checkpoint alone resumes nothing.
            System.err.println("hexo: the guest moved to the post-copy destination at migration point " + c.pointsReached()
                    + "; nothing is left to resume here (the minimal checkpoint in " + c.dir() + " needed this run's pages)");
        } else if (outcome instanceof Outcome.Checkpointed c) {
            Isa other = Isa.parse(isa).other();
            System.err.println("hexo: checkpoint written to " + c.dir() + " at migration point " + c.pointsReached()
                    + "; resume it with: hexo run --isa " + other.shortName() + " --resume --checkpoint-dir " + c.dir()
                    + mounts.stream().map(m -> " --mount " + m).collect(java.util.stream.Collectors.joining()) + " " + out);
        } else if (outcome instanceof Outcome.Failed f) {
            System.err.println("hexo: " + f.message());
        }
    }
}
