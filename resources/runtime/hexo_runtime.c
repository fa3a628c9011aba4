/*
 * The wasm side of hexo, linked into every program: migration points and the original's helpers.
 *
 * It is compiled to wasm32 with the application, so everything here is ISA-neutral and part of the
 * checkpoint. Only hexo.migrate() (where Asyncify unwinds the stack) and a few queries are imported
 * from the guest kernel.
 */
/* The headers declare clock(), times() and getrusage() only then; hexo defines them below. */
#define _WASI_EMULATED_PROCESS_CLOCKS 1
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <wasi/api.h>
#include <hexo.h>
#include <migrate.h>
#include "../guest/include/hexo_abi.h"

#define HEXO_IMPORT(name) __attribute__((import_module("hexo"), import_name(name)))

/* Unwinds the whole stack (Asyncify), checkpoints, and on the destination rewinds back here. */
HEXO_IMPORT("migrate") void __hexo_migrate(void);
HEXO_IMPORT("current_isa") int __hexo_current_isa(void);

/*
 * Both are exported as data symbols (wasm-ld --export), which the kernel reads as addresses. Not as
 * functions: wasm-ld wraps every function a WASI command exports with the program's constructors and
 * destructors, so calling one would run them again.
 */

/* Written by the VMM (through the kernel, which registers its address) while the program runs. */
struct hexo_control __hexo_control = { .abi_version = HEXO_ABI_VERSION };

/* Asyncify's unwind buffer: the kernel fills the {current, end} header when a migration starts.
 * Zero until used, so a checkpoint stores only the part a migration filled. */
struct hexo_asyncify_buffer __hexo_asyncify __attribute__((aligned(16)));

/*
 * The program's working directory, as the guest kernel's preopens name it (WORKDIR_NAME in
 * guest/common/wasi.c). A working directory other than "/" is what lets an absolute path be told from a
 * relative one; wasi-libc keeps it in __wasilibc_cwd, which only its chdir() code reads, so the runtime
 * links that code in and sets the directory before any constructor of the program opens a file.
 */
#define HEXO_WORKDIR_NAME "/hexo-workdir"
extern char *__wasilibc_cwd;
int __wasilibc_find_relpath_alloc(const char *, const char **, char **, size_t *, int);

__attribute__((constructor(101), no_instrument_function)) static void hexo_set_working_directory(void) {
    static char workdir[] = HEXO_WORKDIR_NAME;
    __wasilibc_cwd = workdir;
    /* Referenced so that wasm-ld links chdir.o, whose path resolution applies the working directory. */
    __asm__ volatile("" : : "r"(&__wasilibc_find_relpath_alloc));
}

/* Process CPU time of the runs before this one: each run's clock starts at zero, a program's must not. */
static uint64_t cpu_ns_earlier_runs;

static uint64_t cpu_ns_this_run(void) {
    __wasi_timestamp_t t = 0;
    (void)__wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &t);
    return t;
}

static uint64_t cpu_ns(void) { return cpu_ns_earlier_runs + cpu_ns_this_run(); }

__attribute__((no_instrument_function)) void popcorn_check_migrate(void) {
    __hexo_control.points_reached++;
    if (__hexo_control.migrate_requested || __hexo_control.points_reached == __hexo_control.migrate_at_point) {
        __hexo_control.migrate_requested = 0;
        uint64_t used = cpu_ns_this_run();
        __hexo_migrate();
        /* Returning here on the destination, whose clock restarted; a checkpoint that could not be written
         * returns here on the source, whose clock went on. */
        if (cpu_ns_this_run() < used) cpu_ns_earlier_runs += used;
    }
}

__attribute__((no_instrument_function)) void force_migration_flag(int flag) {
    __hexo_control.migrate_requested = flag != 0;
}

__attribute__((no_instrument_function)) int migrate_if_needed(void *regset) {
    (void)regset;
    popcorn_check_migrate();
    return 0;
}

/* Popcorn's <migrate.h>: node 0 is x86-64, node 1 ARM64. */
int current_nid(void) { return __hexo_current_isa() == HEXO_ISA_AARCH64 ? 1 : 0; }

void check_migrate(void (*callback)(void *), void *callback_data) {
    int before = current_nid();
    popcorn_check_migrate();
    if (callback && current_nid() != before) callback(callback_data);
}

void migrate(int nid, void (*callback)(void *), void *callback_data) {
    if (nid == current_nid()) return;
    force_migration_flag(1);
    check_migrate(callback, callback_data);
}

int hexo_current_isa(void) { return __hexo_current_isa(); }

unsigned long long hexo_migration_points(void) { return __hexo_control.points_reached; }

/* -finstrument-functions (the original's way to get a migration point in every function). hexo's build
 * points both the entry and the exit hook at the _bare one (wasm32 has no return addresses to pass). */
__attribute__((no_instrument_function)) void __cyg_profile_func_enter_bare(void) {
    popcorn_check_migrate();
}

