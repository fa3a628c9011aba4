package io.hexo.vmm.run;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import org.junit.Test;

public class MemSizeTest {
    @Test
    public void parsesWhatUsersOfTheOriginalWrite() {
        assertEquals(2L << 30, MemSize.parse("2G"));
        assertEquals(512L << 20, MemSize.parse("512M"));
        assertEquals(64L << 10, MemSize.parse("64K"));
        assertEquals(1L << 40, MemSize.parse("1T"));
        assertEquals(12345, MemSize.parse("12345"));
        assertEquals(2L << 30, MemSize.parse("2g"));
        assertEquals(2L << 30, MemSize.parse("2GB"));
        assertEquals(2L << 30, MemSize.parse("2gb"));
        assertEquals(512L << 20, MemSize.parse(" 512M "));
        assertEquals(512L << 20, MemSize.parse("512 M"));
        assertEquals(100, MemSize.parse("100B"));
        assertEquals(8_388_607L << 40, MemSize.parse("8388607T"));
    }

    @Test
    public void refusesWithOneSentence() {
        for (String s : List.of("", " ", "G", "B", "GB", "0", "0G", "-1", "-2G", "2X", "1.5G", "2GG", "abc", "0x100",
                "9223372036854775808", "8388608T", "99999999999G", "2 G B")) {
            try {
                long v = MemSize.parse(s);
                fail("'" + s + "' parsed as " + v);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("MEM '" + s + "' is not a memory size"));
                assertTrue(e.getMessage(), e.getMessage().contains("2G, 512M or 64K") && !e.getMessage().contains("\n"));
            }
        }
    }

    @Test
    public void formatsAndRoundTrips() {
        assertEquals("2G", MemSize.format(2L << 30));
        assertEquals("1024G", MemSize.format(1L << 40));
        assertEquals("512M", MemSize.format(512L << 20));
        assertEquals("1536M", MemSize.format(1536L << 20));
        assertEquals("1M", MemSize.format(1));          // partial MiB rounds up
        assertEquals("2M", MemSize.format((1L << 20) + 1));
        assertEquals("1M", MemSize.format(64L << 10));
        for (long v : new long[] {1L << 20, 3L << 20, 1L << 30, 5L << 30, 4095L << 20}) {
            assertEquals(v, MemSize.parse(MemSize.format(v)));
        }
    }

    @org.junit.Test
    public void theDefaultFitsEveryMachineATypoDoesNot() {
        // 2G is the default MEM: reserved lazily, it must be accepted even where the machine has less.
        org.junit.Assert.assertEquals(2L << 30, MemSize.checkFitsHere(2L << 30));
        try {
            MemSize.checkFitsHere(64L << 40);
            org.junit.Assert.fail("64T accepted on a machine of " + MemSize.machineMemory() + " bytes");
        } catch (IllegalArgumentException e) {
            org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().startsWith("MEM=65536G is more than this machine's memory"));
        }
    }
}
