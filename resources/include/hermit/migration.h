/* Compatibility with HEXO / Popcorn-HermitCore programs: the same calls, served by hexo. */
#ifndef HERMIT_MIGRATION_H
#define HERMIT_MIGRATION_H
#include <hexo.h>
#endif