/* Weak: the original's tests define their own hooks. */
__attribute__((weak, no_instrument_function)) void __cyg_profile_func_enter(void *fn, void *site) {
    (void)fn; (void)site;
    popcorn_check_migrate();
}

__attribute__((weak, no_instrument_function)) void __cyg_profile_func_exit(void *fn, void *site) {
    (void)fn; (void)site;
    popcorn_check_migrate();
}

/* sys_msleep as HermitCore had it. Programs declare it either as `void sys_msleep(int)` or
 * `int sys_msleep(unsigned int)`; wasm linking needs exact signatures, so the build maps each
 * translation unit's declaration to one of these two (see compiler-bridge's MsleepDeclarations). */
static void msleep(unsigned int ms) {
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, 0);
}

__attribute__((weak)) void __hexo_sys_msleep_void(int ms) { msleep(ms < 0 ? 0 : (unsigned)ms); }

__attribute__((weak)) int __hexo_sys_msleep_int(unsigned int ms) {
    msleep(ms);
    return 0;
}

/* HermitCore's kprintf, to the console like printf (whose buffer it shares, so lines stay in order).
 * Declared `void kprintf(char *, ...)` or `int kprintf(const char *, ...)`, mapped like sys_msleep.
 * These four are weak: a program that defines its own sys_msleep or kprintf (renamed the same way) keeps it. */
__attribute__((weak)) void __hexo_kprintf_void(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

__attribute__((weak)) int __hexo_kprintf_int(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

/*
 * Process CPU time for clock(), times() and getrusage(), which wasi-libc leaves out: the VMM's process
 * clock (the guest's run time), continued across migrations. Weak: a program may define its own.
 */
__attribute__((weak)) clock_t clock(void) { return (clock_t)(cpu_ns() / (1000000000ull / CLOCKS_PER_SEC)); }

/* In sysconf(_SC_CLK_TCK) units, 100 per second, as on Linux. */
__attribute__((weak)) clock_t times(struct tms *t) {
    clock_t ticks = (clock_t)(cpu_ns() / 10000000ull);
    if (t) {
        t->tms_utime = ticks;
        t->tms_stime = 0;
        t->tms_cutime = 0;
        t->tms_cstime = 0;
    }
    __wasi_timestamp_t now = 0;
    (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1000, &now);
    return (clock_t)(now / 10000000ull);
}

__attribute__((weak)) int getrusage(int who, struct rusage *r) {
    (void)who;
    uint64_t ns = cpu_ns();
    *r = (struct rusage){0};
    r->ru_utime.tv_sec = (time_t)(ns / 1000000000ull);
    r->ru_utime.tv_usec = (suseconds_t)(ns % 1000000000ull / 1000);
    return 0;
}

/*
 * strcmp eight bytes at a time. wasi-libc's (musl's) compares byte by byte, which as wasm and then native
 * code is six instructions per character; the native programs hexo is compared with call glibc's vector
 * strcmp. Measured with callgrind (bench/kernels.sh, dhry class S): strcmp was half of dhry's
 * instructions. Defined here, the program's files and this runtime are linked before libc, so wasm-ld
 * takes this one.
 *
 * An eight-byte read may go past the strings' terminators, which in wasm is harmless as long as it stays
 * inside linear memory: it does while neither read crosses a 4 KiB boundary (linear memory is whole
 * 64 KiB pages and the byte at each pointer is inside it). So the words up to the nearer boundary are
 * compared without a test per word, and the bytes just before a boundary one by one. In the word where
 * the strings differ or end, the first such byte is found from the word itself (its lowest flagged
 * bit; wasm is little-endian on every ISA) rather than by a byte loop. The result is musl's (the
 * difference of the first differing bytes as unsigned char), the same on both ISAs.
 */
int strcmp(const char *left, const char *right) {
    const unsigned char *l = (const unsigned char *)left, *r = (const unsigned char *)right;
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    for (;;) {
        uintptr_t room_l = 0x1000 - ((uintptr_t)l & 0xfff), room_r = 0x1000 - ((uintptr_t)r & 0xfff);
        for (uintptr_t words = (room_l < room_r ? room_l : room_r) >> 3; words != 0; words--) {
            uint64_t a, b;
            __builtin_memcpy(&a, l, 8);
            __builtin_memcpy(&b, r, 8);
            /* Bytes that differ, and (exactly for the lowest one) the zero bytes of a. */
            uint64_t stop = (a ^ b) | ((a - ones) & ~a & highs);
            if (stop != 0) {
                unsigned at = (unsigned)__builtin_ctzll(stop) >> 3;
                return l[at] - r[at];
            }
            l += 8;
            r += 8;
        }
        /* Fewer than eight bytes before a boundary on one side: one byte, then the words again. */
        if (*l != *r || *l == 0) return *l - *r;
        l++;
        r++;
    }
}
