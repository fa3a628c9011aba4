/*
 * Sizing the emulator's software TLB (emulated engines only; BOOT_INFO->soft_tlb_page is 0 on KVM).
 *
 * Unicorn is QEMU: every guest access goes through a direct-mapped software TLB that starts with 256
 * entries and only changes size when the guest flushes it — doubling if more than 70 % of the entries
 * were used since the previous flush. Our guests never flush on their own, so the table would stay at
 * 256 entries: 256 KiB of AArch64 memory (Unicorn's AArch64 target page is 1 KiB) or 1 MiB of x86-64
 * memory. A program working over more than that, like NPB IS over its key arrays, then refills
 * (page-table walk included) on nearly every access, and that refill was most of the emulated board's
 * time. So whenever the wasm linear memory reaches a new size, we touch 75 % of the entries the table
 * has and flush, until the table maps at least half of the linear memory in use (QEMU caps it at 2^22
 * entries). Each touch is one refill (~1 us), so this costs about one refill per KiB the program
 * declares (~6 ms at boot for a small program on the AArch64 board, whose wasm stack alone is 8 MiB);
 * reading writes nothing, so checkpoints are unchanged.
 */
#include "kernel.h"

#define QEMU_TLB_INITIAL_ENTRIES 256ull
#define QEMU_TLB_MAX_ENTRIES (1ull << 22)

static u64 tlb_entries = QEMU_TLB_INITIAL_ENTRIES;

void soft_tlb_cover(u64 bytes) {
    u64 page = BOOT_INFO->soft_tlb_page;
    if (page == 0) return;
    /* n < tlb_entries < bytes / (2 * page): the touched pages are inside the linear memory in use. */
    while (tlb_entries * 2 < bytes / page && tlb_entries < QEMU_TLB_MAX_ENTRIES) {
        u64 n = tlb_entries - tlb_entries / 4;
        for (u64 i = 0; i < n; i++) (void)*(volatile uint8_t *)(linmem_data + i * page);
        arch_soft_tlb_flush();
        tlb_entries *= 2;
    }
}
