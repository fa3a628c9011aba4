/*
 * hexo: migration points for programs that move between x86-64 and ARM64 while they run.
 *
 * popcorn_check_migrate() is a potential migration point: when a migration was requested (SIGUSR1 to
 * hexo, --migrate-after, the IDE, or force_migration_flag(1)), the program stops there, its state is
 * checkpointed, and it resumes on the other ISA right after the call.
 *
 * `hexo build` includes this header in every file (-include), so that a program calling these functions
 * without a declaration, as the original's programs do, still calls them with their real signature:
 * wasm checks signatures at run time. That is also why it declares nothing a program may declare
 * differently itself (sys_msleep, kprintf: see hexo_runtime.c).
 */
#ifndef HEXO_H
#define HEXO_H

#ifdef __cplusplus
extern "C" {
#endif

void popcorn_check_migrate(void);
/* Non-zero: migrate at the next migration point; zero: cancel a pending request. */
void force_migration_flag(int flag);
/* The original's migration point as its newer header declared it (the register set is not needed:
 * the whole state is in linear memory). Returns 0. */
int migrate_if_needed(void *regset);

enum hexo_isa { HEXO_ISA_X86_64 = 1, HEXO_ISA_AARCH64 = 2 };
/* Where the program runs right now: changes after a migration. */
int hexo_current_isa(void);
/* Migration points passed since the program started (counting survives migration). */
unsigned long long hexo_migration_points(void);

#define hexo_check_migrate() popcorn_check_migrate()

/*
 * The original's macros, as both its header versions had them: HERMIT_MIGPOINT() / HERMIT_MIGPOINT(regset)
 * and HERMIT_FORCE_MIGRATION() / HERMIT_FORCE_MIGRATION(regset), int expressions (0). FORCE raises the
 * flag and is itself the migration point. The argument is evaluated and otherwise unused.
 */
__attribute__((no_instrument_function)) static inline int __hexo_migpoint(int unused, ...) {
    (void)unused;
    popcorn_check_migrate();
    return 0;
}
__attribute__((no_instrument_function)) static inline int __hexo_force_migration(int unused, ...) {
    (void)unused;
    force_migration_flag(1);
    popcorn_check_migrate();
    return 0;
}
#define HERMIT_MIGPOINT(...) __hexo_migpoint(0, ##__VA_ARGS__)
#define HERMIT_FORCE_MIGRATION(...) __hexo_force_migration(0, ##__VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif
