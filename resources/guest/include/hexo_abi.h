/*
 * The hexo guest/VMM interface: the one place where it is defined.
 *
 * vmm-runtime mirrors these numbers in io.hexo.vmm.abi.Abi; AbiHeaderTest parses this file and fails
 * when the two drift. Change both together and bump HEXO_ABI_VERSION when a layout or meaning changes.
 *
 * Everything here is identical on x86-64 and AArch64: little-endian, fixed-width fields, no pointers
 * (guest-physical addresses are u64), so a checkpoint taken on one ISA is read on the other.
 */
#ifndef HEXO_ABI_H
#define HEXO_ABI_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define HEXO_ABI_VERSION 2
#define HEXO_BOOT_MAGIC 0x4f584548 /* "HEXO" */

/* ---- Guest-physical memory layout (both ISAs; RAM starts at 0) ----------------------------------
 * Everything a guest kernel reads or writes lies at or above HEXO_PROCESS_MAP_START: the process engine
 * maps guest memory into a Linux process at these addresses, and Linux refuses mappings below
 * vm.mmap_min_addr (64 KiB by default) to unprivileged processes. Below it only the VMM's own x86 KVM
 * tables live (ABI 1 had the boot info at 0x1000 and the hypercall block at 0x2000). The block's address
 * is one movz on AArch64, as assembled test guests load it. */
#define HEXO_SYSTEM_TABLES_ADDR  0x8000   /* VMM-owned: x86 GDT/TSS/IDT/page tables, up to 1 MiB  */
#define HEXO_PROCESS_MAP_START   0x100000 /* the process engine maps guest memory from here up     */
#define HEXO_BOOT_INFO_ADDR      0x100000 /* struct hexo_boot_info, written by the VMM             */
#define HEXO_HYPERCALL_ADDR      0x110000 /* struct hexo_hypercall, the one hypercall block       */
#define HEXO_STRINGS_ADDR        0x120000 /* argv then environ strings, NUL-separated             */
#define HEXO_STRINGS_SIZE        0xE0000
#define HEXO_IMAGE_BASE          0x200000 /* the guest kernel ELF is linked here                  */
#define HEXO_LINMEM_ALIGN        0x200000 /* wasm linear memory starts at the next 2 MiB boundary */
                                             /* after the image, and ends at the end of RAM          */
/* The program's view of linear memory (compiler-bridge AddressArithmetic, FixedLinearMemory): the
 * translated program reaches linear memory at this virtual address, a second mapping of the same
 * guest-physical pages (the kernel, the VMM and checkpoints keep using guest-physical addresses), with
 * HEXO_LINMEM_GUARD bytes of unmapped address space below it and above its 4 GiB, so that an access
 * whose address the native compiler computed in 64 bits still faults when wasm's would have. Images
 * that link __hexo_linmem here get the view; older ones (__hexo_linmem at the guest-physical base) not. */
#define HEXO_LINMEM_VIEW         0x40000000000ull /* 4 TiB                                         */
#define HEXO_LINMEM_VIEW_SIZE    0x100000000ull   /* 4 GiB, wasm32's whole address space            */
#define HEXO_LINMEM_GUARD        0x10000000000ull /* 1 TiB on each side                             */

/* ---- Doorbells: how a guest enters the VMM -----------------------------------------------------
 * The guest fills struct hexo_hypercall at HEXO_HYPERCALL_ADDR, then
 *   process engine (boot_info.doorbell != 0): calls that function, the loader's, which carries the
 *            block address over a pipe to the VMM and waits for the answer (resources/loader/)
 *   x86-64:  outl %eax, %dx   with dx = HEXO_X86_PORT, eax = HEXO_HYPERCALL_ADDR  (ring 3; TSS I/O bitmap)
 *   AArch64: str  w1, [x0]                    with x0 = HEXO_ARM_DOORBELL, w1 = HEXO_HYPERCALL_ADDR
 * (a store to an unbacked page: an MMIO exit on KVM, an MMIO callback under Unicorn; plain [reg]
 * addressing so that KVM gets a valid syndrome). The VMM writes `ret` before the guest continues. */
#define HEXO_X86_PORT      0x0510
#define HEXO_ARM_DOORBELL  0x8000000000

#ifndef __ASSEMBLER__
struct hexo_hypercall {
    uint64_t nr;        /* HEXO_HC_* */
    uint64_t arg[6];    /* guest-physical addresses for buffers */
    int64_t  ret;       /* >= 0 success; < 0: minus a WASI errno (HEXO_E*) */
};
#endif

