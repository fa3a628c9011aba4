package io.hexo.ide.core.session;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.eclipse.core.runtime.PlatformObject;
import org.eclipse.debug.core.DebugEvent;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.debug.core.model.IStreamMonitor;
import org.eclipse.debug.core.model.IStreamsProxy;
import org.eclipse.debug.core.model.IStreamsProxy2;

import io.hexo.ide.core.HexoCore;
import io.hexo.ide.core.source.CFunctions;
import io.hexo.vmm.run.RunEvent;

/**
 * A guest launched from the IDE: one {@link IProcess} (one Console) over the successive {@code hexo run} child
 * processes of a guest ({@link HexoRun}): the first run, and after each checkpoint (exit 75) a {@code --resume} on the
 * other ISA; by post-copy, the destination starts as soon as the source serves its pages, and both run until the
 * hand-over. Migration = SIGUSR1 to the running hexo process. What happens in a run (engine, migration points,
 * checkpoint, post-copy, trap) comes from its {@code --events=json} stream ({@link RunEvent}), never from hexo's sentences.
 */
public final class GuestSession extends PlatformObject implements IProcess {

    public enum State { STARTING, RUNNING, MIGRATING, RESUMING, EXITED, TRAPPED, FAILED, TERMINATED }

    private static final int MAX_MIGRATIONS = 32;

    private final ILaunch launch;
    private final RunSpec spec;
    private final boolean debug;
    private final String label;
    private final Map<String, String> attributes = new HashMap<>();
    private final ChainStreamMonitor out = new ChainStreamMonitor();
    private final ChainStreamMonitor err = new ChainStreamMonitor();
    private final List<String> history = new ArrayList<>();
    private final Consumer<GuestSession> onTrap;

    private volatile State state = State.STARTING;
    private volatile String isa;
    /** The run that holds the guest (or is about to): the one Migrate, Terminate and the Console's input go to. */
    private volatile HexoRun current;
    /** During a post-copy migration: the source run, serving the guest's pages until the hand-over; else null. */
    private volatile HexoRun postCopySource;
    /** A hexo transfer between two runs, while it runs (Terminate ends it). */
    private volatile Process step;
    private volatile int exitValue = -1;
    private volatile boolean terminated;
    private volatile boolean terminateRequested;
    private volatile RunEvent.Trap trap;
    private volatile CFunctions.Place trapPlace;
    private volatile long pointsPassed;
    private volatile int migrations;
    private volatile long startedAt = System.currentTimeMillis();
    /** The SSH board the current run is on (hexo run --board), or null when it runs on this host. */
    private volatile String board;
    /** Where a migration from x86 goes: Board.EMULATED_ID (this host) or an SSH board's name; the Migration view sets it. */
    private volatile String targetBoard;
    /** Whether runs on this host start as post-copy sources (the launch's choice; the Migration view's Post-copy box). */
    private volatile boolean postCopy;
    /** The latest post-copy migration (both sides' events), or null before the first. */
    private volatile PostCopyMigration postCopyMigration;

    public GuestSession(ILaunch launch, RunSpec spec, boolean debug, Consumer<GuestSession> onTrap) {
        this.launch = launch;
        this.spec = spec;
        this.debug = debug;
        this.onTrap = onTrap;
        this.isa = spec.startIsa();
        this.targetBoard = spec.boardId();
        this.postCopy = spec.postCopy();
        this.board = RunSpec.ISA_ARM.equals(isa) ? RunSpec.sshBoard(spec.boardId()) : null;
        this.label = "hexo run " + spec.program();
        attributes.put(IProcess.ATTR_PROCESS_TYPE, "hexo");
    }

    /** Starts the first hexo run and the thread that follows the session (resumes after checkpoints). */
    public void start() throws IOException {
        spawn(false, spec.checkpointDir(), sourcePart(board));
        launch.addProcess(this);
        Guests.get().add(this);
        fire(DebugEvent.CREATE);
        Thread t = new Thread(this::supervise, "hexo guest " + spec.program());
        t.setDaemon(true);
        t.start();
    }

