package io.hexo.vmm.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.hexo.vmm.engine.EngineUnavailableException;
import io.hexo.vmm.os.LibC;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The architecture-neutral part of the Linux KVM API, shared by the x86-64 and AArch64 engines:
 * /dev/kvm, a VM with user-memory slots, vCPUs with their mmap'ed {@code struct kvm_run}, and KVM_RUN.
 *
 * <p>Everything is a plain ioctl through {@link LibC}; structs are raw native buffers read and written
 * at the offsets of {@code <linux/kvm.h>} (both ISAs use the asm-generic ioctl encoding). Architecture
 * specific requests (registers, CPUID, vCPU init) go through {@link Fd#ioctl(long, Pointer)} with
 * numbers built by {@link #ior}/{@link #iow}/{@link #iowr}.
 */
public final class KvmSystem implements AutoCloseable {
    public static final String DEVICE = "/dev/kvm";
    public static final int API_VERSION = 12;

    // ---- ioctl request encoding (asm-generic/ioctl.h: nr 0-7, type 8-15, size 16-29, dir 30-31) ----
    public static final int KVMIO = 0xAE;
    private static final int IOC_NONE = 0, IOC_WRITE = 1, IOC_READ = 2;

    public static long ioc(int dir, int type, int nr, int size) {
        return ((long) dir << 30) | ((long) size << 16) | ((long) type << 8) | nr;
    }

    public static long io(int nr) { return ioc(IOC_NONE, KVMIO, nr, 0); }
    public static long ior(int nr, int size) { return ioc(IOC_READ, KVMIO, nr, size); }
    public static long iow(int nr, int size) { return ioc(IOC_WRITE, KVMIO, nr, size); }
    public static long iowr(int nr, int size) { return ioc(IOC_READ | IOC_WRITE, KVMIO, nr, size); }

    public static final long KVM_GET_API_VERSION = io(0x00);
    public static final long KVM_CREATE_VM = io(0x01);
    public static final long KVM_CHECK_EXTENSION = io(0x03);
    public static final long KVM_GET_VCPU_MMAP_SIZE = io(0x04);
    public static final long KVM_CREATE_VCPU = io(0x41);
    /** struct kvm_userspace_memory_region { u32 slot, flags; u64 guest_phys_addr, memory_size, userspace_addr; } */
    public static final long KVM_SET_USER_MEMORY_REGION = iow(0x46, 32);
    public static final long KVM_RUN = io(0x80);

    // ---- struct kvm_run: the common header and the union members the engines read ----
    public static final int RUN_IMMEDIATE_EXIT = 1, RUN_EXIT_REASON = 8;
    /** Start of the exit-reason union. */
    public static final int RUN_EXIT = 32;
    public static final int RUN_IO_DIRECTION = 32, RUN_IO_SIZE = 33, RUN_IO_PORT = 34, RUN_IO_COUNT = 36,
            RUN_IO_DATA_OFFSET = 40;
    public static final int RUN_MMIO_PHYS_ADDR = 32, RUN_MMIO_DATA = 40, RUN_MMIO_LEN = 48, RUN_MMIO_IS_WRITE = 52;
    public static final int RUN_FAIL_ENTRY_REASON = 32, RUN_FAIL_ENTRY_CPU = 40;
    public static final int RUN_INTERNAL_SUBERROR = 32, RUN_INTERNAL_NDATA = 36, RUN_INTERNAL_DATA = 40;
    public static final int RUN_SYSTEM_EVENT_TYPE = 32, RUN_SYSTEM_EVENT_NDATA = 36, RUN_SYSTEM_EVENT_DATA = 40;
    public static final int RUN_HW_EXIT_REASON = 32;
    public static final int IO_IN = 0, IO_OUT = 1;

    // ---- exit reasons ----
    public static final int EXIT_UNKNOWN = 0, EXIT_EXCEPTION = 1, EXIT_IO = 2, EXIT_HYPERCALL = 3, EXIT_DEBUG = 4,
            EXIT_HLT = 5, EXIT_MMIO = 6, EXIT_IRQ_WINDOW_OPEN = 7, EXIT_SHUTDOWN = 8, EXIT_FAIL_ENTRY = 9,
            EXIT_INTR = 10, EXIT_NMI = 16, EXIT_INTERNAL_ERROR = 17, EXIT_SYSTEM_EVENT = 24, EXIT_ARM_NISV = 28;

    private static final String[] EXIT_NAMES = {
        "UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT", "MMIO", "IRQ_WINDOW_OPEN", "SHUTDOWN",
        "FAIL_ENTRY", "INTR", "SET_TPR", "TPR_ACCESS", "S390_SIEIC", "S390_RESET", "DCR", "NMI",
        "INTERNAL_ERROR", "OSI", "PAPR_HCALL", "S390_UCONTROL", "WATCHDOG", "S390_TSCH", "EPR",
        "SYSTEM_EVENT", "S390_STSI", "IOAPIC_EOI", "HYPERV", "ARM_NISV", "X86_RDMSR", "X86_WRMSR",
        "DIRTY_RING_FULL", "AP_RESET_HOLD", "X86_BUS_LOCK", "XEN", "RISCV_SBI", "RISCV_CSR", "NOTIFY",
        "LOONGARCH_IOCSR", "MEMORY_FAULT",
    };

    public static String exitName(int reason) {
        return reason >= 0 && reason < EXIT_NAMES.length ? "KVM_EXIT_" + EXIT_NAMES[reason] : "exit reason " + reason;
    }

    private static final int EINTR = 4, ENOENT = 2, EACCES = 13, EPERM = 1, ENXIO = 6, ENODEV = 19;

    private final Fd fd;
    private final int vcpuMmapSize;

    private KvmSystem(Fd fd, int vcpuMmapSize) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    /**
     * Opens /dev/kvm and checks the API version.
     *
     * @throws EngineUnavailableException with one sentence a user can act on when KVM cannot be used
     */
    public static KvmSystem open() {
        return open(DEVICE);
    }

    /** {@link #open()} on another device node: lets tests see every refusal on any host. */
    static KvmSystem open(String device) {
        if (!Files.exists(Path.of(device))) {
            throw new EngineUnavailableException(device + " does not exist: KVM is not available on this host"
                    + kernelHint());
        }
        int fd;
        try {
            fd = LibC.open(device, LibC.O_RDWR | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            int err = e.getErrorCode();
            if (err == EACCES || err == EPERM) {
                throw new EngineUnavailableException("no permission on " + device
                        + ": add your user to group kvm or run as root", e);
            }
            if (err == ENOENT || err == ENXIO || err == ENODEV) {
                throw new EngineUnavailableException(device + " cannot be opened (" + errnoText(err)
                        + "): the KVM module is not loaded on this host" + kernelHint(), e);
            }
            throw new EngineUnavailableException("cannot open " + device + ": " + errnoText(err), e);
        }
        Fd sys = new Fd(fd, device);
        try {
            int version;
            try {
                version = sys.ioctl(KVM_GET_API_VERSION, 0);
            } catch (KvmException e) {
                throw new EngineUnavailableException(device + " is there but does not answer as KVM does (" + e.getMessage()
                        + "): check that it is the KVM device" + kernelHint(), e);
            }
            if (version != API_VERSION) {
                throw new EngineUnavailableException("KVM API version " + version + " on this host, hexo needs version "
                        + API_VERSION + ": use a Linux kernel with the standard KVM API");
            }
            int mmapSize = sys.ioctl(KVM_GET_VCPU_MMAP_SIZE, 0);
            return new KvmSystem(sys, mmapSize);
        } catch (RuntimeException e) {
            sys.close();
            throw e;
        }
    }

    /** A short explanation from the kernel's view of KVM, or "" (never fails). */
    private static String kernelHint() {
        String logged = kernelLogLine();
        if (logged != null) return " (kernel log: \"" + logged + "\")";
        try {
            String flags = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("flags")).findFirst().orElse("");
            boolean hw = flags.contains(" vmx") || flags.contains(" svm");
            if (!flags.isEmpty() && !hw) {
                return " (this CPU exposes neither VMX nor SVM to the OS, and no KVM module for it provides /dev/kvm)";
            }
            if (hw && !Files.exists(Path.of("/sys/module/kvm"))) {
                return " (the CPU supports virtualization but the kvm module is not loaded: modprobe kvm_intel or kvm_amd)";
            }
        } catch (IOException | RuntimeException ignored) {
            // no hint
        }
        return "";
    }

    /** The kernel's last complaint about KVM ("kvm-pvm: cannot run guests ... not binding"), when dmesg shows it. */
    private static String kernelLogLine() {
        try {
            Process p = new ProcessBuilder("dmesg").redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readNBytes(1 << 20), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
            String last = null;
            for (String line : out.split("\n")) {
                String l = line.replaceFirst("^\\[[ 0-9.]*\\]\\s*", "");
                if (l.matches("(?i).*\\b(kvm|svm|vmx)\\b.*") && l.matches("(?i).*(cannot|not binding|disabled|not supported|unsupported|fail|error).*")) {
                    last = l.trim();
                }
            }
            return last;
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    public Fd fd() { return fd; }

    public int vcpuMmapSize() { return vcpuMmapSize; }

    /** KVM_CHECK_EXTENSION: 0 when absent, otherwise a capability-specific positive value. */
    public int checkExtension(int capability) {
        return fd.ioctl(KVM_CHECK_EXTENSION, capability);
    }

    /** KVM_CREATE_VM with the default machine type (on AArch64: the default IPA size). */
    public Vm createVm() {
        return createVm(0);
    }

    /** KVM_CREATE_VM with a machine type (AArch64: KVM_VM_TYPE_ARM_IPA_SIZE(bits)). */
    public Vm createVm(long type) {
        int vmfd = fd.ioctl(KVM_CREATE_VM, type);
        return new Vm(this, new Fd(vmfd, "KVM VM"));
    }

    @Override
    public void close() {
        fd.close();
    }

    /** One virtual machine: memory slots and vCPUs. */
    public static final class Vm implements AutoCloseable {
        private final KvmSystem kvm;
        private final Fd fd;

        Vm(KvmSystem kvm, Fd fd) {
            this.kvm = kvm;
            this.fd = fd;
        }

        public Fd fd() { return fd; }

        public KvmSystem system() { return kvm; }

        /** KVM_CHECK_EXTENSION on the VM (some capabilities answer per VM). */
        public int checkExtension(int capability) {
            return fd.ioctl(KVM_CHECK_EXTENSION, capability);
        }

        /** KVM_SET_USER_MEMORY_REGION: guest-physical [gpa, gpa+size) is host memory at host. Size 0 deletes. */
        public void setUserMemoryRegion(int slot, int flags, long gpa, long size, Pointer host) {
            try (Memory region = new Memory(32)) {
                region.setInt(0, slot);
                region.setInt(4, flags);
                region.setLong(8, gpa);
                region.setLong(16, size);
                region.setLong(24, Pointer.nativeValue(host));
                fd.ioctl(KVM_SET_USER_MEMORY_REGION, region);
            }
        }

        /** KVM_CREATE_VCPU and the mmap of its struct kvm_run. */
        public Vcpu createVcpu(int id) {
            Fd vcpuFd = new Fd(fd.ioctl(KVM_CREATE_VCPU, id), "KVM vCPU " + id);
            Pointer run;
            try {
                run = LibC.mmap(null, kvm.vcpuMmapSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED,
                        vcpuFd.fd, 0);
            } catch (LastErrorException e) {
                vcpuFd.close();
                throw new IllegalStateException("cannot mmap kvm_run of vCPU " + id + ": " + errnoText(e.getErrorCode()), e);
            }
            return new Vcpu(vcpuFd, run, kvm.vcpuMmapSize);
        }

        @Override
        public void close() {
            fd.close();
        }
    }

    /** One vCPU: its fd and its shared struct kvm_run. Use it from one thread. */
    public static final class Vcpu implements AutoCloseable {
        private final Fd fd;
        private final Pointer run;
        private final long runSize;
        private boolean closed;

        Vcpu(Fd fd, Pointer run, long runSize) {
            this.fd = fd;
            this.run = run;
            this.runSize = runSize;
        }

        public Fd fd() { return fd; }

        /** The mmap'ed struct kvm_run; read exit details at the RUN_* offsets. */
        public Pointer kvmRun() { return run; }

        /**
         * KVM_RUN once.
         *
         * @return the exit reason (EXIT_*); {@link #EXIT_INTR} when interrupted by a signal or immediate_exit
         */
        public int run() {
            try {
                fd.ioctlOrThrow(KVM_RUN, 0);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == EINTR) return EXIT_INTR;
                throw new KvmException("KVM_RUN failed: " + errnoText(e.getErrorCode()), e.getErrorCode(), e);
            }
            return run.getInt(RUN_EXIT_REASON);
        }

        public int exitReason() { return run.getInt(RUN_EXIT_REASON); }

        public void setImmediateExit(boolean on) { run.setByte(RUN_IMMEDIATE_EXIT, (byte) (on ? 1 : 0)); }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                try {
                    LibC.munmap(run, runSize);
                } catch (LastErrorException ignored) {
                    // nothing useful to do
                }
                fd.close();
            }
        }
    }

    /** An open KVM file descriptor (system, VM or vCPU). */
    public static final class Fd implements AutoCloseable {
        private final int fd;
        private final String what;
        private boolean closed;

        Fd(int fd, String what) {
            this.fd = fd;
            this.what = what;
        }

        public int value() { return fd; }

        /** ioctl with an integer argument; returns its non-negative result, throws {@link KvmException}. */
        public int ioctl(long request, long arg) {
            try {
                return ioctlOrThrow(request, arg);
            } catch (LastErrorException e) {
                throw failure(request, e);
            }
        }

        /** ioctl with a pointer to a struct; returns its non-negative result, throws {@link KvmException}. */
        public int ioctl(long request, Pointer arg) {
            try {
                return LibC.ioctl(fd, new NativeLong(request), arg);
            } catch (LastErrorException e) {
                throw failure(request, e);
            }
        }

        int ioctlOrThrow(long request, long arg) throws LastErrorException {
            return LibC.ioctl(fd, new NativeLong(request), arg);
        }

        private KvmException failure(long request, LastErrorException e) {
            return new KvmException(String.format("ioctl 0x%08x on %s failed: %s", request, what,
                    errnoText(e.getErrorCode())), e.getErrorCode(), e);
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                try {
                    LibC.close(fd);
                } catch (LastErrorException ignored) {
                    // already gone
                }
            }
        }
    }

    /** A KVM ioctl failed; {@link #errno()} says how. */
    public static final class KvmException extends RuntimeException {
        private final int errno;

        public KvmException(String message, int errno, Throwable cause) {
            super(message, cause);
            this.errno = errno;
        }

        public int errno() { return errno; }
    }

    public static String errnoText(int errno) {
        String name = switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 4 -> "EINTR";
            case 5 -> "EIO";
            case 6 -> "ENXIO";
            case 7 -> "E2BIG";
            case 9 -> "EBADF";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 14 -> "EFAULT";
            case 16 -> "EBUSY";
            case 17 -> "EEXIST";
            case 19 -> "ENODEV";
            case 22 -> "EINVAL";
            case 25 -> "ENOTTY";
            case 38 -> "ENOSYS";
            case 95 -> "EOPNOTSUPP";
            default -> "errno";
        };
        return name + " (" + errno + ")";
    }
}
