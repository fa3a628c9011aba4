/*
 * NPB IS problem size, class S (2^16 keys in [0, 2^11), 2^9 buckets).
 *
 * Usually selected through npbparams.h with -DCLASS=S; it can also be used
 * directly the way the original build did it:  ln -sf npbparams-S.h npbparams.h
 */
#ifndef NPB_IS_PARAMS_CLASS_H
#define NPB_IS_PARAMS_CLASS_H

#undef CLASS
#define CLASS 'S'

#define TOTAL_KEYS_LOG_2   16
#define MAX_KEY_LOG_2      11
#define NUM_BUCKETS_LOG_2  9

#include "npbinfo.h"

#endif
