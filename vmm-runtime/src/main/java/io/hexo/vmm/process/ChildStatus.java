package io.hexo.vmm.process;

/** How a guest process ended, decoded from a wait status. */
record ChildStatus(boolean signaled, int code) {
    static ChildStatus of(int waitStatus) {
        int sig = waitStatus & 0x7F;
        return sig != 0 && sig != 0x7F ? new ChildStatus(true, sig) : new ChildStatus(false, (waitStatus >> 8) & 0xFF);
    }

    /** "SIGKILL (9)" style name of a Linux signal number (x86-64 and AArch64 share the numbering). */
    static String signalName(int sig) {
        String[] names = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
                "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP",
                "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",
                "SIGPWR", "SIGSYS"};
        return sig > 0 && sig < names.length ? names[sig] + " (" + sig + ")" : "signal " + sig;
    }
}
