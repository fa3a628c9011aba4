#include <stdarg.h>
#include "kernel.h"

#define BLOCK ((volatile struct hexo_hypercall *)HEXO_HYPERCALL_ADDR)

int64_t hypercall(u64 nr, u64 a0, u64 a1, u64 a2, u64 a3) {
    BLOCK->nr = nr;
    BLOCK->arg[0] = a0;
    BLOCK->arg[1] = a1;
    BLOCK->arg[2] = a2;
    BLOCK->arg[3] = a3;
    arch_doorbell();
    return BLOCK->ret;
}

_Noreturn void hexo_exit(int code) {
    for (;;) hypercall(HEXO_HC_EXIT, (u64)(uint32_t)code, 0, 0, 0);
}

_Noreturn void hexo_trap(int kind, u64 pc, u64 addr, u64 detail) {
    for (;;) hypercall(HEXO_HC_TRAP, (u64)kind, pc, addr, detail);
}

/* A tiny formatter for --verbose: %s %d %u %x %p, enough for boot and migration logs. */
static char *put_num(char *p, char *end, u64 v, unsigned base) {
    char tmp[24];
    int n = 0;
    do { tmp[n++] = "0123456789abcdef"[v % base]; v /= base; } while (v && n < 24);
    while (n && p < end) *p++ = tmp[--n];
    return p;
}

void klog(const char *fmt, ...) {
    if (!BOOT_INFO->verbose) return;
    char buf[256];
    char *p = buf, *end = buf + sizeof buf - 1;
    va_list ap;
    va_start(ap, fmt);
    for (const char *f = fmt; *f && p < end; f++) {
        if (*f != '%') { *p++ = *f; continue; }
        switch (*++f) {
        case 's': for (const char *s = va_arg(ap, const char *); *s && p < end; s++) *p++ = *s; break;
        case 'd': { long long v = va_arg(ap, long long); if (v < 0) { *p++ = '-'; v = -v; } p = put_num(p, end, (u64)v, 10); break; }
        case 'u': p = put_num(p, end, va_arg(ap, u64), 10); break;
        case 'x': case 'p': p = put_num(p, end, va_arg(ap, u64), 16); break;
        default: *p++ = *f;
        }
    }
    va_end(ap);
    hypercall(HEXO_HC_LOG, (u64)(uintptr_t)buf, (u64)(p - buf), 0, 0);
}
