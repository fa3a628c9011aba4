/*
 * The original's migration API in all the forms its two header versions allowed: HERMIT_MIGPOINT()
 * and HERMIT_FORCE_MIGRATION() with no argument, with NULL and with a register-set variable, used as
 * statements and as int expressions; the program's own declarations of force_migration_flag and
 * sys_msleep; Popcorn's <migrate.h>. Each FORCE moves the program to the other ISA; the output is the
 * same wherever each part ran.
 */
#include <stdio.h>
#include <stdlib.h>
#include <hermit/migration.h>
#include <migrate.h>

extern void force_migration_flag(int val);
extern int sys_msleep(unsigned int ms);

struct regs { long r[4]; };

static long work(int round, long acc) {
    for (int i = 0; i < 1000 * round; i++) acc = (acc * 31 + i) % 1000003;
    return acc;
}

static void moved(void *data) {
    (*(int *)data)++;
}

int main(int argc, char *argv[]) {
    struct regs saved = { { 1, 2, 3, 4 } };
    void *regset = &saved;
    long acc = 7;
    int ret, callbacks = 0;

    printf("%s: start\n", argv[0]);
    HERMIT_MIGPOINT();
    HERMIT_MIGPOINT(NULL);
    ret = HERMIT_MIGPOINT(regset);
    acc = work(1, acc);
    printf("round 1 acc %ld ret %d\n", acc, ret);

    ret = HERMIT_FORCE_MIGRATION();
    acc = work(2, acc);
    printf("round 2 acc %ld ret %d\n", acc, ret);

    ret = HERMIT_FORCE_MIGRATION(NULL) + sys_msleep(1);
    acc = work(3, acc);
    printf("round 3 acc %ld ret %d\n", acc, ret);

    if (HERMIT_FORCE_MIGRATION(regset) == 0) acc = work(4, acc);
    printf("round 4 acc %ld regs %ld\n", acc, saved.r[3]);

    force_migration_flag(1);
    force_migration_flag(0);               /* cancelled: no move here */
    HERMIT_MIGPOINT();

    check_migrate(moved, &callbacks);      /* nothing requested: no move, no callback */
    printf("callbacks %d\n", callbacks);
    return 0;
}