/* ---- Hypercall numbers, by family ---------------------------------------------------------------- */
/* lifecycle */
#define HEXO_HC_EXIT         0x01 /* (code)                                   never returns          */
#define HEXO_HC_TRAP         0x02 /* (kind, pc, fault_addr, detail)           never returns          */
#define HEXO_HC_LOG          0x03 /* (buf, len) kernel log line, shown with --verbose                */
#define HEXO_HC_SET_CONTROL  0x04 /* (addr) guest-physical address of struct hexo_control          */
#define HEXO_HC_MEMORY_GROWN 0x05 /* (addr, len) linear memory now spans [addr, addr+len) too: the  */
                                  /*  VMM may back it at once (advice; the guest ignores ret)       */
/* files and console: fds are the VMM's; 0/1/2 are the guest's stdin/stdout/stderr */
#define HEXO_HC_WRITE        0x10 /* (fd, buf, len)                 -> bytes written                 */
#define HEXO_HC_READ         0x11 /* (fd, buf, len)                 -> bytes read, 0 at end          */
#define HEXO_HC_OPEN         0x12 /* (path, path_len, oflags, fdflags) -> fd; path relative to the  */
                                  /*  working directory, WASI oflags/fdflags (HEXO_O_*, HEXO_FD_*)   */
#define HEXO_HC_CLOSE        0x13 /* (fd)                                                            */
#define HEXO_HC_LSEEK        0x14 /* (fd, offset, whence)           -> new offset (WASI whence)      */
#define HEXO_HC_UNLINK       0x15 /* (path, path_len)                                                */
#define HEXO_HC_FSTAT        0x16 /* (fd, struct hexo_stat*)                                         */
#define HEXO_HC_STAT         0x17 /* (path, path_len, struct hexo_stat*)                             */
/* time and randomness */
#define HEXO_HC_CLOCK        0x20 /* (clock_id)                     -> nanoseconds (WASI clock ids)  */
#define HEXO_HC_SLEEP        0x21 /* (nanoseconds)   returns early when a migration is requested     */
#define HEXO_HC_RANDOM       0x22 /* (buf, len)                                                      */
/* migration */
#define HEXO_HC_CHECKPOINT   0x30 /* (struct hexo_snapshot*) save state; ret 0 = go on, 1 = stop     */
#define HEXO_HC_RESTORE      0x31 /* (struct hexo_snapshot*) fill linear memory and globals          */

/* ---- Boot information, at HEXO_BOOT_INFO_ADDR ---------------------------------------------------- */
#ifndef __ASSEMBLER__
struct hexo_boot_info {
    uint32_t magic;          /* HEXO_BOOT_MAGIC */
    uint32_t abi_version;    /* HEXO_ABI_VERSION */
    uint64_t mem_size;       /* bytes of guest RAM */
    uint64_t linmem_base;    /* guest-physical base of wasm linear memory */
    uint64_t linmem_limit;   /* bytes linear memory may grow to */
    uint64_t argc;           /* argv strings come first at HEXO_STRINGS_ADDR ... */
    uint64_t envc;           /* ... then the environment strings, "K=V" */
    uint64_t strings_size;   /* total bytes of those strings, NULs included */
    uint32_t resume;         /* 1: restore the checkpoint (HEXO_HC_RESTORE) instead of a fresh start */
    uint32_t verbose;        /* 1: the kernel logs through HEXO_HC_LOG */
    uint32_t reserved32[2];  /* 0 (was the retired Unicorn engines' software-TLB size) */
    uint64_t doorbell;       /* process engine: address of the loader's doorbell function (written by */
                             /* the loader before the entry); 0 on KVM: out / MMIO store             */
    uint64_t reserved[6];
};
#endif

/* ---- Migration control block: lives in wasm linear memory (the wasm-side runtime owns it) --------
 * popcorn_check_migrate() increments points_reached and migrates when migrate_requested is non-zero or
 * points_reached == migrate_at_point. The VMM writes migrate_requested (SIGUSR1, timer, IDE) and
 * migrate_at_point (--migrate-at-point) at any time; points_reached counts from the program's start
 * and survives migration. */
#ifndef __ASSEMBLER__
struct hexo_control {
    volatile uint32_t migrate_requested;
    uint32_t abi_version;
    uint64_t points_reached;
    uint64_t migrate_at_point; /* 0: none */
};
#endif

/* ---- Asyncify's unwind buffer: also in linear memory, exported as __hexo_asyncify ---------------
 * While unwinding, Asyncify appends the live locals of every frame at current (< end); rewinding
 * reads them back. The kernel sets current/end (wasm addresses) before each unwind. */
#define HEXO_ASYNCIFY_BUFFER_SIZE (4 << 20)
#ifndef __ASSEMBLER__
struct hexo_asyncify_buffer {
    uint32_t current, end;
    uint8_t data[HEXO_ASYNCIFY_BUFFER_SIZE];
};
#endif

