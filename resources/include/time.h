/*
 * <time.h> with CLOCKS_PER_SEC as on Linux (XSI): 1000000, not wasi-libc's 10^9. clock() counts in these
 * units (hexo_runtime.c), so a program that keeps clock() in a `long` — 32 bits in wasm32 — wraps after
 * 35 minutes, as on 32-bit Linux, instead of after 2 seconds.
 */
#include_next <time.h>

#ifndef HEXO_TIME_H
#define HEXO_TIME_H
#undef CLOCKS_PER_SEC
#define CLOCKS_PER_SEC ((clock_t)1000000)
#endif
