/*
 * hexo-loader: runs an unmodified hexo guest image as a Linux process (the process engine,
 * vmm-runtime's io.hexo.vmm.process). One static, freestanding executable per ISA; on a host of the
 * other ISA it runs under qemu-user, which is why it uses nothing but system calls.
 *
 * The VMM has already loaded the image and written the boot info into guest memory, a memfd. The
 * loader inherits three descriptors and its orders on the command line:
 *
 *   fd 3  guest memory (memfd); guest-physical address == file offset == our virtual address
 *   fd 4  doorbell, guest -> VMM (pipe): the 32-bit hypercall block address, as `out`/MMIO would carry
 *   fd 5  doorbell, VMM -> guest (pipe): 4 bytes once the VMM has written the block's `ret`
 *   argv  PARENT_PID ENTRY STACK_TOP [LBASE] [VVIEW-START-END] START-END... (hexadecimal; the ranges to
 *         map; PARENT_PID 0: do not check that the VMM is our parent (a profiler's wrapper); a G before
 *         it: wait for gdbserver to attach once everything is mapped (see wait_for_debugger); LBASE: where
 *         linear memory starts, should the VMM make it fill itself lazily; VIEW: where the program sees
 *         linear memory [START, END) a second time, hexo_abi.h HEXO_LINMEM_VIEW)
 *
 * Lazily filled memory (a resume, a post-copy migration; vmm-runtime LazyMemory): qemu-user has no
 * userfaultfd, so the VMM answers the restore hypercall with PROTECT | n, we map n blocks of linear
 * memory PROT_NONE, and each first touch of a block lands in on_fault, which rings the doorbell with
 * FAULT | block and, once the VMM has written the block into the memfd, makes it accessible and returns
 * to the faulting instruction.
 *
 * It maps the ranges at their guest-physical addresses (so the image, which is linked at absolute
 * addresses, and wasm2c's loads and stores at __hexo_linmem work unchanged; the holes stay holes, so
 * null pointers, the stack guard and everything past the end of memory fault as under KVM), reports
 * faults through HEXO_HC_TRAP from signal handlers on an alternate stack (a runaway recursion has no
 * stack left of its own), publishes its doorbell function in the boot info and jumps to the entry.
 *
 * It is linked far above any guest memory (LOADER_BASE in the VMM's LoaderBuild) so that its own
 * pages never collide with the guest's. A failure before the guest runs is one line on stderr and
 * exit status 127, which the VMM turns into its sentence.
 */
#include <stddef.h>
#include <stdint.h>
#include "hexo_abi.h"

#define FD_MEMORY 3
#define FD_TO_VMM 4
#define FD_FROM_VMM 5

#define PROT_RWX 7
#define MAP_SHARED 0x01
#define MAP_FIXED_NOREPLACE 0x100000
#define PR_SET_PDEATHSIG 1
#define PR_SET_PTRACER 0x59616d61
#define PR_SET_PTRACER_ANY (-1UL)
#define PR_SET_SECCOMP 22
#define PR_SET_NO_NEW_PRIVS 38
#define SECCOMP_MODE_FILTER 2
#define SECCOMP_RET_KILL_PROCESS 0x80000000u
#define SECCOMP_RET_TRAP 0x00030000u
#define SECCOMP_RET_ALLOW 0x7fff0000u
#define SECCOMP_RET_ERRNO_EPERM 0x00050001u
#define SIGUSR1 10
#define SIGPIPE 13
#define SIG_IGN ((void (*)(int, void *, void *))1)
#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGSEGV 11
#define SIGSYS 31
#define SA_SIGINFO 0x4
#define SA_ONSTACK 0x08000000
#define SA_RESTORER 0x04000000
#define FPE_INTDIV 1
#define FPE_INTOVF 2
#define EINTR 4
#define EXIT_SETUP_FAILED 127
#define EXIT_VMM_GONE 125
#define EXIT_FILL_FAILED 124
#define PROT_NONE 0
#define LAZY_BLOCK (64u << 10)  /* LazyMemory.BLOCK */
#define LAZY_FAULT 0x80000000u  /* ProcessEngine.FAULT / PROTECT */
#define LAZY_BLOCK_READY 0
#define LAZY_ALL_READY 1
#define LOADER_WAITS_FOR_DEBUGGER 0x7fffffffu /* ProcessEngine.WAITS_FOR_DEBUGGER */

