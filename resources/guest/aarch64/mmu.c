/*
 * The AArch64 identity map: 4 KiB granule, 48-bit addresses. RAM is normal write-back memory (needed
 * for unaligned accesses and atomics under KVM; caches on), except the null page and the stack guard,
 * which stay unmapped so that stray accesses fault. The doorbell's 1 GiB is device memory.
 * Compiled with -mstrict-align -mgeneral-regs-only: it runs before the MMU is on.
 */
#include "../common/kernel.h"

#define MAX_RAM_GIB 16
#define DESC_TABLE 0x3ull
#define DESC_BLOCK 0x1ull
#define DESC_PAGE 0x3ull
#define AF (1ull << 10)
#define SH_INNER (3ull << 8)
#define ATTR_NORMAL (0ull << 2)
#define ATTR_DEVICE (1ull << 2)
#define NORMAL (AF | SH_INNER | ATTR_NORMAL)
#define DEVICE (AF | ATTR_DEVICE | (1ull << 54) /* XN */)

static u64 l0[512] __attribute__((aligned(4096)));
static u64 l1_ram[512] __attribute__((aligned(4096)));
static u64 l1_doorbell[512] __attribute__((aligned(4096)));
static u64 l2[MAX_RAM_GIB][512] __attribute__((aligned(4096)));
static u64 l3_first[512] __attribute__((aligned(4096)));
/* The program's view of linear memory (HEXO_LINMEM_VIEW, hexo_abi.h): up to 4 GiB, 2 MiB blocks. */
static u64 l1_view[512] __attribute__((aligned(4096)));
static u64 l2_view[HEXO_LINMEM_VIEW_SIZE >> 30][512] __attribute__((aligned(4096)));

extern char __hexo_stack_guard[];

void hexo_arm_mmu_on(void) {
    u64 mem = BOOT_INFO->mem_size;
    u64 guard = (u64)(uintptr_t)__hexo_stack_guard;
    if (mem > (u64)MAX_RAM_GIB << 30) mem = (u64)MAX_RAM_GIB << 30;

    l0[0] = (u64)(uintptr_t)l1_ram | DESC_TABLE;
    l0[HEXO_ARM_DOORBELL >> 39] = (u64)(uintptr_t)l1_doorbell | DESC_TABLE;
    l1_doorbell[(HEXO_ARM_DOORBELL >> 30) & 511] = (HEXO_ARM_DOORBELL & ~((1ull << 30) - 1)) | DEVICE | DESC_BLOCK;
    for (u64 g = 0; g < MAX_RAM_GIB && (g << 30) < mem; g++) {
        l1_ram[g] = (u64)(uintptr_t)l2[g] | DESC_TABLE;
        for (u64 i = 0; i < 512; i++) {
            u64 pa = (g << 30) | (i << 21);
            if (pa + (1ull << 21) > mem || pa == guard) continue;
            l2[g][i] = pa | NORMAL | DESC_BLOCK;
        }
    }
    for (u64 i = 1; i < 512; i++) l3_first[i] = (i << 12) | NORMAL | DESC_PAGE; /* page 0 unmapped */
    l2[0][0] = (u64)(uintptr_t)l3_first | DESC_TABLE;
    /* Linear memory again where the program's code addresses it, with nothing mapped around it. */
    l0[HEXO_LINMEM_VIEW >> 39] = (u64)(uintptr_t)l1_view | DESC_TABLE;
    for (u64 off = 0; off + (1ull << 21) <= BOOT_INFO->linmem_limit && off < HEXO_LINMEM_VIEW_SIZE; off += 1ull << 21) {
        u64 g = off >> 30;
        l1_view[((HEXO_LINMEM_VIEW >> 30) & 511) + g] = (u64)(uintptr_t)l2_view[g] | DESC_TABLE;
        l2_view[g][(off >> 21) & 511] = (BOOT_INFO->linmem_base + off) | NORMAL | DESC_BLOCK;
    }

    u64 mair = 0xffull | (0x04ull << 8);                 /* attr0 normal WB, attr1 device nGnRE */
    u64 tcr = 16ull | (1ull << 8) | (1ull << 10) | (3ull << 12) | (2ull << 32); /* T0SZ 16, WBWA, inner, 4K, 40-bit PA */
    __asm__ volatile(
        "msr mair_el1, %0\n\t"
        "msr tcr_el1, %1\n\t"
        "msr ttbr0_el1, %2\n\t"
        "dsb sy\n\t"
        "tlbi vmalle1\n\t"
        "dsb sy\n\t"
        "isb\n\t"
        "mrs x9, sctlr_el1\n\t"
        "orr x9, x9, #(1 << 0)\n\t"    /* M */
        "orr x9, x9, #(1 << 2)\n\t"    /* C */
        "orr x9, x9, #(1 << 12)\n\t"   /* I */
        "bic x9, x9, #(1 << 1)\n\t"    /* A: no alignment faults */
        "msr sctlr_el1, x9\n\t"
        "isb"
        : : "r"(mair), "r"(tcr), "r"((u64)(uintptr_t)l0) : "x9", "memory");
}
