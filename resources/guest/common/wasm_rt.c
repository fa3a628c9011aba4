/*
 * The wasm2c runtime (the functions wasm-rt.h declares), for a guest with one module and one memory.
 *
 * Linear memory is not allocated: it is the guest RAM after the kernel image, identity-mapped, and the
 * VMM leaves everything past the end of RAM unmapped. That is why the generated code can run without
 * bounds checks (WASM_RT_MEMCHECK_SIGNAL_HANDLER): an access past the end faults in hardware and the
 * fault is reported as a trap.
 */
#include <stdarg.h>
#include <string.h>
#include <stdlib.h>
#include "wasm-rt.h"
#include "kernel.h"

uint8_t *linmem_data;
u64 linmem_size;
static wasm_rt_memory_t *the_memory;
uint32_t wasm_rt_call_stack_depth;

void *linmem_ptr(u32 a, u64 len) {
    if ((u64)a + len > linmem_size) return 0;
    return linmem_data + a;
}

void linmem_set_size(u64 bytes) {
    linmem_size = bytes;
    the_memory->size = bytes;
    the_memory->pages = (uint32_t)(bytes / WASM_PAGE_SIZE);
}

/*
 * Tells the VMM that [from, from+len) of linear memory is now in use, so that it can back those pages
 * with host memory in one go. Without it each page is backed when first touched, and on KVM without
 * nested paging (kvm_pvm) that first touch of a 4 KiB page cost ~28 us against ~3 us for a native
 * process (bench/README.md, "First touch of guest memory"): a program that fills a fresh 128 MiB array
 * spent a second in it. One hypercall per growth; the answer does not matter (an older VMM: -ENOSYS).
 */
static void memory_grown(u64 from, u64 len) {
    if (len) hypercall(HEXO_HC_MEMORY_GROWN, BOOT_INFO->linmem_base + from, len, 0, 0);
}

void wasm_rt_init(void) {}
bool wasm_rt_is_initialized(void) { return true; }
void wasm_rt_free(void) {}

static int trap_kind(wasm_rt_trap_t t) {
    switch (t) {
    case WASM_RT_TRAP_OOB: return HEXO_TRAP_OUT_OF_BOUNDS;
    case WASM_RT_TRAP_INT_OVERFLOW: return HEXO_TRAP_INT_OVERFLOW;
    case WASM_RT_TRAP_DIV_BY_ZERO: return HEXO_TRAP_DIV_BY_ZERO;
    case WASM_RT_TRAP_INVALID_CONVERSION: return HEXO_TRAP_INVALID_CONVERSION;
    case WASM_RT_TRAP_UNREACHABLE: return HEXO_TRAP_UNREACHABLE;
    case WASM_RT_TRAP_CALL_INDIRECT: return HEXO_TRAP_CALL_INDIRECT;
    case WASM_RT_TRAP_EXHAUSTION: return HEXO_TRAP_STACK_EXHAUSTED;
    default: return HEXO_TRAP_CPU_EXCEPTION;
    }
}

void wasm_rt_trap(wasm_rt_trap_t t) {
    /* The call to us is the last instruction of the generated function that trapped (we never return),
     * so its return address may already be the next function's first: one byte back is inside. */
    hexo_trap(trap_kind(t), (u64)(uintptr_t)__builtin_return_address(0) - 1, 0, (u64)t);
}

const char *wasm_rt_strerror(wasm_rt_trap_t t) { (void)t; return "trap"; }

/* Function types: call_indirect compares the indices this returns, so equal signatures must get
 * equal indices. The types are registered once at instantiation. */
#define MAX_TYPES 512
#define MAX_TYPE_ARITY 32
static struct { uint32_t params, results; wasm_rt_type_t types[MAX_TYPE_ARITY]; } func_types[MAX_TYPES];
static uint32_t nfunc_types;

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
    wasm_rt_type_t types[MAX_TYPE_ARITY];
    uint32_t n = params + results;
    if (n > MAX_TYPE_ARITY) hexo_trap(HEXO_TRAP_CPU_EXCEPTION, 0, 0, n);
    va_list ap;
    va_start(ap, results);
    for (uint32_t i = 0; i < n; i++) types[i] = (wasm_rt_type_t)va_arg(ap, int);
    va_end(ap);
    for (uint32_t i = 0; i < nfunc_types; i++)
        if (func_types[i].params == params && func_types[i].results == results &&
            memcmp(func_types[i].types, types, n * sizeof types[0]) == 0)
            return i;
    if (nfunc_types == MAX_TYPES) hexo_trap(HEXO_TRAP_CPU_EXCEPTION, 0, 0, nfunc_types);
    func_types[nfunc_types].params = params;
    func_types[nfunc_types].results = results;
    memcpy(func_types[nfunc_types].types, types, n * sizeof types[0]);
    return nfunc_types++;
}

void wasm_rt_allocate_memory(wasm_rt_memory_t *mem, uint32_t initial_pages, uint32_t max_pages) {
    u64 limit = BOOT_INFO->linmem_limit;
    if ((u64)initial_pages * WASM_PAGE_SIZE > limit) {
        klog("hexo: the program needs %u bytes of memory at start; MEM leaves %u", (u64)initial_pages * WASM_PAGE_SIZE, limit);
        hexo_trap(HEXO_TRAP_OUT_OF_BOUNDS, 0, (u64)initial_pages * WASM_PAGE_SIZE, limit);
    }
    the_memory = mem;
    linmem_data = (uint8_t *)(uintptr_t)BOOT_INFO->linmem_base;
    mem->data = linmem_data;
    mem->max_pages = max_pages;
    linmem_set_size((u64)initial_pages * WASM_PAGE_SIZE);
    /*
     * Initial memory is not reported: it holds the 8 MiB stack (DualIsaBuild.WASM_STACK_SIZE), of which
     * a program uses a few pages, and backing it all would cost every boot ~6 ms (2048 pages at ~3 us).
     * Static arrays in it are backed when touched, as before.
     */
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *mem, uint32_t delta) {
    uint32_t old = mem->pages;
    u64 pages = (u64)old + delta;
    if (pages > mem->max_pages || pages * WASM_PAGE_SIZE > BOOT_INFO->linmem_limit) return (uint32_t)-1;
    /* RAM past the used size has never been written (or was zeroed by restore), as wasm requires. */
    linmem_set_size(pages * WASM_PAGE_SIZE);
    memory_grown((u64)old * WASM_PAGE_SIZE, (u64)delta * WASM_PAGE_SIZE);
    return old;
}

void wasm_rt_free_memory(wasm_rt_memory_t *mem) { (void)mem; }

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t *t, uint32_t elements, uint32_t max) {
    t->data = calloc(elements ? elements : 1, sizeof(wasm_rt_funcref_t));
    t->size = elements;
    t->max_size = max;
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t *t) { (void)t; }

void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t *t, uint32_t elements, uint32_t max) {
    t->data = calloc(elements ? elements : 1, sizeof(wasm_rt_externref_t));
    t->size = elements;
    t->max_size = max;
}

void wasm_rt_free_externref_table(wasm_rt_externref_table_t *t) { (void)t; }
