package io.hexo.vmm.process;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.StringArray;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The guest as a Linux process: spawned with exactly guest memory (fd 3) and the doorbell (fds 4 and
 * 5) beyond /dev/null as stdin and stdout (the guest's console goes through hypercalls) and a pipe as
 * stderr (the loader's or the emulator's last words, for the sentence when it dies). Every other
 * descriptor of the VMM is closed in the child, its environment is empty and its working directory
 * is one the caller made for it.
 */
final class GuestProcess implements AutoCloseable {
    static final int FD_MEMORY = 3, FD_TO_VMM = 4, FD_FROM_VMM = 5;
    private static final int FIRST_UNUSED_FD = 6;
    private static final int STDERR_KEPT = 4096;

    private final int pid;
    private final int stderr;
    private ChildStatus status;

    private GuestProcess(int pid, int stderr) {
        this.pid = pid;
        this.stderr = stderr;
    }

    /** Starts argv[0] (an absolute path); throws IllegalStateException with errno when it cannot. */
    static GuestProcess spawn(List<String> argv, int memoryFd, Doorbell doorbell, java.nio.file.Path workdir) {
        int[] err = new int[2];
        Posix.pipe2(err, Posix.O_CLOEXEC);
        // adddup2 onto the same number would keep close-on-exec: move low descriptors out of the way first.
        int mem = aboveChildFds(memoryFd), up = aboveChildFds(doorbell.childWriteEnd()), down = aboveChildFds(doorbell.childReadEnd());
        Memory actions = new Memory(Posix.FILE_ACTIONS_SIZE);
        actions.clear();
        Posix.posix_spawn_file_actions_init(actions);
        try {
            check(Posix.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", Posix.O_RDONLY, 0), "addopen");
            check(Posix.posix_spawn_file_actions_addopen(actions, 1, "/dev/null", Posix.O_WRONLY, 0), "addopen");
            check(Posix.posix_spawn_file_actions_adddup2(actions, err[1], 2), "adddup2");
            check(Posix.posix_spawn_file_actions_adddup2(actions, mem, FD_MEMORY), "adddup2");
            check(Posix.posix_spawn_file_actions_adddup2(actions, up, FD_TO_VMM), "adddup2");
            check(Posix.posix_spawn_file_actions_adddup2(actions, down, FD_FROM_VMM), "adddup2");
            check(Posix.posix_spawn_file_actions_addclosefrom_np(actions, FIRST_UNUSED_FD), "addclosefrom_np");
            check(Posix.posix_spawn_file_actions_addchdir_np(actions, workdir.toString()), "addchdir_np");
            int[] pid = new int[1];
            int rc = Posix.posix_spawn(pid, argv.get(0), actions, null, new StringArray(argv.toArray(new String[0])),
                    new StringArray(new String[0]));
            if (rc != 0) {
                Posix.closeQuietly(err[0]);
                throw new IllegalStateException("cannot start " + argv.get(0) + " (" + spawnError(rc) + ")");
            }
            return new GuestProcess(pid[0], err[0]);
        } finally {
            Posix.posix_spawn_file_actions_destroy(actions);
            Posix.closeQuietly(err[1]);
            if (mem != memoryFd) Posix.closeQuietly(mem);
            if (up != doorbell.childWriteEnd()) Posix.closeQuietly(up);
            if (down != doorbell.childReadEnd()) Posix.closeQuietly(down);
            doorbell.closeChildEnds();
        }
    }

    /** posix_spawn's errors, which also cover the child's file actions (/dev/null). */
    private static String spawnError(int errno) {
        return switch (errno) {
            case 2 -> "ENOENT: it, or /dev/null, does not exist";
            case 13 -> "EACCES: it is not executable, or /dev/null cannot be opened";
            case 8 -> "ENOEXEC: not an executable for this host";
            case 12 -> "ENOMEM";
            default -> "errno " + errno;
        };
    }

    private static int aboveChildFds(int fd) {
        return fd >= FIRST_UNUSED_FD ? fd : Posix.fcntl(fd, Posix.F_DUPFD_CLOEXEC, FIRST_UNUSED_FD);
    }

    private static void check(int rc, String what) {
        if (rc != 0) throw new IllegalStateException("posix_spawn_file_actions_" + what + " failed (errno " + rc + ")");
    }

    int pid() { return pid; }

    /** Ends the guest now (it is stopped or has failed); idempotent. */
    void kill() {
        if (status != null) return;
        try {
            Posix.kill(pid, Posix.SIGKILL);
        } catch (LastErrorException ignored) {
            // already gone: waitFor collects it
        }
    }

    /** Waits for the process to end (after {@link #kill}, or once its doorbell reached end of file). */
    ChildStatus waitFor() {
        if (status != null) return status;
        int[] st = new int[1];
        while (true) {
            try {
                Posix.waitpid(pid, st, 0);
                return status = ChildStatus.of(st[0]);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Posix.EINTR) return status = ChildStatus.of(0);
            }
        }
    }

    /** What the process wrote to stderr, read once it has ended (at most 4 KiB). */
    String stderr() {
        Memory buf = new Memory(STDERR_KEPT);
        int got = 0;
        while (got < STDERR_KEPT) {
            long n;
            try {
                n = Posix.read(stderr, buf.share(got), STDERR_KEPT - got);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Posix.EINTR) continue;
                break;
            }
            if (n <= 0) break;
            got += (int) n;
        }
        return new String(buf.getByteArray(0, got), StandardCharsets.UTF_8).trim();
    }

    @Override
    public void close() {
        kill();
        waitFor();
        Posix.closeQuietly(stderr);
    }
}
