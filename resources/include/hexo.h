/*
 * hexo: migration points for programs that move between x86-64 and ARM64 while they run.
 *
 * popcorn_check_migrate() is a potential migration point: when a migration was requested (SIGUSR1 to
 * hexo, --migrate-after, the IDE, or force_migration_flag(1)), the program stops there, its state is
 * checkpointed, and it resumes on the other ISA right after the call.
 */
#ifndef HEXO_H
#define HEXO_H

#ifdef __cplusplus
extern "C" {
#endif

void popcorn_check_migrate(void);
/* Non-zero: migrate at the next migration point; zero: cancel a pending request. */
void force_migration_flag(int flag);
/* The original's name for a migration point that takes the target node; the node is ignored
 * (hexo always moves to the other ISA). */
void migrate_if_needed(int node);

enum hexo_isa { HEXO_ISA_X86_64 = 1, HEXO_ISA_AARCH64 = 2 };
/* Where the program runs right now: changes after a migration. */
int hexo_current_isa(void);
/* Migration points passed since the program started (counting survives migration). */
unsigned long long hexo_migration_points(void);

#define hexo_check_migrate() popcorn_check_migrate()

/* The original's macros, with or without an argument. */
#define HERMIT_MIGPOINT(...) popcorn_check_migrate()
#define __HEXO_FORCE_ARG(dummy, flag, ...) flag
#define HERMIT_FORCE_MIGRATION(...) force_migration_flag(__HEXO_FORCE_ARG(0, ##__VA_ARGS__, 1))

#ifdef __cplusplus
}
#endif
#endif
