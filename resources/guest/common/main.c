/*
 * Boot and migration, ISA-independent: start the wasm program fresh or from a checkpoint, and turn
 * an Asyncify unwind at a migration point into a checkpoint.
 *
 * The program's whole state is its linear memory, its wasm globals and the Asyncify stack (inside
 * linear memory); the VMM adds the open files. None of it depends on the ISA running it.
 */
#include "kernel.h"
#include "imports.h"

static struct hexo_snapshot snapshot;
static u32 asyncify_data; /* wasm address of the unwind buffer of the migration in progress */

static void describe_snapshot(void) {
    snapshot.linmem_base = (u64)(uintptr_t)linmem_data;
    snapshot.linmem_size = linmem_size;
    snapshot.globals = (u64)(uintptr_t)hexo_app_globals_buffer;
    snapshot.nglobals = hexo_app_nglobals;
    snapshot.control = hexo_app_control();
}

/* hexo.migrate(), imported by the wasm runtime's popcorn_check_migrate(). */
void Z_hexoZ_migrate(struct Z_hexo_instance_t *unused) {
    (void)unused;
    if (hexo_app_asyncify_state() == ASYNCIFY_REWINDING) {
        hexo_app_stop_rewind(); /* resumed: the program continues after its migration point */
        klog("hexo: resumed at migration point");
        return;
    }
    asyncify_data = hexo_app_asyncify_buffer();
    struct hexo_asyncify_buffer *b = linmem_ptr(asyncify_data, sizeof *b);
    b->current = asyncify_data + (u32)__builtin_offsetof(struct hexo_asyncify_buffer, data);
    b->end = asyncify_data + (u32)sizeof *b;
    hexo_app_start_unwind(asyncify_data);
}

u32 Z_hexoZ_current_isa(struct Z_hexo_instance_t *unused) {
    (void)unused;
    return (u32)arch_isa();
}

static void register_control(void) {
    hypercall(HEXO_HC_SET_CONTROL, (u64)(uintptr_t)linmem_data + hexo_app_control(), 0, 0, 0);
}

static void rewind_from(u32 data) {
    hexo_app_start_rewind(data);
    hexo_app_start();
}

void hexo_run_program(void) {
    klog("hexo kernel: ABI %u, %u MiB of RAM, linear memory at 0x%x (up to %u MiB)", (u64)HEXO_ABI_VERSION,
         BOOT_INFO->mem_size >> 20, BOOT_INFO->linmem_base, BOOT_INFO->linmem_limit >> 20);
    hexo_app_instantiate();
    if (BOOT_INFO->resume) {
        describe_snapshot();
        int64_t r = hypercall(HEXO_HC_RESTORE, (u64)(uintptr_t)&snapshot, 0, 0, 0);
        if (r < 0) hexo_exit(1); /* the VMM has said why */
        linmem_set_size(snapshot.linmem_size);
        hexo_app_globals_restore(hexo_app_globals_buffer);
        register_control();
        klog("hexo: restored %u bytes of linear memory, %u globals", snapshot.linmem_size, snapshot.nglobals);
        rewind_from((u32)snapshot.asyncify_data);
    } else {
        register_control();
        klog("hexo kernel: starting the program, %u wasm globals", (u64)hexo_app_nglobals);
        hexo_app_start();
    }
    /* _start returned: either the program ended (main returned 0) or it unwound to migrate. */
    while (hexo_app_asyncify_state() == ASYNCIFY_UNWINDING) {
        hexo_app_stop_unwind();
        describe_snapshot();
        snapshot.asyncify_data = asyncify_data;
        hexo_app_globals_save(hexo_app_globals_buffer);
        klog("hexo: checkpoint, %u bytes of linear memory", linmem_size);
        int64_t r = hypercall(HEXO_HC_CHECKPOINT, (u64)(uintptr_t)&snapshot, 0, 0, 0);
        if (r != 0) hexo_exit(r < 0 ? 1 : 0); /* the VMM stops the guest itself after a checkpoint */
        rewind_from((u32)snapshot.asyncify_data); /* checkpoint taken, go on here */
    }
    hexo_exit(0);
}
