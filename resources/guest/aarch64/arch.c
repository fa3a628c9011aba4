#include <hexo.h>
#include "../common/kernel.h"

_Static_assert(__builtin_offsetof(struct hexo_boot_info, doorbell) == 72, "entry.S reads boot_info.doorbell at 72");

/* On the process engine the loader's doorbell function carries the call (there is no MMIO). Elsewhere
 * a plain [reg] store: KVM needs the syndrome of the access to report it as MMIO (no writeback
 * addressing here), Unicorn sees it through an MMIO callback. */
void arch_doorbell(void) {
    void (*process_doorbell)(void) = (void (*)(void))(uintptr_t)BOOT_INFO->doorbell;
    if (process_doorbell) {
        process_doorbell();
        return;
    }
    __asm__ volatile("dmb sy\n\tstr %w0, [%1]" : : "r"((u32)HEXO_HYPERCALL_ADDR), "r"((u64)HEXO_ARM_DOORBELL) : "memory");
}

int arch_isa(void) { return HEXO_ISA_AARCH64; }

/* Called by the vectors with the exception stack. EC 0x20/0x21: instruction abort, 0x24/0x25: data
 * abort (the wasm guard regions and the stack guard end up here). */
_Noreturn void hexo_arm_exception(u64 vector, u64 esr, u64 far, u64 elr) {
    u64 ec = (esr >> 26) & 0x3f;
    int kind = (ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25) ? HEXO_TRAP_OUT_OF_BOUNDS : HEXO_TRAP_CPU_EXCEPTION;
    hexo_trap(kind, elr, far, (ec << 8) | vector);
}

void hexo_main(void) {
    if (BOOT_INFO->magic != HEXO_BOOT_MAGIC || BOOT_INFO->abi_version != HEXO_ABI_VERSION)
        hexo_trap(HEXO_TRAP_ABI_MISMATCH, 0, 0, BOOT_INFO->abi_version);
    hexo_run_program();
}
