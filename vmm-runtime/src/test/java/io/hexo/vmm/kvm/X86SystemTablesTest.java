package io.hexo.vmm.kvm;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.engine.GuestLayout;
import io.hexo.vmm.memory.GuestMemory;
import org.junit.After;
import org.junit.Test;

/** The GDT, TSS, IDT and page tables as the CPU will read them: pure Java, runs on every host. */
public class X86SystemTablesTest {
    static final long MIB = 1 << 20;
    static final long TRAPS = Abi.IMAGE_BASE + 0x1000;
    private GuestMemory memory;

    @After
    public void free() {
        if (memory != null) memory.close();
    }

    private long write(GuestLayout layout) {
        memory = GuestMemory.allocate(layout.memSize());
        return X86SystemTables.write(memory, layout);
    }

    static GuestLayout layout(long memSize, long guardStart, long guardEnd) {
        return new GuestLayout(memSize, Abi.IMAGE_BASE, guardEnd + 2 * MIB, guardStart, guardEnd, Abi.IMAGE_BASE + 0x2000,
                GuestLayout.linmemBaseAfter(guardEnd + 2 * MIB), TRAPS);
    }

    /** The physical address va translates to, or -1; fails unless every level on the way is U|RW|P. */
    private long walk(long cr3, long va) {
        long table = cr3;
        for (int shift = 39; shift >= 12; shift -= 9) {
            long e = memory.getLong(table + 8 * ((va >>> shift) & 511));
            if ((e & 1) == 0) return -1;
            assertEquals("U|RW|P at level " + shift + " for 0x" + Long.toHexString(va), 7, e & 7);
            long next = e & 0x000FFFFFFFFFF000L;
            if (shift == 21 && (e & 0x80) != 0) return (next & ~(2 * MIB - 1)) | (va & (2 * MIB - 1));
            assertEquals("no large pages above the PD level", 0, shift > 21 ? e & 0x80 : 0);
            table = next;
        }
        return table | (va & 0xFFF);
    }

    @Test
    public void pageTablesMapExactlyTheLayoutsRanges() {
        GuestLayout l = layout(64 * MIB, 4 * MIB, 6 * MIB);
        long cr3 = write(l);
        long[] mapped = {0x1000, 0x1FFF, Abi.SYSTEM_TABLES_ADDR, 0xFFFFF, Abi.IMAGE_BASE, 4 * MIB - 1, 6 * MIB,
                         32 * MIB + 123, 64 * MIB - 1};
        for (long va : mapped) assertEquals("0x" + Long.toHexString(va), va, walk(cr3, va));
        long[] unmapped = {0, 0x10, 0xFFF, 4 * MIB, 5 * MIB, 6 * MIB - 1, 64 * MIB, 1L << 30, 1L << 39, 0x3000000 + 64 * MIB};
        for (long va : unmapped) assertEquals("0x" + Long.toHexString(va), -1, walk(cr3, va));
    }

    @Test
    public void unalignedHolesAndEndGet4KiBPages() {
        GuestLayout l = layout(64 * MIB + 0x5000, 4 * MIB + 0x3000, 6 * MIB + 0x1000);
        memory = GuestMemory.allocate(66 * MIB);
        long cr3 = X86SystemTables.write(memory, l);
        assertEquals(4 * MIB + 0x2FFF, walk(cr3, 4 * MIB + 0x2FFF));
        assertEquals(-1, walk(cr3, 4 * MIB + 0x3000));
        assertEquals(-1, walk(cr3, 6 * MIB + 0xFFF));
        assertEquals(6 * MIB + 0x1000, walk(cr3, 6 * MIB + 0x1000));
        assertEquals(64 * MIB + 0x4FFF, walk(cr3, 64 * MIB + 0x4FFF));
        assertEquals(-1, walk(cr3, 64 * MIB + 0x5000));
    }

    @Test
    public void largeMemoryUsesOnePdPerGiB() {
        GuestLayout l = layout(6L << 30, 4 * MIB, 6 * MIB);
        long cr3 = write(l);
        assertEquals((6L << 30) - 8, walk(cr3, (6L << 30) - 8));
        assertEquals(-1, walk(cr3, 6L << 30));
        assertEquals(5L << 30, walk(cr3, 5L << 30));
    }

    @Test
    public void gdtTssAndIdt() {
        write(layout(16 * MIB, 4 * MIB, 6 * MIB));
        long gdt = X86SystemTables.GDT;
        assertEquals(0, memory.getLong(gdt));
        assertEquals(0x00AF9A000000FFFFL, memory.getLong(gdt + 0x08));
        assertEquals(0x00CF92000000FFFFL, memory.getLong(gdt + 0x10));
        assertEquals(0x00CFF2000000FFFFL, memory.getLong(gdt + 0x18));
        assertEquals(0x00AFFA000000FFFFL, memory.getLong(gdt + 0x20));
        long tss = memory.getLong(gdt + 0x28);
        assertEquals("TSS limit: 104 bytes, a bitmap for ports 0..2047, the terminator", 104 + 256, tss & 0xFFFF);
        assertEquals("TSS base", X86SystemTables.TSS, ((tss >>> 16) & 0xFFFFFF) | ((tss >>> 56) << 24)
                | (memory.getLong(gdt + 0x30) << 32));
        assertEquals("busy 64-bit TSS, present", 0x8B, (tss >>> 40) & 0xFF);
        assertEquals("rsp0", X86SystemTables.RING0_STACK_TOP, memory.getLong(X86SystemTables.TSS + 4));
        assertEquals("I/O bitmap right after the TSS", 104, memory.getInt(X86SystemTables.TSS + 100) >>> 16);
        assertIoBitmapOpensOnly(Abi.X86_PORT, Abi.X86_PORT + 3);
        for (int v = 0; v < 32; v++) {
            long lo = memory.getLong(X86SystemTables.IDT + 16L * v), hi = memory.getLong(X86SystemTables.IDT + 16L * v + 8);
            long target = (lo & 0xFFFF) | (((lo >>> 48) & 0xFFFF) << 16) | (hi << 32);
            assertEquals("vector " + v, TRAPS + 16L * v, target);
            assertEquals("selector", X86SystemTables.KERNEL_CS, (lo >>> 16) & 0xFFFF);
            assertEquals("present interrupt gate, DPL 0, IST 0", 0x8E00, (lo >>> 32) & 0xFFFF);
        }
    }

    @Test
    public void rejectsLayoutLargerThanMemoryOrWithoutTheTableArea() {
        memory = GuestMemory.allocate(16 * MIB);
        assertThrows(IllegalArgumentException.class, () -> X86SystemTables.write(memory, layout(32 * MIB, 4 * MIB, 6 * MIB)));
        GuestLayout hole = new GuestLayout(16 * MIB, Abi.IMAGE_BASE, 8 * MIB, 0x8000, 0x10000, Abi.IMAGE_BASE, 8 * MIB, TRAPS);
        assertThrows(IllegalArgumentException.class, () -> X86SystemTables.write(memory, hole));
    }

    /** As the CPU reads it: a clear bit opens a port; ports past the bitmap and the terminator are closed. */
    private void assertIoBitmapOpensOnly(int first, int last) {
        long bitmap = X86SystemTables.TSS + 104;
        for (int port = 0; port < 2048; port++) {
            boolean open = (memory.getByte(bitmap + port / 8) & (1 << (port % 8))) == 0;
            assertEquals("port 0x" + Integer.toHexString(port) + " open", port >= first && port <= last, open);
        }
        assertEquals("terminator byte", (byte) 0xFF, memory.getByte(bitmap + 256));
    }
}
