/* Internal interface of the hexo guest kernel (ISA-independent part). */
#ifndef HEXO_KERNEL_H
#define HEXO_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include "hexo_abi.h"

typedef uint32_t u32;
typedef uint64_t u64;

#define BOOT_INFO ((volatile struct hexo_boot_info *)HEXO_BOOT_INFO_ADDR)

/* arch/<isa>: ring the doorbell; the VMM has handled the call when this returns. */
void arch_doorbell(void);
int arch_isa(void); /* HEXO_ISA_X86_64 or HEXO_ISA_AARCH64 (hexo.h) */


/* hypercall.c */
int64_t hypercall(u64 nr, u64 a0, u64 a1, u64 a2, u64 a3);
_Noreturn void hexo_exit(int code);
_Noreturn void hexo_trap(int kind, u64 pc, u64 addr, u64 detail);
void klog(const char *fmt, ...);

/* linmem.c: the wasm module's one linear memory. */
extern uint8_t *linmem_data;   /* guest-physical == virtual (identity maps) */
extern u64 linmem_size;        /* bytes in use */
/* A host-side pointer for wasm address a if [a, a+len) is inside linear memory, else NULL. */
void *linmem_ptr(u32 a, u64 len);
void linmem_set_size(u64 bytes);

/* glue.c, generated per program by compiler-bridge from the wasm2c header. */
void hexo_app_instantiate(void);
void hexo_app_start(void);
u32 hexo_app_control(void);
u32 hexo_app_asyncify_buffer(void);
void hexo_app_start_unwind(u32 data);
void hexo_app_stop_unwind(void);
void hexo_app_start_rewind(u32 data);
void hexo_app_stop_rewind(void);
u32 hexo_app_asyncify_state(void);
extern const u32 hexo_app_nglobals;
extern u64 hexo_app_globals_buffer[]; /* hexo_app_nglobals values: the globals of a checkpoint */
void hexo_app_globals_save(u64 *out);
void hexo_app_globals_restore(const u64 *in);

/* migrate.c */
void hexo_run_program(void);

#define WASM_PAGE_SIZE 65536ull

#define ASYNCIFY_NORMAL 0
#define ASYNCIFY_UNWINDING 1
#define ASYNCIFY_REWINDING 2

#endif
