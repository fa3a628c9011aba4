#include <hexo.h>
#include "../common/kernel.h"

/* On the process engine the loader's doorbell function carries the call (there is no port to write);
 * everywhere else `out` to the doorbell port exits to the VMM. */
void arch_doorbell(void) {
    void (*process_doorbell)(void) = (void (*)(void))(uintptr_t)BOOT_INFO->doorbell;
    if (process_doorbell) {
        process_doorbell();
        return;
    }
    __asm__ volatile("outl %0, %1" : : "a"((u32)HEXO_HYPERCALL_ADDR), "Nd"((uint16_t)HEXO_X86_PORT) : "memory");
}

int arch_isa(void) { return HEXO_ISA_X86_64; }

void hexo_main(void) {
    if (BOOT_INFO->magic != HEXO_BOOT_MAGIC || BOOT_INFO->abi_version != HEXO_ABI_VERSION)
        hexo_trap(HEXO_TRAP_ABI_MISMATCH, 0, 0, BOOT_INFO->abi_version);
    hexo_run_program();
}
