/*
 * Native-build stand-in for <hermit/migration.h>.
 *
 * Only for compiling the samples with the host compiler (gcc/clang) to check
 * their output, e.g.
 *     gcc -O2 -I resources/samples/native-stub test.c
 * The hexo build provides the real header; never put this directory on its
 * include path.  Here a migration point does nothing, and sys_msleep (the
 * HermitCore sleep the tutorial programs call) is a plain nanosleep.
 */
#ifndef HEXO_NATIVE_STUB_MIGRATION_H
#define HEXO_NATIVE_STUB_MIGRATION_H

#include <time.h>

static inline void popcorn_check_migrate(void) { }
static inline void force_migration_flag(int flag) { (void)flag; }

/* Programs declare "extern void sys_msleep(int ms);" themselves; a static
 * definition after that declaration would conflict, so give it a separate
 * name and map the identifier onto it. */
/* POSIX; declared here too so that strict -std=c11 builds still see it. */
int nanosleep(const struct timespec *req, struct timespec *rem);

static inline void hexo_stub_msleep(int ms)
{
    struct timespec ts;
    if (ms <= 0)
        return;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}
#define sys_msleep hexo_stub_msleep

#endif
