/*
 * Class selector for NPB IS.
 *
 * The original benchmark built one class at a time by pointing npbparams.h at
 * a class file:    ln -sf npbparams-B.h npbparams.h
 * Here the class is a compiler flag instead, so no link is needed:
 *     -DCLASS=S | -DCLASS=W | -DCLASS=A (default) | -DCLASS=B | -DCLASS=C
 * e.g.  ./hexo build resources/samples/npb-is --cflags "-DCLASS=B"
 * After this header CLASS is the character constant 'S', 'W', 'A', 'B' or 'C'.
 */
#ifndef NPB_IS_PARAMS_H
#define NPB_IS_PARAMS_H

#ifndef CLASS
#define CLASS A
#endif

#define NPB_CLASS_NUMBER_S 1
#define NPB_CLASS_NUMBER_s 1
#define NPB_CLASS_NUMBER_W 2
#define NPB_CLASS_NUMBER_w 2
#define NPB_CLASS_NUMBER_A 3
#define NPB_CLASS_NUMBER_a 3
#define NPB_CLASS_NUMBER_B 4
#define NPB_CLASS_NUMBER_b 4
#define NPB_CLASS_NUMBER_C 5
#define NPB_CLASS_NUMBER_c 5
#define NPB_CLASS_PASTE(x) NPB_CLASS_NUMBER_##x
#define NPB_CLASS_NUMBER(x) NPB_CLASS_PASTE(x)

#if NPB_CLASS_NUMBER(CLASS) == 1
#include "npbparams-S.h"
#elif NPB_CLASS_NUMBER(CLASS) == 2
#include "npbparams-W.h"
#elif NPB_CLASS_NUMBER(CLASS) == 3
#include "npbparams-A.h"
#elif NPB_CLASS_NUMBER(CLASS) == 4
#include "npbparams-B.h"
#elif NPB_CLASS_NUMBER(CLASS) == 5
#include "npbparams-C.h"
#else
#error "npb-is: unknown CLASS; use -DCLASS=S, W, A, B or C (plain letter, no quotes)"
#endif

#endif
