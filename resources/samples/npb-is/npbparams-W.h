/*
 * NPB IS problem size, class W (2^20 keys in [0, 2^16), 2^10 buckets).
 *
 * Usually selected through npbparams.h with -DCLASS=W; it can also be used
 * directly the way the original build did it:  ln -sf npbparams-W.h npbparams.h
 */
#ifndef NPB_IS_PARAMS_CLASS_H
#define NPB_IS_PARAMS_CLASS_H

#undef CLASS
#define CLASS 'W'

#define TOTAL_KEYS_LOG_2   20
#define MAX_KEY_LOG_2      16
#define NUM_BUCKETS_LOG_2  10

#include "npbinfo.h"

#endif
