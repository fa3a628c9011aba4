/* Declared for wasm-rt.h only: hexo guests never unwind with longjmp (a trap ends the guest). */
#ifndef HEXO_SETJMP_H
#define HEXO_SETJMP_H
typedef long jmp_buf[32];
int setjmp(jmp_buf env);
_Noreturn void longjmp(jmp_buf env, int val);
#endif
