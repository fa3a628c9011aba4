package io.hexo.vmm.process;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The libc calls that start and talk to a guest process, bound with JNA direct mapping. posix_spawn
 * rather than ProcessBuilder because the child must inherit exactly three extra descriptors at fixed
 * numbers (guest memory and the doorbell pipes), which the JDK cannot pass, and nothing else.
 */
final class Posix {
    static final int O_RDONLY = 0, O_WRONLY = 1, O_CLOEXEC = 0x80000;
    static final int F_DUPFD_CLOEXEC = 1030;
    static final int SIGKILL = 9;
    static final int EINTR = 4, EPIPE = 32, ECHILD = 10;
    /** sizeof(posix_spawn_file_actions_t) is 80 with glibc on both ISAs; room to spare. */
    static final int FILE_ACTIONS_SIZE = 256;

    static {
        Native.register("c");
    }

    private Posix() {}

    static native int pipe2(int[] fds, int flags) throws LastErrorException;
    static native long read(int fd, Pointer buf, long count) throws LastErrorException;
    static native long write(int fd, Pointer buf, long count) throws LastErrorException;
    static native int close(int fd) throws LastErrorException;
    static native int fcntl(int fd, int cmd, int arg) throws LastErrorException;
    static native int kill(int pid, int sig) throws LastErrorException;
    static native int waitpid(int pid, int[] status, int options) throws LastErrorException;
    static native int getpid();

    /** Returns an errno value (0 on success), as posix_spawn does; the pid goes to pid[0]. */
    static native int posix_spawn(int[] pid, String path, Pointer fileActions, Pointer attr, Pointer argv, Pointer envp);
    static native int posix_spawn_file_actions_init(Pointer actions);
    static native int posix_spawn_file_actions_destroy(Pointer actions);
    static native int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newfd);
    static native int posix_spawn_file_actions_addopen(Pointer actions, int fd, String path, int oflag, int mode);
    static native int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);
    static native int posix_spawn_file_actions_addchdir_np(Pointer actions, String path);

    /** Closes fd, ignoring errors: for clean-up paths that must not throw. */
    static void closeQuietly(int fd) {
        if (fd < 0) return;
        try {
            close(fd);
        } catch (LastErrorException ignored) {
            // already closed or never valid: nothing left to release
        }
    }
}
