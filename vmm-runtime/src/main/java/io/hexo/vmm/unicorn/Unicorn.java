package io.hexo.vmm.unicorn;

import com.sun.jna.Callback;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.hexo.vmm.engine.EngineUnavailableException;

/**
 * The part of the Unicorn 2 C API the engines use, bound with JNA direct mapping onto libunicorn.so.2
 * (Debian 12: package libunicorn2, version 2.0.1). Numbers are those of the 2.0.1 headers, which 2.1.x
 * keeps. The library loaded is the one named by the system property {@code hexo.unicorn.library} (or env
 * {@code HEXO_UNICORN_LIBRARY}) when set, else the first that loads of the 2.1.1 that tools/unicorn/build.sh
 * builds from Debian 13's source package and the system's; {@link #version()} tells which one runs.
 *
 * <p>Callbacks reach Java through JNA's direct-mapping callback path (a JNI call with primitive
 * arguments, no reflection); callback parameters typed {@code long} instead of {@code Pointer} avoid an
 * allocation per call.
 *
 * <p>Variadic functions ({@code uc_hook_add}, {@code uc_ctl}) are declared with fixed parameter lists:
 * on the x86-64 and AArch64 Linux ABIs integer arguments of a variadic call travel exactly like fixed
 * ones.
 */
public final class Unicorn {
    private Unicorn() {}

    public static final String INSTALL_HINT = "the emulated board needs Unicorn 2: apt-get install libunicorn2";

    // uc_arch / uc_mode
    public static final int UC_ARCH_ARM64 = 2, UC_ARCH_X86 = 4;
    public static final int UC_MODE_ARM = 0, UC_MODE_64 = 8;

    // uc_err
    public static final int UC_ERR_OK = 0, UC_ERR_NOMEM = 1, UC_ERR_ARCH = 2, UC_ERR_HANDLE = 3, UC_ERR_MODE = 4,
            UC_ERR_VERSION = 5, UC_ERR_READ_UNMAPPED = 6, UC_ERR_WRITE_UNMAPPED = 7, UC_ERR_FETCH_UNMAPPED = 8,
            UC_ERR_HOOK = 9, UC_ERR_INSN_INVALID = 10, UC_ERR_MAP = 11, UC_ERR_WRITE_PROT = 12,
            UC_ERR_READ_PROT = 13, UC_ERR_FETCH_PROT = 14, UC_ERR_ARG = 15, UC_ERR_EXCEPTION = 21;

    // uc_hook_type
    public static final int UC_HOOK_INTR = 1, UC_HOOK_INSN = 1 << 1, UC_HOOK_CODE = 1 << 2, UC_HOOK_BLOCK = 1 << 3,
            UC_HOOK_MEM_READ_UNMAPPED = 1 << 4, UC_HOOK_MEM_WRITE_UNMAPPED = 1 << 5,
            UC_HOOK_MEM_FETCH_UNMAPPED = 1 << 6, UC_HOOK_MEM_READ_PROT = 1 << 7, UC_HOOK_MEM_WRITE_PROT = 1 << 8,
            UC_HOOK_MEM_FETCH_PROT = 1 << 9, UC_HOOK_INSN_INVALID = 1 << 14;
    public static final int UC_HOOK_MEM_UNMAPPED = UC_HOOK_MEM_READ_UNMAPPED | UC_HOOK_MEM_WRITE_UNMAPPED
            | UC_HOOK_MEM_FETCH_UNMAPPED;
    public static final int UC_HOOK_MEM_PROT = UC_HOOK_MEM_READ_PROT | UC_HOOK_MEM_WRITE_PROT | UC_HOOK_MEM_FETCH_PROT;

    // uc_mem_type, as passed to memory event callbacks
    public static final int UC_MEM_READ = 16, UC_MEM_WRITE = 17, UC_MEM_FETCH = 18, UC_MEM_READ_UNMAPPED = 19,
            UC_MEM_WRITE_UNMAPPED = 20, UC_MEM_FETCH_UNMAPPED = 21, UC_MEM_WRITE_PROT = 22, UC_MEM_READ_PROT = 23,
            UC_MEM_FETCH_PROT = 24;

    // uc_prot
    public static final int UC_PROT_READ = 1, UC_PROT_WRITE = 2, UC_PROT_EXEC = 4, UC_PROT_ALL = 7;

