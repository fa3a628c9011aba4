package io.hexo.vmm.checkpoint;

import org.junit.Test;

import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.Assert.assertEquals;

public class Crc32cTest {
    private static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    @Test
    public void combiningTwoPartsGivesTheChecksumOfTheWhole() {
        Random r = new Random(42);
        for (int len : new int[] {0, 1, 7, 96, 4096, 100_003, 1 << 20}) {
            byte[] all = new byte[len + 96];
            r.nextBytes(all);
            for (int split : new int[] {0, 1, 96, all.length / 2, all.length}) {
                int whole = crc(all, 0, all.length);
                int combined = Crc32c.combine(crc(all, 0, split), crc(all, split, all.length - split), all.length - split);
                assertEquals("length " + all.length + " split at " + split, whole, combined);
            }
        }
    }

    @Test
    public void aShiftAppendsPartsOfItsLengthLikeCombine() {
        Random r = new Random(7);
        Crc32c.Shift page = new Crc32c.Shift(4096);
        byte[] all = new byte[5 * 4096 + 32];
        r.nextBytes(all);
        int acc = crc(all, 0, 32);
        for (int p = 0; p < 5; p++) acc = page.append(acc, crc(all, 32 + p * 4096, 4096));
        assertEquals(crc(all, 0, all.length), acc);
    }
}
