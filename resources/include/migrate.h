/*
 * Popcorn Linux's <migrate.h>, served by hexo. Nodes: 0 is x86-64, 1 is ARM64 (as on the original's
 * test bed). A callback given to a migration runs on the destination, after the move.
 */
#ifndef HEXO_POPCORN_MIGRATE_H
#define HEXO_POPCORN_MIGRATE_H
#include <hexo.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The node the program runs on now: 0 (x86-64) or 1 (ARM64). */
int current_nid(void);
/* A migration point: moves if a migration was requested, then calls callback(data) on the destination. */
void check_migrate(void (*callback)(void *), void *callback_data);
/* Moves to node nid now (nothing happens if the program is already there). */
void migrate(int nid, void (*callback)(void *), void *callback_data);

#ifdef __cplusplus
}
#endif
#endif
