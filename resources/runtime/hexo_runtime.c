/*
 * The wasm side of hexo, linked into every program: migration points and the original's helpers.
 *
 * It is compiled to wasm32 with the application, so everything here is ISA-neutral and part of the
 * checkpoint. Only hexo.migrate() (where Asyncify unwinds the stack) and a few queries are imported
 * from the guest kernel.
 */
#include <stdint.h>
#include <time.h>
#include <hexo.h>
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

__attribute__((no_instrument_function)) void popcorn_check_migrate(void) {
    __hexo_control.points_reached++;
    if (__hexo_control.migrate_requested || __hexo_control.points_reached == __hexo_control.migrate_at_point) {
        __hexo_control.migrate_requested = 0;
        __hexo_migrate();
    }
}

__attribute__((no_instrument_function)) void force_migration_flag(int flag) {
    __hexo_control.migrate_requested = flag != 0;
}

__attribute__((no_instrument_function)) void migrate_if_needed(int node) {
    (void)node;
    popcorn_check_migrate();
}

int hexo_current_isa(void) { return __hexo_current_isa(); }

unsigned long long hexo_migration_points(void) { return __hexo_control.points_reached; }

/* -finstrument-functions (the original's way to get a migration point in every function). hexo's build
 * points both the entry and the exit hook at the _bare one (wasm32 has no return addresses to pass). */
__attribute__((no_instrument_function)) void __cyg_profile_func_enter_bare(void) {
    popcorn_check_migrate();
}

__attribute__((no_instrument_function)) void __cyg_profile_func_enter(void *fn, void *site) {
    (void)fn; (void)site;
    popcorn_check_migrate();
}

__attribute__((no_instrument_function)) void __cyg_profile_func_exit(void *fn, void *site) {
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

void __hexo_sys_msleep_void(int ms) { msleep(ms < 0 ? 0 : (unsigned)ms); }

int __hexo_sys_msleep_int(unsigned int ms) {
    msleep(ms);
    return 0;
}
