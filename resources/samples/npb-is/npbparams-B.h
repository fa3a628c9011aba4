/*
 * NPB IS problem size, class B (2^25 keys in [0, 2^21), 2^10 buckets).
 *
 * Usually selected through npbparams.h with -DCLASS=B; it can also be used
 * directly the way the original build did it:  ln -sf npbparams-B.h npbparams.h
 */
#ifndef NPB_IS_PARAMS_CLASS_H
#define NPB_IS_PARAMS_CLASS_H

#undef CLASS
#define CLASS 'B'

#define TOTAL_KEYS_LOG_2   25
#define MAX_KEY_LOG_2      21
#define NUM_BUCKETS_LOG_2  10

#include "npbinfo.h"

#endif