    /**
     * A run on this host serves its pages at its migration point when post-copy is chosen; its destination is on this
     * host or on an SSH board (which reaches the page server through its SSH connection: hexo run --board forwards
     * it). A run on an SSH board is never a source: its page server would have to be forwarded here, on a port of the
     * board fixed in advance.
     */
    private RunSpec.PostCopyPart sourcePart(String runBoard) {
        return postCopy && runBoard == null && spec.checkpointDir() != null ? RunSpec.PostCopyPart.SOURCE : RunSpec.PostCopyPart.NONE;
    }

    private void spawn(boolean afterMigration, Path checkpointDir, RunSpec.PostCopyPart part) throws IOException {
        Path eventsFile = Files.createTempFile("hexo-events-", ".jsonl");
        List<String> cmd = spec.command(isa, board, afterMigration, eventsFile, checkpointDir, part);
        attributes.put(IProcess.ATTR_CMDLINE, String.join(" ", cmd));
        history.add(RunSpec.isaLabel(isa) + " (" + (board != null ? "board " + board : spec.engineFor(isa)) + ")");
        err.append("[hexo-ide] $ " + String.join(" ", cmd) + "\n");
        if (checkpointDir != null) {
            Files.createDirectories(checkpointDir);
        }
        HexoRun r = new HexoRun(isa, board, checkpointDir, part, cmd, eventsFile, spec.workDir(), spec.program(), this::onEvent);
        current = r;
        setAttribute(IProcess.ATTR_PROCESS_LABEL, consoleTitle());
        r.start(out, err);
        startedAt = System.currentTimeMillis();
        setState(afterMigration ? State.RESUMING : State.STARTING);
        setState(State.RUNNING);
    }

    /** One event of a run's stream (on that run's tail thread, in order). */
    private void onEvent(HexoRun r, RunEvent e) {
        if (e instanceof RunEvent.Started st) {
            r.engineNamed = st.engine();
            r.hexoPid = st.pid();
            if (r == current) {
                setAttribute(IProcess.ATTR_PROCESS_LABEL, consoleTitle());
            }
            Guests.get().changed(this);
        } else if (e instanceof RunEvent.PointsPassed pp) {
            if (r == current) { // a post-copy source says its count once more at its end, after the destination counted on
                pointsPassed = pp.count();
                Guests.get().changed(this);
            }
        } else if (e instanceof RunEvent.MigrationRequested) {
            if (r == current && state == State.RUNNING) {
                setState(State.MIGRATING);
            }
        } else if (e instanceof RunEvent.CheckpointWritten cw) {
            err.append("[hexo-ide] " + (r.part.serves() ? "minimal checkpoint" : "checkpoint") + " written to " + cw.path() + " (" + cw.bytes()
                    + " bytes) at migration point " + cw.point() + "\n");
        } else if (e instanceof RunEvent.PostCopyProgress pc) {
            onPostCopy(r, pc);
        } else if (e instanceof RunEvent.Trap t) {
            trapPlace = placeOf(t);
            trap = t;
        } else if (e instanceof RunEvent.Exit x) {
            r.exitReason = x.reason();
        }
    }

    private void onPostCopy(HexoRun r, RunEvent.PostCopyProgress e) {
        PostCopyMigration m = postCopyMigration;
        if (PostCopyMigration.SOURCE.equals(e.role()) && PostCopyMigration.SERVING.equals(e.phase()) && r.servingAt == null) {
            m = new PostCopyMigration(r.isa, RunSpec.other(r.isa)); // a new migration begins at this source
            postCopyMigration = m;
        }
        if (m == null) {
            return; // hexo said nothing of a migration this session saw begin
        }
        String sentence = m.accept(e, System.currentTimeMillis());
        if (sentence != null) {
            err.append("[hexo-ide] " + sentence + "\n");
        }
        if (PostCopyMigration.SERVING.equals(e.phase()) && r.servingAt == null) {
            r.servingAt = e.address(); // the supervisor starts the destination
        }
        if (PostCopyMigration.TAKEN_BACK.equals(e.phase()) && r == current) {
            setState(State.RUNNING);
        }
        Guests.get().changed(this);
    }