    // uc_ctl: UC_CTL(type, nr, rw) = type | nr << 26 | rw << 30
    private static final int CTL_IO_WRITE = 1, CTL_IO_READ = 2;
    private static final int UC_CTL_UC_PAGE_SIZE = 1, UC_CTL_UC_USE_EXITS = 4, UC_CTL_CPU_MODEL = 7, UC_CTL_TB_REQUEST_CACHE = 8,
            UC_CTL_TB_REMOVE_CACHE = 9, UC_CTL_TB_FLUSH = 10;
    public static final int CTL_PAGE_SIZE_READ = ctl(UC_CTL_UC_PAGE_SIZE, 1, CTL_IO_READ);
    public static final int CTL_USE_EXITS_WRITE = ctl(UC_CTL_UC_USE_EXITS, 1, CTL_IO_WRITE);
    public static final int CTL_CPU_MODEL_WRITE = ctl(UC_CTL_CPU_MODEL, 1, CTL_IO_WRITE);
    public static final int CTL_TB_REQUEST_CACHE = ctl(UC_CTL_TB_REQUEST_CACHE, 2, CTL_IO_READ | CTL_IO_WRITE);
    public static final int CTL_TB_REMOVE_CACHE = ctl(UC_CTL_TB_REMOVE_CACHE, 2, CTL_IO_WRITE);
    /** Drops every translated block: slow in 2.0.1 (seconds with a large guest); prefer CTL_TB_REMOVE_CACHE. */
    public static final int CTL_TB_FLUSH = ctl(UC_CTL_TB_FLUSH, 0, CTL_IO_WRITE);

    private static int ctl(int type, int nr, int rw) {
        return type | (nr << 26) | (rw << 30);
    }

    // CPU models (uc_cpu_arm64 / uc_cpu_x86)
    public static final int UC_CPU_ARM64_A57 = 0, UC_CPU_ARM64_A53 = 1, UC_CPU_ARM64_A72 = 2, UC_CPU_ARM64_MAX = 3;
    public static final int UC_CPU_X86_QEMU64 = 0, UC_CPU_X86_NEHALEM = 15;

    // UC_HOOK_INSN instruction ids (uc_x86_insn)
    public static final int UC_X86_INS_IN = 218, UC_X86_INS_OUT = 500;

    /** struct uc_tb { uint64_t pc; uint16_t icount; uint16_t size; }: 16 bytes. */
    public static final int UC_TB_SIZE = 16;

    private static final Throwable LOAD_ERROR;
    private static final String LIBRARY;

    /** Name the libunicorn to load (a path, a library name, or "system"); the property wins over the env. */
    public static final String LIBRARY_PROPERTY = "hexo.unicorn.library", LIBRARY_ENV = "HEXO_UNICORN_LIBRARY";
    /** Where tools/unicorn/build.sh installs Unicorn 2.1.1 built from Debian 13's source package. */
    public static final String BUILT_LIBRARY = "/opt/hexo/unicorn-2.1.1/lib/libunicorn.so.2";

    /** The library named by the property or else the env variable, or null. */
    static String namedLibrary() {
        String named = System.getProperty(LIBRARY_PROPERTY);
        if (named == null || named.isBlank()) named = System.getenv(LIBRARY_ENV);
        return named == null || named.isBlank() ? null : named.trim();
    }

    /**
     * The libraries to try, in order: the one named by the property or env alone (an explicit choice is
     * never silently replaced by another library; the name {@code system} means the system's), else the
     * built 2.1.1 when present, then the system's.
     */
    static java.util.List<String> candidates() {
        String named = namedLibrary();
        if ("system".equals(named)) return java.util.List.of("libunicorn.so.2", "unicorn");
        if (named != null) return java.util.List.of(named);
        return new java.io.File(BUILT_LIBRARY).isFile()
                ? java.util.List.of(BUILT_LIBRARY, "libunicorn.so.2", "unicorn")
                : java.util.List.of("libunicorn.so.2", "unicorn");
    }

    static {
        Throwable error = null;
        String loaded = null;
        for (String name : candidates()) {
            try {
                Native.register(Unicorn.class, NativeLibrary.getInstance(name));
                loaded = name;
                error = null;
                break;
            } catch (Throwable t) {
                if (error == null) error = t;
            }
        }
        LOAD_ERROR = loaded == null ? error : null;
        LIBRARY = loaded;
    }

    /** The one sentence shown when no library loads. */
    private static String loadHint() {
        String named = namedLibrary();
        return named == null || named.equals("system") ? INSTALL_HINT
                : "the emulated board needs Unicorn 2, and " + named + " (named by " + LIBRARY_PROPERTY + " or "
                        + LIBRARY_ENV + ") does not load";
    }

    /** Throws the one-sentence {@link EngineUnavailableException} when libunicorn.so.2 cannot be used. */
    public static void requireAvailable() {
        if (LOAD_ERROR != null) throw new EngineUnavailableException(loadHint(), LOAD_ERROR);
        int v = uc_version(null, null);
        if (((v >>> 24) & 0xff) != 2) {
            throw new EngineUnavailableException(INSTALL_HINT + " (found Unicorn " + versionString(v) + ")");
        }
    }

    public static boolean available() {
        return LOAD_ERROR == null;
    }

    /** The library that was loaded (as named among {@link #candidates()}), or null when none loads. */
    public static String library() {
        return LIBRARY;
    }

