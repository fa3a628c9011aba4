package io.hexo.vmm.kvm;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.engine.GuestLayout;
import io.hexo.vmm.engine.MemoryRange;
import io.hexo.vmm.memory.GuestMemory;

/**
 * The x86-64 system tables the VMM writes into guest memory before the first instruction, in the
 * VMM-owned area at {@link Abi#SYSTEM_TABLES_ADDR} (below 1 MiB): GDT, TSS, IDT, a ring-0 stack for
 * exceptions, and identity page tables that map exactly the layout's mapped ranges (and linear memory a
 * second time at the program's view, when the layout has one). Pure Java, no KVM.
 *
 * <pre>
 *   0x8000  GDT   null | kernel code64 0x08 | kernel data 0x10 | user data 0x1b | user code64 0x23 | TSS 0x28
 *   0x8100  TSS   RSP0 = RING0_STACK_TOP, I/O permission bitmap that opens only the doorbell port
 *   0x9000  IDT   32 interrupt gates, DPL 0, selector 0x08, vector v at layout.x86TrapVectors() + 16 v
 *   0xA000  ring-0 stack (24 KiB), top at 0x10000
 *  0x10000  page tables: PML4, PDPTs, PDs (2 MiB pages), 4 KiB tables where a 2 MiB block is partly mapped
 * 0x100000  end of the area
 * </pre>
 * Every present entry has U|RW|P (the guest runs at CPL 3); unmapped holes (null page, stack guard, past
 * memSize) are simply absent, so touching them raises #PF.
 */
public final class X86SystemTables {
    private X86SystemTables() {}

    public static final long GDT = Abi.SYSTEM_TABLES_ADDR;
    public static final long TSS = GDT + 0x100;
    public static final long IDT = GDT + 0x1000;
    public static final long RING0_STACK_TOP = GDT + 0x8000;
    public static final long PAGE_TABLES = GDT + 0x8000;
    public static final long END = 0x100000;

    public static final int KERNEL_CS = 0x08, KERNEL_DS = 0x10, USER_DS = 0x18 | 3, USER_CS = 0x20 | 3, TSS_SEL = 0x28;
    public static final int GDT_LIMIT = 7 * 8 - 1;
    public static final int IDT_VECTORS = 32, IDT_LIMIT = IDT_VECTORS * 16 - 1;
    /**
     * The I/O permission bitmap follows the 104-byte TSS and covers ports 0..2047, then the terminator
     * byte the CPU may read past the last port. On kvm_pvm hosts, which ignore RFLAGS.IOPL for ring-3 port
     * I/O (shared/notes/kvm-on-these-machines.md), it is what lets the guest ring the doorbell; elsewhere
     * IOPL 3 does (see KvmX86Vcpu.RFLAGS_INITIAL).
     */
    public static final int IO_BITMAP_OFFSET = 104, IO_BITMAP_PORTS = 2048;
    public static final int TSS_LIMIT = IO_BITMAP_OFFSET + IO_BITMAP_PORTS / 8; // includes the 0xFF terminator
    public static final int TRAP_STUB_SIZE = 16;

    private static final long P = 1, RW = 2, US = 4, PS = 0x80, PRESENT_USER_RW = P | RW | US;
    private static final long PAGE = 0x1000, LARGE = 0x200000;

    /** Writes all tables; returns the PML4 address for CR3. */
    public static long write(GuestMemory mem, GuestLayout layout) {
        if (layout.memSize() > mem.size()) {
            throw new IllegalArgumentException("layout.memSize " + layout.memSize() + " exceeds guest memory " + mem.size());
        }
        if (!mapped(layout, GDT, END)) {
            throw new IllegalArgumentException("the system table area [0x8000, 0x100000) must be mapped by the layout");
        }
        mem.fill(GDT, END - GDT, (byte) 0);
        writeGdt(mem);
        mem.putLong(TSS + 4, RING0_STACK_TOP); // rsp0
        mem.putInt(TSS + 100, IO_BITMAP_OFFSET << 16);
        writeIoBitmap(mem);
        for (int v = 0; v < IDT_VECTORS; v++) {
            writeGate(mem, IDT + 16L * v, layout.x86TrapVectors() + (long) TRAP_STUB_SIZE * v);
        }
        return writePageTables(mem, layout);
    }

    /** Every port closed (bit set) but the four of the doorbell's 32-bit `outl`: a stray port still faults. */
    private static void writeIoBitmap(GuestMemory mem) {
        long bitmap = TSS + IO_BITMAP_OFFSET;
        mem.fill(bitmap, IO_BITMAP_PORTS / 8 + 1, (byte) 0xFF);
        for (int port = Abi.X86_PORT; port < Abi.X86_PORT + 4; port++) {
            long at = bitmap + port / 8;
            mem.putByte(at, (byte) (mem.getByte(at) & ~(1 << (port % 8))));
        }
    }

