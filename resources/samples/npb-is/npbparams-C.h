/*
 * NPB IS problem size, class C (2^27 keys in [0, 2^23), 2^10 buckets).
 *
 * Usually selected through npbparams.h with -DCLASS=C; it can also be used
 * directly the way the original build did it:  ln -sf npbparams-C.h npbparams.h
 */
#ifndef NPB_IS_PARAMS_CLASS_H
#define NPB_IS_PARAMS_CLASS_H

#undef CLASS
#define CLASS 'C'

#define TOTAL_KEYS_LOG_2   27
#define MAX_KEY_LOG_2      23
#define NUM_BUCKETS_LOG_2  10

#include "npbinfo.h"

#endif