#if defined(__x86_64__)
enum { NR_read = 0, NR_write = 1, NR_close = 3, NR_exit = 60, NR_mmap = 9, NR_rt_sigaction = 13, NR_rt_sigprocmask = 14,
       NR_rt_sigreturn = 15, NR_mprotect = 10, NR_getppid = 110, NR_sigaltstack = 131, NR_prctl = 157, NR_exit_group = 231,
       NR_execve = 59, NR_socket = 41, NR_connect = 42, NR_accept = 43, NR_bind = 49, NR_listen = 50,
       NR_socketpair = 53, NR_accept4 = 288, NR_ptrace = 101, NR_process_vm_readv = 310, NR_process_vm_writev = 311 };
/* struct ucontext: uc_mcontext (struct sigcontext) starts at 40; rip is its 17th word. */
#define UC_PC 168

static long syscall6(long nr, long a, long b, long c, long d, long e, long f) {
    register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

__asm__(".text\n.globl _start\n_start:\n"
        "  xor %ebp, %ebp\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call loader_main\n  ud2\n"
        /* x86-64 signal frames need a restorer; ours never runs (a fault ends the guest) but must exist. */
        "restore_rt:\n  mov $15, %eax\n  syscall\n  ud2\n"
        /* Enter the guest: rdi = entry, rsi = stack top. */
        "enter_guest:\n  mov %rsi, %rsp\n  xor %ebp, %ebp\n  jmp *%rdi\n");
#define TRAP_DETAIL_SEGV 14  /* the x86 vector the fault would have been under KVM: #PF */
#define TRAP_DETAIL_BUS 17   /* #AC */
#define TRAP_DETAIL_ILL 6    /* #UD */
#define TRAP_DETAIL_TRAP 3   /* #BP */
#define TRAP_DETAIL_FPE 0    /* #DE */
#define TRAP_DETAIL_SYS 13   /* #GP: a system call the guest may not make */
#define AUDIT_ARCH 0xC000003Eu /* AUDIT_ARCH_X86_64 */

#elif defined(__aarch64__)
enum { NR_read = 63, NR_write = 64, NR_close = 57, NR_exit = 93, NR_mmap = 222, NR_rt_sigaction = 134, NR_rt_sigprocmask = 135,
       NR_rt_sigreturn = 139, NR_mprotect = 226, NR_getppid = 173, NR_sigaltstack = 132, NR_prctl = 167, NR_exit_group = 94,
       NR_execve = 221, NR_socket = 198, NR_connect = 203, NR_accept = 202, NR_bind = 200, NR_listen = 201,
       NR_socketpair = 199, NR_accept4 = 242, NR_ptrace = 117, NR_process_vm_readv = 270, NR_process_vm_writev = 271 };
/* struct ucontext: uc_mcontext at 176 (after the 128-byte sigset area), pc after fault_address, x0-x30, sp. */
#define UC_PC 440

static long syscall6(long nr, long a, long b, long c, long d, long e, long f) {
    register long x8 __asm__("x8") = nr, x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c,
                  x3 __asm__("x3") = d, x4 __asm__("x4") = e, x5 __asm__("x5") = f;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
    return x0;
}

__asm__(".text\n.globl _start\n_start:\n"
        "  mov x0, sp\n  bl loader_main\n  brk #0\n"
        "restore_rt:\n  mov x8, #139\n  svc #0\n  brk #0\n"
        "enter_guest:\n  mov sp, x1\n  mov x29, xzr\n  mov x30, xzr\n  br x0\n");
/* The exception class KVM would have reported, shifted as hexo_arm_exception does (ec << 8). */
#define TRAP_DETAIL_SEGV (0x24 << 8) /* data abort */
#define TRAP_DETAIL_BUS (0x24 << 8)
#define TRAP_DETAIL_ILL (0x00 << 8)  /* unknown reason: an undefined instruction */
#define TRAP_DETAIL_TRAP (0x3c << 8) /* brk */
#define TRAP_DETAIL_FPE 0
#define TRAP_DETAIL_SYS (0x15 << 8)  /* svc */
#define AUDIT_ARCH 0xC00000B7u       /* AUDIT_ARCH_AARCH64 */
#else
#error "hexo-loader: x86-64 or AArch64 only"
#endif

void restore_rt(void);
_Noreturn void enter_guest(uint64_t entry, uint64_t stack_top);

#define SYS(nr, a, b, c) syscall6(NR_##nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)

static _Noreturn void exit_group(int code) {
    for (;;) SYS(exit_group, code, 0, 0);
}

static size_t length(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

static int same(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

static void say(const char *a, const char *b) {
    SYS(write, 2, "hexo-loader: ", 13);
    SYS(write, 2, a, length(a));
    if (b) SYS(write, 2, b, length(b));
    SYS(write, 2, "\n", 1);
}

static _Noreturn void fail(const char *what, const char *arg) {
    say(what, arg);
    exit_group(EXIT_SETUP_FAILED);
}

/* A hexadecimal number ending at `stop` (or the string's end); *end is left after it. */
static int parse_hex(const char *s, char stop, uint64_t *out, const char **end) {
    uint64_t v = 0;
    int digits = 0;
    for (; *s && *s != stop; s++, digits++) {
        char c = *s;
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0 || digits == 16) return 0;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    *end = s;
    return digits > 0;
}

static uint64_t hex_arg(const char *s) {
    uint64_t v;
    const char *end;
    if (!parse_hex(s, 0, &v, &end)) fail("not a hexadecimal number: ", s);
    return v;
}

/* Linear memory that fills itself: [lazy_base, lazy_end) while blocks may still be missing. */
static uint64_t lazy_base, lazy_end;
/* The program's view of linear memory (0: none): the same pages as lazy_base at view_base. */
static uint64_t view_base;

/* Makes [lazy_base + off, + len) and its twin in the view accessible or not. */
static void protect_linmem(uint64_t off, uint64_t len, long prot) {
    if (SYS(mprotect, lazy_base + off, len, prot) != 0) exit_group(EXIT_FILL_FAILED);
    if (view_base && SYS(mprotect, view_base + off, len, prot) != 0) exit_group(EXIT_FILL_FAILED);
}

/* One word to the VMM, its one-word answer back. Losing the VMM ends the guest: nobody is left to serve it. */
static uint32_t ring(uint32_t v) {
    if (SYS(write, FD_TO_VMM, &v, 4) != 4) exit_group(EXIT_VMM_GONE);
    long n;
    do n = SYS(read, FD_FROM_VMM, &v, 4); while (n == -EINTR);
    if (n != 4) exit_group(EXIT_VMM_GONE);
    return v;
}

/* The doorbell the guest kernel calls through boot_info->doorbell (arch_doorbell): the block address
 * to the VMM, then wait for its answer. */
static void doorbell(void) {
    uint32_t v = ring(HEXO_HYPERCALL_ADDR);
    if (v & LAZY_FAULT) { /* from now on linear memory fills itself: see the top of this file */
        uint64_t len = (uint64_t)(v & ~LAZY_FAULT) * LAZY_BLOCK;
        protect_linmem(0, len, PROT_NONE);
        lazy_end = lazy_base + len;
    }
}

/* A touch of a block not filled yet: have the VMM fill it, then let the access run again. */
static int lazy_fault(uint64_t addr) {
    if (view_base && addr >= view_base && addr - view_base < lazy_end - lazy_base) addr = addr - view_base + lazy_base;
    if (addr < lazy_base || addr >= lazy_end) return 0;
    uint64_t block = (addr - lazy_base) / LAZY_BLOCK;
    uint32_t v = ring(LAZY_FAULT | (uint32_t)block);
    if (v == LAZY_ALL_READY) {
        protect_linmem(0, lazy_end - lazy_base, PROT_RWX);
        lazy_end = lazy_base;
    } else if (v == LAZY_BLOCK_READY) {
        protect_linmem(block * LAZY_BLOCK, LAZY_BLOCK, PROT_RWX);
    } else {
        exit_group(EXIT_FILL_FAILED); /* the page was damaged or could not be had: the VMM says why */
    }
    return 1;
}

struct ksigaction {
    void (*handler)(int, void *, void *);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

/* A fault in the guest: report it exactly as the kernel's own trap paths do under KVM. */
static void on_fault(int sig, void *info, void *ucontext) {
    uint64_t addr = *(uint64_t *)((char *)info + 16); /* siginfo.si_addr */
    int code = *(int *)((char *)info + 8);              /* siginfo.si_code */
    uint64_t pc = *(uint64_t *)((char *)ucontext + UC_PC);
    uint64_t kind = HEXO_TRAP_CPU_EXCEPTION, detail;
    if (sig == SIGSEGV && lazy_fault(addr)) return;
    switch (sig) {
    case SIGSEGV: kind = HEXO_TRAP_OUT_OF_BOUNDS; detail = TRAP_DETAIL_SEGV; break;
    case SIGBUS: kind = HEXO_TRAP_OUT_OF_BOUNDS; detail = TRAP_DETAIL_BUS; break;
    case SIGFPE:
        kind = code == FPE_INTDIV ? HEXO_TRAP_DIV_BY_ZERO : code == FPE_INTOVF ? HEXO_TRAP_INT_OVERFLOW : HEXO_TRAP_CPU_EXCEPTION;
        detail = TRAP_DETAIL_FPE;
        addr = 0;
        break;
    case SIGTRAP: detail = TRAP_DETAIL_TRAP; addr = 0; break;
    case SIGSYS: detail = TRAP_DETAIL_SYS; addr = 0; break;
    default: detail = TRAP_DETAIL_ILL; addr = 0; break;
    }
    volatile struct hexo_hypercall *hc = (volatile struct hexo_hypercall *)HEXO_HYPERCALL_ADDR;
    hc->nr = HEXO_HC_TRAP;
    hc->arg[0] = kind;
    hc->arg[1] = pc;
    hc->arg[2] = addr;
    hc->arg[3] = detail;
    doorbell();
    exit_group(128 + sig); /* the VMM stops the guest at a trap; this only runs if it did not */
}

static uint8_t alt_stack[64 << 10] __attribute__((aligned(16)));

static void install_fault_handlers(void) {
    struct { void *sp; int flags; size_t size; } ss = { alt_stack, 0, sizeof alt_stack };
    if (SYS(sigaltstack, &ss, 0, 0) != 0) fail("sigaltstack failed", 0);
    static const int signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS };
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct ksigaction sa = { on_fault, SA_SIGINFO | SA_ONSTACK | SA_RESTORER, restore_rt, ~0ull };
        if (syscall6(NR_rt_sigaction, signals[i], (long)&sa, 0, 8, 0, 0) != 0) fail("rt_sigaction failed", 0);
    }
    uint64_t none = 0;
    syscall6(NR_rt_sigprocmask, 2 /* SIG_SETMASK */, (long)&none, 0, 8, 0, 0);
}

/* Signals someone may send the whole process group (SIGUSR1 asks hexo to migrate) must not kill the
 * guest; a doorbell whose VMM is gone should fail with EPIPE, not kill it silently. */
static void ignore_stray_signals(void) {
    static const int signals[] = { SIGUSR1, SIGPIPE };
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct ksigaction sa = { SIG_IGN, SA_RESTORER, restore_rt, 0 };
        syscall6(NR_rt_sigaction, signals[i], (long)&sa, 0, 8, 0, 0);
    }
}

struct bpf { uint16_t code; uint8_t jt, jf; uint32_t k; };
#define LD_W_ABS 0x20
#define JEQ_K 0x15
#define RET_K 0x06

/* Defence in depth behind the wasm sandbox: once the guest runs, all the process may do is its
 * doorbell (read, write), return from a fault handler and exit. Any other system call raises SIGSYS,
 * which on_fault reports as a trap. qemu-user refuses filters from its guest (they would confine
 * qemu itself, which needs mmap, futex and more): there the call fails and the guest runs without. */
static int confine(void) {
    static const struct bpf filter[] = {
        { LD_W_ABS, 0, 0, 4 },                         /* seccomp_data.arch */
        { JEQ_K, 1, 0, AUDIT_ARCH },
        { RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS },
        { LD_W_ABS, 0, 0, 0 },                         /* seccomp_data.nr */
        { JEQ_K, 6, 0, NR_read },
        { JEQ_K, 5, 0, NR_write },
        { JEQ_K, 4, 0, NR_mprotect },                  /* lazily filled memory; all guest memory is RWX already */
        { JEQ_K, 3, 0, NR_exit_group },
        { JEQ_K, 2, 0, NR_exit },
        { JEQ_K, 1, 0, NR_rt_sigreturn },
        { RET_K, 0, 0, SECCOMP_RET_TRAP },
        { RET_K, 0, 0, SECCOMP_RET_ALLOW },
    };
    struct { unsigned short len; const struct bpf *filter; } prog = { sizeof filter / sizeof filter[0], filter };
    if (SYS(prctl, PR_SET_NO_NEW_PRIVS, 1, 0) != 0) return 0;
    return SYS(prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

/* --gdb on the host's ISA: the VMM attaches gdbserver to this process while it waits here, after guest
 * memory is mapped and before the guest's first instruction, and answers once gdbserver holds it. gdb
 * can then write software breakpoints into the program: hardware ones do not fire on every host (not in
 * a nested kvm_pvm guest), and before the mapping there is nothing to write them into. Yama
 * (ptrace_scope 1) lets only an ancestor attach unless we allow it; gdbserver is our sibling. */
static void wait_for_debugger(void) {
    SYS(prctl, PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0);
    ring(LOADER_WAITS_FOR_DEBUGGER);
}

static void map_range(const char *spec) {
    uint64_t start, end, at;
    const char *rest;
    int view = spec[0] == 'V';
    if (view && (!parse_hex(spec + 1, '-', &at, &rest) || *rest != '-')) fail("not a view VADDR-START-END: ", spec);
    if (!parse_hex(view ? rest + 1 : spec, '-', &start, &rest) || *rest != '-' || !parse_hex(rest + 1, 0, &end, &rest) || end <= start)
        fail("not a memory range START-END: ", spec);
    if (!view) at = start;
    else view_base = at;
    long p = syscall6(NR_mmap, (long)at, (long)(end - start), PROT_RWX, MAP_SHARED | MAP_FIXED_NOREPLACE, FD_MEMORY,
                      (long)start);
    /* Checked, not trusted: qemu-user 7.2 takes MAP_FIXED_NOREPLACE as a mere hint and maps elsewhere. */
    if (p != (long)at) fail("cannot map guest memory at this range (is it below vm.mmap_min_addr?): ", spec);
}

/*
 * --jail EMULATOR ARGS...: the start of a guest of the other ISA. qemu-user refuses filters from its
 * guest, and a filter it runs under must let qemu itself work (open, mmap, mprotect, futex, clone for
 * its threads, and execve, which starts qemu itself: a filter cannot tell that execve from a later one).
 * What it can still forbid, before exec'ing the emulator: the network (every socket call) and reaching
 * into other processes (ptrace, process_vm_*). Those fail with EPERM, for qemu and its guest alike.
 * (Not under --gdb: qemu's gdb stub needs its socket.)
 */
static _Noreturn void jail(char **argv) {
    static const struct bpf filter[] = {
        { LD_W_ABS, 0, 0, 4 },
        { JEQ_K, 1, 0, AUDIT_ARCH },
        { RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS },
        { LD_W_ABS, 0, 0, 0 },
        { JEQ_K, 10, 0, NR_socket },
        { JEQ_K, 9, 0, NR_socketpair },
        { JEQ_K, 8, 0, NR_connect },
        { JEQ_K, 7, 0, NR_bind },
        { JEQ_K, 6, 0, NR_listen },
        { JEQ_K, 5, 0, NR_accept },
        { JEQ_K, 4, 0, NR_accept4 },
        { JEQ_K, 3, 0, NR_ptrace },
        { JEQ_K, 2, 0, NR_process_vm_readv },
        { JEQ_K, 1, 0, NR_process_vm_writev },
        { RET_K, 0, 0, SECCOMP_RET_ALLOW },
        { RET_K, 0, 0, SECCOMP_RET_ERRNO_EPERM },
    };
    struct { unsigned short len; const struct bpf *filter; } prog = { sizeof filter / sizeof filter[0], filter };
    if (SYS(prctl, PR_SET_NO_NEW_PRIVS, 1, 0) != 0 || SYS(prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
        fail("cannot install the seccomp filter for the emulator", 0);
    static char *const no_env[] = { 0 };
    SYS(execve, argv[0], argv, no_env);
    fail("cannot start the emulator: ", argv[0]);
}

_Noreturn void loader_main(long *sp) {
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    if (argc > 2 && same(argv[1], "--jail")) jail(argv + 2);
    if (argc < 5) fail("usage: hexo-loader PARENT_PID ENTRY STACK_TOP [LBASE] START-END...", 0);
    /* The VMM's death must end the guest too, also while it computes without ringing the doorbell. */
    SYS(prctl, PR_SET_PDEATHSIG, SIGKILL, 0);
    int debugged = argv[1][0] == 'G';
    uint64_t vmm = hex_arg(argv[1] + debugged);
    if (vmm != 0 && (uint64_t)SYS(getppid, 0, 0, 0) != vmm) exit_group(EXIT_VMM_GONE);
    uint64_t entry = hex_arg(argv[2]), stack_top = hex_arg(argv[3]);
    long first = 4;
    if (argv[4][0] == 'L') lazy_base = lazy_end = hex_arg(argv[first++] + 1);
    for (long i = first; i < argc; i++) map_range(argv[i]);
    SYS(close, FD_MEMORY, 0, 0); /* the guest has its memory; it need not be able to resize it */
    install_fault_handlers();
    ignore_stray_signals();
    volatile struct hexo_boot_info *bi = (volatile struct hexo_boot_info *)HEXO_BOOT_INFO_ADDR;
    bi->doorbell = (uint64_t)(uintptr_t)doorbell;
    if (debugged) wait_for_debugger();
    (void)confine(); /* on qemu-user this fails: see confine() */
    enter_guest(entry, stack_top);
}
