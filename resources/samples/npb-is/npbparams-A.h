/*
 * NPB IS problem size, class A (2^23 keys in [0, 2^19), 2^10 buckets).
 *
 * Usually selected through npbparams.h with -DCLASS=A; it can also be used
 * directly the way the original build did it:  ln -sf npbparams-A.h npbparams.h
 */
#ifndef NPB_IS_PARAMS_CLASS_H
#define NPB_IS_PARAMS_CLASS_H

#undef CLASS
#define CLASS 'A'

#define TOTAL_KEYS_LOG_2   23
#define MAX_KEY_LOG_2      19
#define NUM_BUCKETS_LOG_2  10

#include "npbinfo.h"

#endif