    private static void writeGdt(GuestMemory mem) {
        mem.putLong(GDT + KERNEL_CS, 0x00AF9A000000FFFFL); // P, DPL 0, code exec/read, L
        mem.putLong(GDT + KERNEL_DS, 0x00CF92000000FFFFL); // P, DPL 0, data read/write
        mem.putLong(GDT + (USER_DS & ~3), 0x00CFF2000000FFFFL); // P, DPL 3, data
        mem.putLong(GDT + (USER_CS & ~3), 0x00AFFA000000FFFFL); // P, DPL 3, code, L
        // 64-bit TSS descriptor (16 bytes), type 0xB = busy, as KVM loads TR with it already busy
        long low = (TSS_LIMIT & 0xFFFFL) | ((TSS & 0xFFFFFFL) << 16) | (0x8BL << 40) | (((TSS >>> 24) & 0xFF) << 56);
        mem.putLong(GDT + TSS_SEL, low);
        mem.putLong(GDT + TSS_SEL + 8, TSS >>> 32);
    }

    private static void writeGate(GuestMemory mem, long at, long handler) {
        long low = (handler & 0xFFFF) | ((long) KERNEL_CS << 16) | (0x8EL << 40) | (((handler >>> 16) & 0xFFFF) << 48);
        mem.putLong(at, low);
        mem.putLong(at + 8, handler >>> 32);
    }

    private static long writePageTables(GuestMemory mem, GuestLayout layout) {
        long[] next = {PAGE_TABLES};
        long pml4 = allocate(next);
        for (long block = 0; block < layout.memSize(); block += LARGE) {
            long end = Math.min(block + LARGE, layout.memSize());
            long pdpt = subTable(mem, pml4, index(block, 39), next);
            long pd = subTable(mem, pdpt, index(block, 30), next);
            if (end - block == LARGE && mapped(layout, block, end)) {
                mem.putLong(pd + 8 * index(block, 21), block | PS | PRESENT_USER_RW);
                continue;
            }
            long pt = 0;
            for (long page = block; page + PAGE <= end; page += PAGE) {
                if (!mapped(layout, page, page + PAGE)) continue;
                if (pt == 0) pt = subTable(mem, pd, index(block, 21), next);
                mem.putLong(pt + 8 * index(page, 12), page | PRESENT_USER_RW);
            }
        }
        if (layout.linmemView() != 0) mapView(mem, layout, pml4, next);
        return pml4;
    }

    /** Linear memory a second time at the program's view (GuestLayout), nothing around it. */
    private static void mapView(GuestMemory mem, GuestLayout layout, long pml4, long[] next) {
        long limit = layout.linmemLimit();
        for (long off = 0; off < limit; off += LARGE) {
            long virt = layout.linmemView() + off, phys = layout.linmemBase() + off, end = Math.min(off + LARGE, limit);
            long pdpt = subTable(mem, pml4, index(virt, 39), next);
            long pd = subTable(mem, pdpt, index(virt, 30), next);
            if (end - off == LARGE) {
                mem.putLong(pd + 8 * index(virt, 21), phys | PS | PRESENT_USER_RW);
                continue;
            }
            long pt = subTable(mem, pd, index(virt, 21), next);
            for (long page = 0; off + page + PAGE <= end; page += PAGE) {
                mem.putLong(pt + 8 * index(virt + page, 12), (phys + page) | PRESENT_USER_RW);
            }
        }
    }

    /** The table an entry points to, created (zeroed, U|RW|P) when absent. */
    private static long subTable(GuestMemory mem, long table, int index, long[] next) {
        long entry = mem.getLong(table + 8L * index);
        if (entry != 0) return entry & 0x000FFFFFFFFFF000L;
        long sub = allocate(next);
        mem.putLong(table + 8L * index, sub | PRESENT_USER_RW);
        return sub;
    }

    private static long allocate(long[] next) {
        long page = next[0];
        if (page + PAGE > END) throw new IllegalArgumentException("guest memory too large for the page-table area below 1 MiB");
        next[0] += PAGE;
        return page; // the whole area was zeroed in write()
    }

    private static int index(long address, int shift) {
        return (int) ((address >>> shift) & 511);
    }

    private static boolean mapped(GuestLayout layout, long start, long end) {
        for (MemoryRange r : layout.mappedRanges()) {
            if (start >= r.start() && end <= r.end()) return true;
        }
        return false;
    }
}
