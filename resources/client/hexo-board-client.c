/*
 * hexo's native client for a board's kept-open connection (io.hexo.board.BoardHolder, HeldCommand).
 *
 *   hexo-board-client SOCKET HEXO_HOME BOARD ARGS...
 *
 * The `hexo` launcher runs it for `hexo run --board BOARD ...` and `hexo transfer --to-board|--from-board
 * BOARD ...` when BOARD's holder socket exists: the command then starts no JVM on this machine (JVM start
 * was most of a warm run's time, and a sixth of a 277 MB transfer's). It sends the
 * command line, working directory and environment to the holder, which runs the command in its own,
 * long-warm JVM; this relays the command's stdout and stderr, passes Ctrl-C, SIGTERM and SIGUSR1 on as
 * one byte each, and exits with the command's status. Whenever the holder cannot serve (none there, a
 * holder of another hexo, build or settings, a command it does not run) and before anything was
 * printed, it execs the launcher again with HEXO_BOARD_CLIENT_TRIED=1: the usual JVM path, which finds
 * or starts the right holder. Protocol: io.hexo.board.HoldProtocol (RUN).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

static int sock = -1;
static char **launcher_argv;
static const char *launcher;

/* The JVM path: the launcher again, told not to come back here. */
static void fall_back(void) {
    if (sock >= 0) close(sock);
    /* hexo's JVM gets this process's signals as a fresh start would: none blocked, SIGPIPE as it was */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setenv("HEXO_BOARD_CLIENT_TRIED", "1", 1);
    execv(launcher, launcher_argv);
    fprintf(stderr, "hexo: cannot run %s: %s\n", launcher, strerror(errno));
    exit(2);
}

/* A growing request buffer in HoldProtocol's encodings (big-endian lengths). */
static char *req;
static size_t req_len, req_cap;

static void put(const void *p, size_t n) {
    if (req_len + n > req_cap) {
        req_cap = (req_len + n) * 2 + 4096;
        req = realloc(req, req_cap);
        if (!req) fall_back();
    }
    memcpy(req + req_len, p, n);
    req_len += n;
}

static void put_u32(uint32_t v) {
    unsigned char b[4] = {v >> 24, v >> 16, v >> 8, v};
    put(b, 4);
}

/* DataOutputStream.writeUTF of an ASCII string (the magic and the build). */
static void put_utf(const char *s) {
    size_t n = strlen(s);
    unsigned char b[2] = {n >> 8, n};
    put(b, 2);
    put(s, n);
}

/* HoldProtocol.writeString: [length, UTF-8 bytes]. */
static void put_string(const char *s) {
    size_t n = strlen(s);
    put_u32((uint32_t)n);
    put(s, n);
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads exactly n bytes; 0 at a clean end before the first byte, -1 at an end in the middle. */
static int read_all(char *p, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(sock, p + got, n - got);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (r == 0) return got == 0 ? 0 : -1;
        got += (size_t)r;
    }
    return 1;
}

/* The holder went in the middle (killed, or its connection to the board closed): as hexo's JVM says it. */
static int lost(const char *board, int transfer) {
    if (transfer) {
        fprintf(stderr, "hexo: lost the connection to board %s (its hexo holder went away): run the command again;"
                        " the source checkpoint is untouched\n", board);
        return 1;
    }
    fprintf(stderr, "hexo: lost the connection to board %s (its hexo holder went away); the guest goes on there:"
                    " `hexo board ps %s` lists its runs, `hexo run --board %s --attach ID` follows one again\n", board, board, board);
    return 255;
}

/* A signal becomes one byte to the holder (write is async-signal-safe; nothing else writes now). */
static void relay(int sig) {
    int saved = errno;
    char c = sig == SIGINT ? 'I' : sig == SIGTERM ? 'T' : 'U';
    ssize_t ignored = write(sock, &c, 1);
    (void)ignored;
    errno = saved;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: hexo-board-client SOCKET HEXO_HOME BOARD ARGS...\n");
        return 2;
    }
    const char *path = argv[1], *home = argv[2], *board = argv[3];
    int transfer = strcmp(argv[4], "transfer") == 0;
    static char launcher_path[4096];
    snprintf(launcher_path, sizeof launcher_path, "%s/hexo", home);
    launcher = launcher_path;
    /* the launcher's own argv: "hexo" and ARGS */
    launcher_argv = argv + 3;
    launcher_argv[0] = launcher_path;

    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) fall_back();
    strcpy(addr.sun_path, path);
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof addr) != 0) fall_back();

    char cwd[8192];
    if (!getcwd(cwd, sizeof cwd)) fall_back();
    put_utf("hexo-hold/1");
    put_utf("-");
    put("r", 1);
    put_string(home);
    put_u32((uint32_t)(argc - 4));
    for (int i = 4; i < argc; i++) put_string(argv[i]);
    put_string(cwd);
    uint32_t envc = 0;
    for (char **e = environ; *e; e++) envc++;
    put_u32(envc);
    for (char **e = environ; *e; e++) put_string(*e);

    /* Signals wait until the request is out, then each is relayed (SA_RESTART: reads go on). */
    sigset_t relayed, old;
    sigemptyset(&relayed);
    sigaddset(&relayed, SIGINT);
    sigaddset(&relayed, SIGTERM);
    sigaddset(&relayed, SIGUSR1);
    sigprocmask(SIG_BLOCK, &relayed, &old);
    signal(SIGPIPE, SIG_IGN);
    if (write_all(sock, req, req_len) != 0) fall_back();
    struct sigaction sa = {.sa_handler = relay, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);

    int answered = 0;
    char buf[1 << 16];
    for (;;) {
        char head[5];
        int r = read_all(head, 5);
        if (r <= 0) {
            /* closed before it accepted the command (an older holder that does not know RUN, or one killed
             * before it read it): the JVM path, which starts the command itself */
            if (!answered) fall_back();
            return lost(board, transfer);
        }
        uint32_t len = (uint32_t)(unsigned char)head[1] << 24 | (uint32_t)(unsigned char)head[2] << 16
                | (uint32_t)(unsigned char)head[3] << 8 | (unsigned char)head[4];
        char type = head[0];
        if (type == 'f' || type == 'v') {
            if (answered) return 2;
            fall_back();
        }
        answered = 1;
        if (type == 'a' && len == 0) continue; /* accepted: from now on a lost holder is said, never retried */
        if (type == 'o' || type == 'e') {
            int fd = type == 'o' ? 1 : 2;
            while (len > 0) {
                size_t n = len < sizeof buf ? len : sizeof buf;
                if (read_all(buf, n) != 1) return lost(board, transfer);
                write_all(fd, buf, n); /* a closed stdout loses the output, as with hexo's JVM */
                len -= (uint32_t)n;
            }
        } else if (type == 's' || type == 'x' || type == 'p') {
            char text[4096];
            size_t n = len < sizeof text - 1 ? len : sizeof text - 1;
            if (read_all(text, n) != 1 && n > 0) return lost(board, transfer);
            for (uint32_t rest = len - (uint32_t)n; rest > 0;) {
                size_t k = rest < sizeof buf ? rest : sizeof buf;
                if (read_all(buf, k) != 1) return lost(board, transfer);
                rest -= (uint32_t)k;
            }
            text[n] = 0;
            if (type == 's') {
                int status = atoi(text);
                return status < 0 || status > 255 ? 255 : status;
            }
            if (type == 'x') {
                fprintf(stderr, "hexo: %s\n", text);
                return 2;
            }
        } else {
            fprintf(stderr, "hexo: the board's hexo holder answered what this client does not understand\n");
            return 2;
        }
    }
}
