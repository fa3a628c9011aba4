package io.hexo.vmm.checkpoint;

/**
 * CRC-32C of a concatenation from the CRCs of its parts, so that a file's checksum (header then payload)
 * need not be computed by reading back a payload whose checksum is already known.
 *
 * <p>The CRC (pre- and post-inverted, as java.util.zip.CRC32C) of A followed by B is crc(A) multiplied by
 * x^(8 |B|) modulo the polynomial, plus crc(B), in GF(2). Polynomials are in the reflected order the CRC
 * uses: bit 31 is x^0.
 */
final class Crc32c {
    private static final int POLY = 0x82F63B78;
    private static final int ONE = 1 << 31;
    /** X_POW_2K[k] = x^(2^k) mod P. */
    private static final int[] X_POW_2K = new int[67];

    static {
        X_POW_2K[0] = ONE >>> 1; // x^1
        for (int k = 1; k < X_POW_2K.length; k++) X_POW_2K[k] = multiply(X_POW_2K[k - 1], X_POW_2K[k - 1]);
    }

    private Crc32c() {}

    /** The CRC-32C of A followed by B, given crc(A), crc(B) and the length of B in bytes. */
    static int combine(int crcA, int crcB, long lengthB) {
        if (lengthB < 0) throw new IllegalArgumentException("negative length");
        return multiply(xPow8n(lengthB), crcA) ^ crcB;
    }

    /**
     * Appending n bytes of a fixed length to many CRCs (a region's pages): multiplication by x^(8n)
     * through four 256-entry tables, one per byte of the CRC — a few loads instead of 32 steps, which
     * matters while a resume's first checks still run in the interpreter.
     */
    static final class Shift {
        private final int[][] table = new int[4][256];

        Shift(long n) {
            int f = xPow8n(n);
            for (int k = 0; k < 4; k++) {
                for (int b = 0; b < 256; b++) table[k][b] = multiply(f, b << (8 * k));
            }
        }

        /** combine(crcA, crcB, n). */
        int append(int crcA, int crcB) {
            return table[0][crcA & 0xFF] ^ table[1][(crcA >>> 8) & 0xFF] ^ table[2][(crcA >>> 16) & 0xFF] ^ table[3][crcA >>> 24] ^ crcB;
        }
    }

    /** x^(8n) mod P. */
    private static int xPow8n(long n) {
        int p = ONE;
        for (int k = 3; n != 0; n >>>= 1, k++) if ((n & 1) != 0) p = multiply(X_POW_2K[k], p);
        return p;
    }

    /** a * b mod P. */
    private static int multiply(int a, int b) {
        int product = 0;
        for (int bit = ONE; bit != 0; bit >>>= 1) {
            if ((a & bit) != 0) product ^= b;
            b = (b & 1) != 0 ? (b >>> 1) ^ POLY : b >>> 1;
        }
        return product;
    }
}