/* ---- Snapshot descriptor for HEXO_HC_CHECKPOINT / HEXO_HC_RESTORE -------------------------------- */
#ifndef __ASSEMBLER__
struct hexo_snapshot {
    uint64_t linmem_base;     /* guest-physical */
    uint64_t linmem_size;     /* bytes currently in use by the wasm module (pages * 64 KiB) */
    uint64_t globals;         /* guest-physical address of nglobals u64 values (wasm globals, in order) */
    uint64_t nglobals;
    uint64_t asyncify_data;   /* wasm address of the Asyncify unwind buffer descriptor */
    uint64_t control;         /* wasm address of struct hexo_control */
    uint64_t reserved[4];
};
#endif

/* ---- Image information: section .hexo_info of every image ----------------------------------------
 * Written by the build (compiler-bridge's glue.c), read by the VMM and `hexo check` before anything
 * runs: which wasm module the image was translated from (the module id a checkpoint must carry), for
 * which ABI and ISA, and the program's linear-memory regions (wasm addresses), which name the
 * checkpoint files: data [data_start, bss_start), bss [bss_start, stack_low), stack [stack_low,
 * stack_high), heap [stack_high, end of linear memory). */
#define HEXO_IMAGE_INFO_MAGIC 0x4e495848 /* "HXIN" */
#ifndef __ASSEMBLER__
struct hexo_image_info {
    uint32_t magic;           /* HEXO_IMAGE_INFO_MAGIC */
    uint32_t abi_version;     /* HEXO_ABI_VERSION */
    uint32_t isa;             /* 1 x86-64, 2 AArch64 (hexo.h's enum hexo_isa) */
    uint32_t nglobals;        /* wasm globals, in checkpoint order */
    char     module_id[64];   /* hex SHA-256 of the instrumented wasm */
    uint64_t image_base;      /* HEXO_IMAGE_BASE */
    uint64_t linmem_align;    /* HEXO_LINMEM_ALIGN */
    uint64_t initial_linmem;  /* bytes of linear memory at start */
    uint64_t data_start, bss_start, stack_low, stack_high;
};
#endif

/* ---- Traps: what the VMM reports when a guest stops abnormally ----------------------------------- */
#define HEXO_TRAP_UNREACHABLE     1  /* wasm `unreachable` (abort(), __builtin_trap) */
#define HEXO_TRAP_OUT_OF_BOUNDS   2  /* memory access outside guest memory (page fault, data abort) */
#define HEXO_TRAP_DIV_BY_ZERO     3
#define HEXO_TRAP_INT_OVERFLOW    4
#define HEXO_TRAP_INVALID_CONVERSION 5
#define HEXO_TRAP_CALL_INDIRECT   6  /* bad function pointer */
#define HEXO_TRAP_STACK_EXHAUSTED 7
#define HEXO_TRAP_CPU_EXCEPTION   8  /* any other CPU exception; detail = vector / exception class */
#define HEXO_TRAP_ABI_MISMATCH    9  /* boot info or snapshot from another ABI version */

/* ---- WASI numbers the hypercalls use directly (errno values, open flags, clocks) ---------------- */
#define HEXO_ESUCCESS    0
#define HEXO_EACCES      2
#define HEXO_EBADF       8
#define HEXO_EEXIST      20
#define HEXO_EFAULT      21
#define HEXO_EINVAL      28
#define HEXO_EIO         29
#define HEXO_EISDIR      31
#define HEXO_EMFILE      33
#define HEXO_ENAMETOOLONG 37
#define HEXO_ENOENT      44
#define HEXO_ENOSYS      52
#define HEXO_ENOTDIR     54
#define HEXO_EPERM       63
#define HEXO_ESPIPE      70
#define HEXO_ENOTCAPABLE 76

#define HEXO_O_CREAT     1  /* WASI oflags */
#define HEXO_O_DIRECTORY 2
#define HEXO_O_EXCL      4
#define HEXO_O_TRUNC     8
#define HEXO_FD_APPEND   1  /* WASI fdflags */
#define HEXO_OPEN_READ   0x100  /* hexo extension in oflags: the rights the guest asked for */
#define HEXO_OPEN_WRITE  0x200

#define HEXO_STAT_SIZE 64
#ifndef __ASSEMBLER__
struct hexo_stat {          /* the WASI filestat layout, HEXO_STAT_SIZE bytes */
    uint64_t dev, ino;
    uint8_t  filetype; uint8_t pad[7];
    uint64_t nlink, size, atim, mtim, ctim;
};
#endif

#endif
