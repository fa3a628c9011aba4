package io.hexo.ide.core.session;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
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
 * processes of a guest: the first run, and after each checkpoint (exit 75) a {@code --resume} on the other ISA.
 * Migration = SIGUSR1 to the running hexo process. What happens in a run (engine, migration points, checkpoint, trap)
 * comes from its {@code --events=json} stream ({@link RunEvent}), never from hexo's sentences.
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
    private volatile Process current;
    private volatile int exitValue = -1;
    private volatile boolean terminated;
    private volatile boolean terminateRequested;
    private volatile RunEvent.Trap trap;
    private volatile CFunctions.Place trapPlace;
    /** The engine hexo named in the current run's started event (hexo chooses; the IDE only reports). */
    private volatile String engineNamed;
    /** hexo's JVM, from the started event: the process SIGUSR1 migrates. */
    private volatile long hexoPid = -1;
    private volatile long pointsPassed;
    private volatile EventTail events;
    private volatile Path eventsFile;
    private volatile int migrations;
    private volatile long startedAt = System.currentTimeMillis();
    /** The SSH board the current run is on (hexo run --board), or null when it runs on this host. */
    private volatile String board;
    /** Where a migration from x86 goes: Board.EMULATED_ID (this host) or an SSH board's name; the Migration view sets it. */
    private volatile String targetBoard;

    public GuestSession(ILaunch launch, RunSpec spec, boolean debug, Consumer<GuestSession> onTrap) {
        this.launch = launch;
        this.spec = spec;
        this.debug = debug;
        this.onTrap = onTrap;
        this.isa = spec.startIsa();
        this.targetBoard = spec.boardId();
        this.board = RunSpec.ISA_ARM.equals(isa) ? RunSpec.sshBoard(spec.boardId()) : null;
        this.label = "hexo run " + spec.program();
        attributes.put(IProcess.ATTR_PROCESS_TYPE, "hexo");
    }

    /** Starts the first hexo run and the thread that follows the session (resumes after checkpoints). */
    public void start() throws IOException {
        spawn(false);
        launch.addProcess(this);
        Guests.get().add(this);
        fire(DebugEvent.CREATE);
        Thread t = new Thread(this::supervise, "hexo guest " + spec.program());
        t.setDaemon(true);
        t.start();
    }

    private void spawn(boolean afterMigration) throws IOException {
        eventsFile = Files.createTempFile("hexo-events-", ".jsonl");
        List<String> cmd = spec.command(isa, board, afterMigration, eventsFile);
        attributes.put(IProcess.ATTR_CMDLINE, String.join(" ", cmd));
        engineNamed = null;
        hexoPid = -1;
        setAttribute(IProcess.ATTR_PROCESS_LABEL, consoleTitle());
        history.add(RunSpec.isaLabel(isa) + " (" + (board != null ? "board " + board : spec.engineFor(isa)) + ")");
        err.append("[hexo-ide] $ " + String.join(" ", cmd) + "\n");
        if (spec.checkpointDir() != null) {
            Files.createDirectories(spec.checkpointDir());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (spec.workDir() != null) {
            pb.directory(spec.workDir().toFile());
        }
        Process p = pb.start();
        current = p;
        events = new EventTail(eventsFile, this::onEvent, spec.program());
        events.start();
        startedAt = System.currentTimeMillis();
        pump(p.getInputStream(), out, "stdout");
        pump(p.getErrorStream(), err, "stderr");
        setState(afterMigration ? State.RESUMING : State.STARTING);
        setState(State.RUNNING);
    }

    private final List<Thread> pumps = new ArrayList<>();

    private void pump(java.io.InputStream in, ChainStreamMonitor monitor, String name) {
        Thread t = new Thread(() -> {
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                char[] buf = new char[8192];
                int n;
                while ((n = r.read(buf)) >= 0) {
                    String s = new String(buf, 0, n);
                    monitor.append(s);
                }
            } catch (IOException e) {
                // process gone
            }
        }, "hexo " + name + " " + spec.program());
        t.setDaemon(true);
        synchronized (pumps) {
            pumps.add(t);
        }
        t.start();
    }

    private void drainPumps() throws InterruptedException {
        List<Thread> ts;
        synchronized (pumps) {
            ts = new ArrayList<>(pumps);
            pumps.clear();
        }
        for (Thread t : ts) {
            t.join(5000);
        }
        EventTail tail = events;
        if (tail != null) {
            tail.finish();
            try {
                Files.deleteIfExists(eventsFile);
            } catch (IOException e) {
                // a temporary file: the system's cleaner gets it
            }
        }
    }

    /** One event of the current run's stream (on the tail's thread, in order). */
    private void onEvent(RunEvent e) {
        if (e instanceof RunEvent.Started st) {
            engineNamed = st.engine();
            hexoPid = st.pid();
            setAttribute(IProcess.ATTR_PROCESS_LABEL, consoleTitle());
        } else if (e instanceof RunEvent.PointsPassed pp) {
            pointsPassed = pp.count();
            Guests.get().changed(this);
        } else if (e instanceof RunEvent.MigrationRequested) {
            if (state == State.RUNNING) {
                setState(State.MIGRATING);
            }
        } else if (e instanceof RunEvent.CheckpointWritten cw) {
            err.append("[hexo-ide] checkpoint written to " + cw.path() + " (" + cw.bytes() + " bytes) at migration point " + cw.point() + "\n");
        } else if (e instanceof RunEvent.Trap t) {
            trapPlace = placeOf(t);
            trap = t;
        }
    }

    /** The Console's title: it follows the guest's ISA and engine across migrations. */
    private String consoleTitle() {
        var config = launch.getLaunchConfiguration();
        return (config == null ? "" : config.getName() + " ") + "[hexo: " + spec.program() + " on " + RunSpec.isaLabel(isa) + ", " + engine()
                + (migrations > 0 ? ", after " + migrations + " migration(s)" : "") + "]";
    }

    private void supervise() {
        try {
            while (true) {
                Process p = current;
                int code = p.waitFor();
                drainPumps();
                if (terminateRequested) {
                    finish(code, State.TERMINATED);
                    return;
                }
                if (code == RunSpec.EXIT_CHECKPOINTED && migrations < MAX_MIGRATIONS) {
                    String from = isa, fromBoard = board;
                    String toIsa = RunSpec.other(isa);
                    String toBoard = RunSpec.ISA_ARM.equals(toIsa) ? RunSpec.sshBoard(targetBoard) : null;
                    err.append("[hexo-ide] migrating " + RunSpec.isaLabel(from) + where(fromBoard) + " -> " + RunSpec.isaLabel(toIsa)
                            + (toBoard != null ? where(toBoard) : " (" + spec.engineFor(toIsa) + ")") + "\n");
                    setState(State.RESUMING);
                    List<String> transfer = spec.transfer(fromBoard, toBoard);
                    if (transfer != null && !step(transfer)) {
                        if (terminateRequested) {
                            finish(code, State.TERMINATED);
                            return;
                        }
                        err.append("[hexo-ide] the checkpoint stays where it was written (" + (fromBoard != null ? "board " + fromBoard
                                : spec.checkpointDir().toString()) + "): resume it with a Run on ARM board / Run on x86 launch with Resume\n");
                        finish(code, State.FAILED);
                        return;
                    }
                    isa = toIsa;
                    board = toBoard;
                    migrations++;
                    try {
                        spawn(true);
                    } catch (IOException e) {
                        err.append("[hexo-ide] cannot resume: " + e.getMessage() + "\n");
                        finish(-1, State.FAILED);
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

    private static String where(String board) {
        return board != null ? " on board " + board : "";
    }

    /** One step of a migration between this host and a board (hexo transfer), its words in the Console; true when it worked. */
    private boolean step(List<String> cmd) throws InterruptedException {
        err.append("[hexo-ide] $ " + String.join(" ", cmd) + "\n");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            current = p;
            p.getOutputStream().close();
            pump(p.getInputStream(), err, "transfer");
            int code = p.waitFor();
            drainPumps();
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
        Process p = current;
        if (state != State.RUNNING || p == null || !p.isAlive()) {
            return false;
        }
        // hexo's JVM as its started event named it (the launcher forwards the signal too, until that event came)
        long pid = hexoPid > 0 && board == null ? hexoPid : p.pid();
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
        String to = RunSpec.other(isa);
        String toBoard = RunSpec.ISA_ARM.equals(to) ? RunSpec.sshBoard(targetBoard) : null;
        err.append("[hexo-ide] migration requested (SIGUSR1 to hexo, pid " + pid + (board != null ? ", which passes it on to board " + board : "")
                + "): " + RunSpec.isaLabel(isa) + where(board) + " -> " + RunSpec.isaLabel(to) + where(toBoard) + "\n");
        setState(State.MIGRATING);
        return true;
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
        String named = engineNamed;
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
        Process p = current;
        return p == null ? -1 : p.pid();
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
            Process p = current;
            if (p != null) {
                OutputStream os = p.getOutputStream();
                os.write(input.getBytes(StandardCharsets.UTF_8));
                os.flush();
            }
        }

        @Override
        public void closeInputStream() throws IOException {
            Process p = current;
            if (p != null) {
                p.getOutputStream().close();
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
        Process p = current;
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
