package io.hexo.vmm.abi;

/**
 * Java mirror of resources/guest/include/hexo_abi.h, which is the definition (AbiHeaderTest keeps the
 * two equal). Offsets are those of the C structs there.
 */
public final class Abi {
    private Abi() {}

    public static final int VERSION = 2;
    public static final int BOOT_MAGIC = 0x4f584548;

    public static final long SYSTEM_TABLES_ADDR = 0x8000L;
    public static final long PROCESS_MAP_START = 0x100000L;
    public static final long BOOT_INFO_ADDR = 0x100000L;
    public static final long HYPERCALL_ADDR = 0x110000L;
    public static final long STRINGS_ADDR = 0x120000L;
    public static final long STRINGS_SIZE = 0xE0000L;
    public static final long IMAGE_BASE = 0x200000L;
    public static final long LINMEM_ALIGN = 0x200000L;
    /** The program's view of linear memory, with unmapped guards on both sides: hexo_abi.h. */
    public static final long LINMEM_VIEW = 0x40000000000L, LINMEM_VIEW_SIZE = 0x100000000L, LINMEM_GUARD = 0x10000000000L;

    public static final int X86_PORT = 0x0510;
    public static final long ARM_DOORBELL = 0x8000000000L;

    // struct hexo_hypercall
    public static final int HC_NR = 0, HC_ARG0 = 8, HC_RET = 56, HC_SIZE = 64;

    // hypercall numbers
    public static final int HC_EXIT = 0x01, HC_TRAP = 0x02, HC_LOG = 0x03, HC_SET_CONTROL = 0x04,
            HC_MEMORY_GROWN = 0x05;
    public static final int HC_WRITE = 0x10, HC_READ = 0x11, HC_OPEN = 0x12, HC_CLOSE = 0x13, HC_LSEEK = 0x14,
            HC_UNLINK = 0x15, HC_FSTAT = 0x16, HC_STAT = 0x17;
    public static final int HC_CLOCK = 0x20, HC_SLEEP = 0x21, HC_RANDOM = 0x22;
    public static final int HC_CHECKPOINT = 0x30, HC_RESTORE = 0x31;

    // struct hexo_boot_info
    public static final int BI_MAGIC = 0, BI_ABI_VERSION = 4, BI_MEM_SIZE = 8, BI_LINMEM_BASE = 16,
            BI_LINMEM_LIMIT = 24, BI_ARGC = 32, BI_ENVC = 40, BI_STRINGS_SIZE = 48, BI_RESUME = 56,
            BI_VERBOSE = 60, BI_DOORBELL = 72, BI_SIZE = 128;

    // struct hexo_control (in wasm linear memory)
    public static final int CTL_MIGRATE_REQUESTED = 0, CTL_ABI_VERSION = 4, CTL_POINTS_REACHED = 8,
            CTL_MIGRATE_AT_POINT = 16, CTL_SIZE = 24;

    // struct hexo_snapshot
    public static final int SNAP_LINMEM_BASE = 0, SNAP_LINMEM_SIZE = 8, SNAP_GLOBALS = 16, SNAP_NGLOBALS = 24,
            SNAP_ASYNCIFY_DATA = 32, SNAP_CONTROL = 40, SNAP_SIZE = 80;

    // traps
    public static final int TRAP_UNREACHABLE = 1, TRAP_OUT_OF_BOUNDS = 2, TRAP_DIV_BY_ZERO = 3,
            TRAP_INT_OVERFLOW = 4, TRAP_INVALID_CONVERSION = 5, TRAP_CALL_INDIRECT = 6,
            TRAP_STACK_EXHAUSTED = 7, TRAP_CPU_EXCEPTION = 8, TRAP_ABI_MISMATCH = 9;

    // WASI errno values returned (negated) by hypercalls
    public static final int ESUCCESS = 0, EACCES = 2, EBADF = 8, EEXIST = 20, EFAULT = 21, EINVAL = 28, EIO = 29,
            EISDIR = 31, EMFILE = 33, ENAMETOOLONG = 37, ENOENT = 44, ENOSYS = 52, ENOTDIR = 54, EPERM = 63,
            ESPIPE = 70, ENOTCAPABLE = 76;

    public static final int O_CREAT = 1, O_DIRECTORY = 2, O_EXCL = 4, O_TRUNC = 8;
    public static final int FD_APPEND = 1;
    public static final int OPEN_READ = 0x100, OPEN_WRITE = 0x200;

    // struct hexo_stat (WASI filestat)
    public static final int ST_DEV = 0, ST_INO = 8, ST_FILETYPE = 16, ST_NLINK = 24, ST_SIZE = 32, ST_ATIM = 40,
            ST_MTIM = 48, ST_CTIM = 56, ST_STRUCT_SIZE = 64;

    // struct hexo_image_info: the .hexo_info section of every image
    public static final int IMAGE_INFO_MAGIC = 0x4e495848; // "HXIN"
    public static final int II_MAGIC = 0, II_ABI_VERSION = 4, II_ISA = 8, II_NGLOBALS = 12, II_MODULE_ID = 16,
            II_IMAGE_BASE = 80, II_LINMEM_ALIGN = 88, II_INITIAL_LINMEM = 96, II_DATA_START = 104, II_BSS_START = 112,
            II_STACK_LOW = 120, II_STACK_HIGH = 128, II_SIZE = 136;
}