    /** The Console's title: it follows the guest's ISA and engine across migrations. */
    private String consoleTitle() {
        var config = launch.getLaunchConfiguration();
        return (config == null ? "" : config.getName() + " ") + "[hexo: " + spec.program() + " on " + RunSpec.isaLabel(isa) + ", " + engine()
                + (migrations > 0 ? ", after " + migrations + " migration(s)" : "") + "]";
    }

    /** How often the supervisor looks at a post-copy source's events while its run goes on. */
    private static final long POLL_MILLIS = 50;

    private void supervise() {
        try {
            while (true) {
                HexoRun r = current;
                if (!r.process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    if (r.servingAt != null && !r.destinationStarted && !terminateRequested) {
                        startPostCopyDestination(r);
                    }
                    HexoRun source = postCopySource;
                    if (source != null && source != r && tookBack()) {
                        // the source runs the guest again (it heard nothing from its destination): the fenced destination goes
                        r.destroy();
                        r.process.waitFor(10, TimeUnit.SECONDS);
                        r.drain();
                        returnToSource(source);
                        continue;
                    }
                    endSourceIfDone(false);
                    continue;
                }
                int code = r.process.exitValue();
                r.drain();
                if (terminateRequested) {
                    endSourceIfDone(true);
                    finish(code, State.TERMINATED);
                    return;
                }
                HexoRun source = postCopySource;
                boolean jobEnded = r.exitReason != null && !"failed".equals(r.exitReason); // hexo told the source (DONE)
                if (source != null && source != r && source.process.isAlive() && !handedOver() && !jobEnded) {
                    // the destination failed before it held every page: the source still holds the guest and takes the job back
                    err.append("[hexo-ide] post-copy: the destination (" + RunSpec.isaLabel(r.isa) + ") ended with exit code " + code
                            + " before the hand-over; the source (" + RunSpec.isaLabel(source.isa) + ") still holds the guest\n");
                    if (!tookBack()) {
                        askToTakeBack(source);
                    }
                    returnToSource(source);
                    continue;
                }
                endSourceIfDone(true);
                if (code == RunSpec.EXIT_CHECKPOINTED && r.part.serves()) {
                    // a source this session started no destination for (its serving event never came): nothing to resume here
                    err.append("[hexo-ide] the guest left for a post-copy destination outside this IDE: nothing is left to resume here\n");
                    finish(code, State.EXITED);
                    return;
                }
                if (code == RunSpec.EXIT_CHECKPOINTED && migrations < MAX_MIGRATIONS) {
                    if (!resumeElsewhere(r, code)) {
                        return;
                    }
                    continue;
                }
                if (code == RunSpec.EXIT_TRAP || trap != null) {
                    String why = trapMessage() != null ? trapMessage() : "(hexo reported no trap)";
                    err.append("\n[hexo-ide] *** The guest trapped on " + RunSpec.isaLabel(isa) + ": " + why
                            + " ***\n[hexo-ide] " + (debug ? "The kernel log is above (--verbose)."
                                    : "Launch in Debug mode to see the kernel log (--verbose).") + "\n");
                    finish(code, State.TRAPPED);
                    if (onTrap != null) {
                        onTrap.accept(this);
                    }
                    return;
                }
                err.append("[hexo-ide] guest exited with code " + code
                        + (migrations > 0 ? " after " + migrations + " migration(s): " + String.join(" -> ", history) : "")
                        + "\n");
                finish(code, code == 0 ? State.EXITED : State.FAILED);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish(-1, State.TERMINATED);
        } catch (RuntimeException e) {
            HexoCore.log("hexo guest session", e);
            finish(-1, State.FAILED);
        }
    }

    /** After a full checkpoint (exit 75): the resume on the other ISA, through a transfer when a board is involved; false when the session ended. */
    private boolean resumeElsewhere(HexoRun r, int code) throws InterruptedException {
        String from = isa, fromBoard = board;
        String toIsa = RunSpec.other(isa);
        String toBoard = RunSpec.ISA_ARM.equals(toIsa) ? RunSpec.sshBoard(targetBoard) : null;
        err.append("[hexo-ide] migrating " + RunSpec.isaLabel(from) + where(fromBoard) + " -> " + RunSpec.isaLabel(toIsa)
                + (toBoard != null ? where(toBoard) : " (" + spec.engineFor(toIsa) + ")") + "\n");
        setState(State.RESUMING);
        List<String> transfer = spec.transfer(fromBoard, toBoard, r.checkpointDir);
        if (transfer != null && !step(transfer)) {
            if (terminateRequested) {
                finish(code, State.TERMINATED);
                return false;
            }
            err.append("[hexo-ide] the checkpoint stays where it was written (" + (fromBoard != null ? "board " + fromBoard
                    : r.checkpointDir.toString()) + "): resume it with a Run on ARM board / Run on x86 launch with Resume\n");
            finish(code, State.FAILED);
            return false;
        }
        isa = toIsa;
        board = toBoard;
        migrations++;
        try {
            spawn(true, r.checkpointDir, sourcePart(toBoard));
        } catch (IOException e) {
            err.append("[hexo-ide] cannot resume: " + e.getMessage() + "\n");
            finish(-1, State.FAILED);
            return false;
        }
        return true;
    }

    /**
     * A post-copy source serves the guest's pages: the destination gets its own copy of the minimal checkpoint (hexo
     * transfer, as the user guide says) and resumes at once from the source's page server, in the same Console. The
     * source keeps running until the hand-over; the session follows both.
     */
    private void startPostCopyDestination(HexoRun source) throws InterruptedException {
        source.destinationStarted = true;
        String toIsa = RunSpec.other(source.isa);
        String toBoard = RunSpec.ISA_ARM.equals(toIsa) ? RunSpec.sshBoard(targetBoard) : null;
        // on a board, its hexo home keeps the checkpoint; what comes back from there comes into the source's directory
        Path dir = toBoard != null ? source.checkpointDir : spec.postCopyDirFor(source.checkpointDir);
        err.append("[hexo-ide] migrating " + RunSpec.isaLabel(source.isa) + " -> " + RunSpec.isaLabel(toIsa)
                + (toBoard != null ? where(toBoard) : " (" + spec.engineFor(toIsa) + ")") + " by post-copy from " + source.servingAt + "\n");
        setState(State.RESUMING);
        List<String> copy = toBoard != null ? spec.transfer(null, toBoard, source.checkpointDir) : spec.copyMinimalCheckpoint(source.checkpointDir, dir);
        if (!step(copy)) {
            if (!terminateRequested) {
                err.append("[hexo-ide] the minimal checkpoint could not be copied to " + (toBoard != null ? "board " + toBoard : dir)
                        + ": the guest stays with the source (" + RunSpec.isaLabel(source.isa) + ")\n");
                askToTakeBack(source);
                setState(tookBack() ? State.RUNNING : State.MIGRATING);
            }
            return;
        }
        postCopySource = source;
        isa = toIsa;
        board = toBoard;
        migrations++;
        try {
            spawn(true, dir, RunSpec.PostCopyPart.destination(source.servingAt));
        } catch (IOException e) {
            err.append("[hexo-ide] cannot start the post-copy destination: " + e.getMessage() + "; the guest stays with the source ("
                    + RunSpec.isaLabel(source.isa) + ")\n");
            askToTakeBack(source);
            returnToSource(source);
        }
    }

    /** Whether the source of the latest post-copy said it took the job back. */
    private boolean tookBack() {
        PostCopyMigration m = postCopyMigration;
        return m != null && m.source() != null && PostCopyMigration.TAKEN_BACK.equals(m.source().phase());
    }

    /**
     * Asks a serving source to take the job back and run the guest on itself: SIGINT to its hexo while it serves (as
     * Ctrl-C in a terminal), the way the user guide says. Only while it serves: at any other time SIGINT stops hexo.
     */
    private void askToTakeBack(HexoRun source) throws InterruptedException {
        long pid = source.hexoPid > 0 ? source.hexoPid : source.process.pid();
        err.append("[hexo-ide] asking the source to take the job back (SIGINT to hexo, pid " + pid + ")\n");
        try {
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(pid)).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                err.append("[hexo-ide] kill -INT " + pid + " failed: the source keeps serving; Terminate ends it\n");
            }
        } catch (IOException e) {
            err.append("[hexo-ide] cannot send SIGINT: " + e.getMessage() + "; the source keeps serving, Terminate ends it\n");
        }
    }

    /** The guest is the source's again: the migration did not happen. */
    private void returnToSource(HexoRun source) {
        postCopySource = null;
        current = source;
        isa = source.isa;
        board = source.board;
        migrations--;
        history.add(RunSpec.isaLabel(isa) + " (taken back)");
        setAttribute(IProcess.ATTR_PROCESS_LABEL, consoleTitle());
        setState(tookBack() ? State.RUNNING : State.MIGRATING);
    }

    private boolean handedOver() {
        PostCopyMigration m = postCopyMigration;
        return m != null && m.handedOver();
    }

    /**
     * A post-copy source that has ended (after the hand-over: exit 75) is drained and let go. With {@code wait}, the
     * session is ending: a source still serving is given a moment to hear the destination's last word, then ended.
     */
    private void endSourceIfDone(boolean wait) throws InterruptedException {
        HexoRun source = postCopySource;
        if (source == null || source == current) {
            return;
        }
        if (wait && source.process.isAlive() && !source.process.waitFor(15, TimeUnit.SECONDS)) {
            err.append("[hexo-ide] post-copy: the source (" + RunSpec.isaLabel(source.isa) + ") still serves; the job ended, so it is ended\n");
            source.destroy();
            source.process.waitFor(10, TimeUnit.SECONDS);
        }
        if (source.process.isAlive()) {
            return;
        }
        postCopySource = null;
        int code = source.process.exitValue();
        source.drain();
        if (code != RunSpec.EXIT_CHECKPOINTED) {
            err.append("[hexo-ide] post-copy: the source (" + RunSpec.isaLabel(source.isa) + ") ended with exit code " + code
                    + (handedOver() ? "" : " before the hand-over") + "\n");
        }
        Guests.get().changed(this);
    }

    private static String where(String board) {
        return board != null ? " on board " + board : "";
    }

    /** One step of a migration (hexo transfer), its words in the Console; true when it worked. */
    private boolean step(List<String> cmd) throws InterruptedException {
        err.append("[hexo-ide] $ " + String.join(" ", cmd) + "\n");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            step = p;
            p.getOutputStream().close();
            Thread pump = HexoRun.pump(p.getInputStream(), err, "hexo transfer " + spec.program());
            int code = p.waitFor();
            pump.join(5000);
            step = null;
            if (terminateRequested) {
                return false;
            }
            return code == 0;
        } catch (IOException e) {
            err.append("[hexo-ide] cannot run hexo transfer: " + e.getMessage() + "\n");
            return false;
        }
    }

    private void finish(int code, State s) {
        exitValue = code;
        terminated = true;
        setState(s);
        fire(DebugEvent.TERMINATE);
    }

    private void setState(State s) {
        state = s;
        fire(DebugEvent.CHANGE);
        Guests.get().changed(this);
    }

    private void fire(int kind) {
        DebugPlugin dp = DebugPlugin.getDefault();
        if (dp != null) {
            dp.fireDebugEventSet(new DebugEvent[] {new DebugEvent(this, kind)});
        }
    }

    /** Requests a migration to the other ISA: SIGUSR1 to hexo, honoured at the guest's next migration point. */
    public boolean migrate() {
        HexoRun r = current;
        if (state != State.RUNNING || r == null || !r.process.isAlive()) {
            return false;
        }
        String to = RunSpec.other(isa);
        String toBoard = RunSpec.ISA_ARM.equals(to) ? RunSpec.sshBoard(targetBoard) : null;
        // hexo's JVM as its started event named it (the launcher forwards the signal too, until that event came)
        long pid = r.hexoPid > 0 && board == null ? r.hexoPid : r.process.pid();
        try {
            Process kill = new ProcessBuilder("kill", "-USR1", Long.toString(pid)).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                err.append("[hexo-ide] kill -USR1 " + pid + " failed\n");
                return false;
            }
        } catch (IOException e) {
            err.append("[hexo-ide] cannot send SIGUSR1: " + e.getMessage() + "\n");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        err.append("[hexo-ide] migration requested (SIGUSR1 to hexo, pid " + pid + (board != null ? ", which passes it on to board " + board : "")
                + "): " + RunSpec.isaLabel(isa) + where(board) + " -> " + RunSpec.isaLabel(to) + where(toBoard)
                + (r.part.serves() ? " by post-copy" : "") + "\n");
        setState(State.MIGRATING);
        return true;
    }

    /** Whether the current run migrates by post-copy (it started as a source: hexo fixes that when a run starts). */
    public boolean migratesByPostCopy() {
        HexoRun r = current;
        return r != null && r.part.serves();
    }

    /** Whether runs of this session on this host start as post-copy sources: the launch's choice, or the view's. */
    public boolean postCopy() {
        return postCopy;
    }

    /**
     * Chooses post-copy (or checkpoint/restart) for the guest's next runs and remembers it in the launch configuration;
     * the current run keeps the way it started with (hexo run cannot change it while it runs).
     */
    public void setPostCopy(boolean on) {
        postCopy = on;
        var config = launch.getLaunchConfiguration();
        try {
            if (config != null && config.getAttribute(io.hexo.ide.core.launch.HexoLaunch.POST_COPY, false) != on) {
                var wc = config.getWorkingCopy();
                wc.setAttribute(io.hexo.ide.core.launch.HexoLaunch.POST_COPY, on);
                wc.doSave();
            }
        } catch (org.eclipse.core.runtime.CoreException e) {
            HexoCore.log("remember post-copy in " + config.getName(), e);
        }
        Guests.get().changed(this);
    }

    /** The latest post-copy migration of this guest (both sides' events), or null. */
    public PostCopyMigration postCopyMigration() {
        return postCopyMigration;
    }

    public boolean canMigrate() {
        return state == State.RUNNING && spec.checkpointDir() != null;
    }

    /** The SSH board the guest runs on now, or null when it runs on this host. */
    public String board() {
        return board;
    }

    /** Where a migration from x86 sends the guest: Board.EMULATED_ID or an SSH board's name. */
    public String targetBoard() {
        return targetBoard;
    }

    public void setTargetBoard(String id) {
        targetBoard = id == null ? io.hexo.ide.core.prefs.Board.EMULATED_ID : id;
        Guests.get().changed(this);
    }

    public RunSpec spec() {
        return spec;
    }

    public State state() {
        return state;
    }

    /** The current ISA: "x86" or "arm". */
    public String isa() {
        return isa;
    }

    /** The engine as hexo named it for the current run, or the choice passed to it until hexo says. */
    public String engine() {
        HexoRun r = current;
        String named = r == null ? null : r.engineNamed;
        if (board != null) {
            // the board's own hexo picks the engine there (its /dev/kvm, else its process engine) and names it
            return "board " + board + (named != null ? ": " + named : "");
        }
        return named != null ? named : spec.engineFor(isa);
    }

    /** The row's name: the launch configuration and the program. */
    public String title() {
        var config = launch.getLaunchConfiguration();
        String program = spec.program().contains("/") ? spec.program().substring(0, spec.program().indexOf('/'))
                : spec.program();
        return config == null ? program : config.getName() + " \u2014 " + program;
    }

    public int migrations() {
        return migrations;
    }

    public List<String> history() {
        return List.copyOf(history);
    }

    /** The trap's sentence, with where the C function is defined when that is known. */
    public String trapMessage() {
        RunEvent.Trap t = trap;
        if (t == null) {
            return null;
        }
        CFunctions.Place at = trapPlace;
        return t.message() + (at != null ? " \u2014 " + t.function() + " is defined at " + at.file() + ":" + at.line() : "");
    }

    /**
     * Where the trapping function is defined: from the program's DWARF when it was built with -g (hexo's trap event),
     * else from the project's sources (the first definition of that name), else null.
     */
    public CFunctions.Place trapPlace() {
        return trapPlace;
    }

    private CFunctions.Place placeOf(RunEvent.Trap t) {
        if (t.file() != null && t.line() != null) {
            return new CFunctions.Place(Path.of(t.file()), t.line());
        }
        if (spec.workDir() == null || spec.imageDir() == null) {
            return null;
        }
        List<String> skip = new ArrayList<>();
        if (spec.imageDir().startsWith(spec.workDir()) && !spec.imageDir().equals(spec.workDir())) {
            skip.add(spec.workDir().relativize(spec.imageDir()).toString());
        }
        if (spec.checkpointDir() != null && spec.checkpointDir().startsWith(spec.workDir()) && !spec.checkpointDir().equals(spec.workDir())) {
            skip.add(spec.workDir().relativize(spec.checkpointDir()).toString());
        }
        return CFunctions.find(spec.workDir(), t.function(), skip);
    }

    /** The trap as hexo reported it (function, file, line), or null. */
    public RunEvent.Trap trap() {
        return trap;
    }

    /** Migration points the program has passed since it started (across migrations), as hexo's events say. */
    public long pointsPassed() {
        return pointsPassed;
    }

    public boolean debug() {
        return debug;
    }

    public long pid() {
        HexoRun r = current;
        return r == null ? -1 : r.process.pid();
    }

    public long startedAt() {
        return startedAt;
    }

    /** All stdout the guest wrote, across migrations. */
    public String stdout() {
        return out.getAll();
    }

    /** All stderr (hexo's messages and the guest's stderr), across migrations. */
    public String stderr() {
        return err.getAll();
    }

    // IProcess

    @Override
    public String getLabel() {
        return label;
    }

    @Override
    public ILaunch getLaunch() {
        return launch;
    }

    private final IStreamsProxy2 streams = new IStreamsProxy2() {
        @Override
        public IStreamMonitor getErrorStreamMonitor() {
            return err;
        }

        @Override
        public IStreamMonitor getOutputStreamMonitor() {
            return out;
        }

        @Override
        public void write(String input) throws IOException {
            HexoRun r = current;
            if (r != null) {
                OutputStream os = r.process.getOutputStream();
                os.write(input.getBytes(StandardCharsets.UTF_8));
                os.flush();
            }
        }

        @Override
        public void closeInputStream() throws IOException {
            HexoRun r = current;
            if (r != null) {
                r.process.getOutputStream().close();
            }
        }
    };

    @Override
    public IStreamsProxy getStreamsProxy() {
        return streams;
    }

    @Override
    public void setAttribute(String key, String value) {
        attributes.put(key, value);
        fire(DebugEvent.CHANGE);
    }

    @Override
    public String getAttribute(String key) {
        return attributes.get(key);
    }

    @Override
    public int getExitValue() throws org.eclipse.debug.core.DebugException {
        if (!terminated) {
            throw new org.eclipse.debug.core.DebugException(HexoCore.error("the guest is still running"));
        }
        return exitValue;
    }

    @Override
    public boolean canTerminate() {
        return !terminated;
    }

    @Override
    public boolean isTerminated() {
        return terminated;
    }

    @Override
    public void terminate() {
        if (!terminateRequested && !terminated) {
            err.append("\n[hexo-ide] Terminated by the user on " + RunSpec.isaLabel(isa) + where(board) + "\n");
        }
        terminateRequested = true;
        Process transfer = step;
        if (transfer != null) {
            transfer.destroy();
        }
        HexoRun source = postCopySource;
        if (source != null) {
            source.destroy(); // a post-copy source still serving: the user ends the whole guest
        }
        HexoRun r = current;
        Process p = r == null ? null : r.process;
        if (p != null && board != null) {
            // one SIGTERM to hexo's JVM, which passes it to the board as Ctrl-C (a second one would leave the run there)
            List<ProcessHandle> jvm = p.descendants().toList();
            if (jvm.isEmpty()) {
                p.destroy();
            } else {
                jvm.forEach(ProcessHandle::destroy);
            }
        } else if (p != null) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
    }

    @Override
    public <T> T getAdapter(Class<T> adapter) {
        if (adapter.isInstance(this)) {
            return adapter.cast(this);
        }
        if (adapter == ILaunch.class) {
            return adapter.cast(launch);
        }
        return super.getAdapter(adapter);
    }

    @Override
    public String toString() {
        return spec.program() + " on " + RunSpec.isaLabel(isa) + " (" + engine() + "): " + state;
    }
}
