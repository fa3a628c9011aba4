/*
 * Strings shown in the "IS Benchmark Completed" block; shared by every class.
 * Override any of them on the command line, e.g. -DNPB_CFLAGS='"-O3"'.
 */
#ifndef NPB_IS_INFO_H
#define NPB_IS_INFO_H

#define NPBVERSION "3.3.1"

#ifndef COMPILETIME
#define COMPILETIME __DATE__
#endif

#ifndef NPB_CC
#if defined(__wasm__)
#define NPB_CC "clang (wasm32-wasi, hexo)"
#elif defined(__clang__)
#define NPB_CC "clang"
#elif defined(__GNUC__)
#define NPB_CC "gcc"
#else
#define NPB_CC "cc"
#endif
#endif
#ifndef NPB_CLINK
#define NPB_CLINK "$(CC)"
#endif
#ifndef NPB_C_LIB
#define NPB_C_LIB "-lm"
#endif
#ifndef NPB_C_INC
#define NPB_C_INC "(none)"
#endif
#ifndef NPB_CFLAGS
#define NPB_CFLAGS "-O2"
#endif
#ifndef NPB_CLINKFLAGS
#define NPB_CLINKFLAGS "-O2"
#endif

#endif