    /** "2.0.1": major.minor.patch of the loaded library. */
    public static String version() {
        requireAvailableLibrary();
        return versionString(uc_version(null, null));
    }

    private static void requireAvailableLibrary() {
        if (LOAD_ERROR != null) throw new EngineUnavailableException(loadHint(), LOAD_ERROR);
    }

    private static String versionString(int v) {
        return ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff);
    }

    /** Throws IllegalStateException naming the call when err is not UC_ERR_OK. */
    public static void check(int err, String what) {
        if (err != UC_ERR_OK) throw new IllegalStateException(what + " failed: " + uc_strerror(err) + " (" + err + ")");
    }

    /** A uc_engine*: opens the engine and returns its handle. */
    public static Pointer open(int arch, int mode) {
        requireAvailable();
        Memory out = new Memory(8);
        out.setLong(0, 0);
        int err = uc_open(arch, mode, out);
        if (err != UC_ERR_OK) {
            throw new EngineUnavailableException("Unicorn " + version() + " cannot emulate this CPU: " + uc_strerror(err));
        }
        return out.getPointer(0);
    }

    // ---- callbacks (uc_cb_*); implementations must stay strongly reachable while the engine lives ----

    /** uc_cb_hookintr_t */
    public interface InterruptCallback extends Callback {
        void invoke(Pointer uc, int intno, Pointer userData);
    }

    /** uc_cb_eventmem_t: return true when the access was handled (memory mapped), false to stop. */
    public interface EventMemCallback extends Callback {
        boolean invoke(Pointer uc, int type, long address, int size, long value, Pointer userData);
    }

    /** uc_cb_insn_out_t. Pointer arguments as long: no Pointer object per call on the doorbell path. */
    public interface OutCallback extends Callback {
        void invoke(long uc, int port, int size, int value, long userData);
    }

    /** uc_cb_hookinsn_invalid_t: return true when handled. */
    public interface InvalidInsnCallback extends Callback {
        boolean invoke(Pointer uc, Pointer userData);
    }

    /** uc_cb_mmio_read_t */
    public interface MmioReadCallback extends Callback {
        long invoke(Pointer uc, long offset, int size, Pointer userData);
    }

    /** uc_cb_mmio_write_t. Pointer arguments as long: no Pointer object per call on the doorbell path. */
    public interface MmioWriteCallback extends Callback {
        void invoke(long uc, long offset, int size, long value, long userData);
    }

    // ---- the C functions ----

    public static native int uc_version(Pointer major, Pointer minor);

    public static native int uc_open(int arch, int mode, Pointer ucOut);

    public static native int uc_close(Pointer uc);

    public static native String uc_strerror(int err);

    public static native int uc_errno(Pointer uc);

    public static native int uc_reg_write(Pointer uc, int regid, Pointer value);

    public static native int uc_reg_read(Pointer uc, int regid, Pointer value);

    public static native int uc_mem_write(Pointer uc, long address, Pointer bytes, long size);

    public static native int uc_mem_read(Pointer uc, long address, Pointer bytes, long size);

    public static native int uc_mem_map_ptr(Pointer uc, long address, long size, int perms, Pointer ptr);

    public static native int uc_mem_unmap(Pointer uc, long address, long size);

    public static native int uc_mmio_map(Pointer uc, long address, long size, MmioReadCallback readCb,
            Pointer userDataRead, MmioWriteCallback writeCb, Pointer userDataWrite);

    public static native int uc_emu_start(Pointer uc, long begin, long until, long timeoutMicros, long count);

    public static native int uc_emu_stop(Pointer uc);

    public static native int uc_hook_add(Pointer uc, Pointer hookOut, int type, Callback callback, Pointer userData,
            long begin, long end);

    /** The UC_HOOK_INSN form: the trailing variadic argument is the instruction id. */
    public static native int uc_hook_add(Pointer uc, Pointer hookOut, int type, Callback callback, Pointer userData,
            long begin, long end, int insn);

    public static native int uc_hook_del(Pointer uc, long hook);

    /** uc_ctl with one integer argument (CPU model, use-exits). */
    public static native int uc_ctl(Pointer uc, int control, long arg);

    /** uc_ctl with one out pointer (page size). */
    public static native int uc_ctl(Pointer uc, int control, Pointer out);

    /** uc_ctl with an address and an out pointer (TB request). */
    public static native int uc_ctl(Pointer uc, int control, long arg, Pointer out);

    /** uc_ctl with two integer arguments (TB remove: start, end). */
    public static native int uc_ctl(Pointer uc, int control, long arg1, long arg2);

    /** uc_ctl without arguments (TB flush). */
    public static native int uc_ctl(Pointer uc, int control);

    public static native int uc_context_alloc(Pointer uc, Pointer contextOut);

    public static native int uc_context_save(Pointer uc, Pointer context);

    public static native int uc_context_restore(Pointer uc, Pointer context);

    public static native int uc_context_free(Pointer context);
}
