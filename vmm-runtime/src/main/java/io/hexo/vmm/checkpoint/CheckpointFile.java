package io.hexo.vmm.checkpoint;

import io.hexo.vmm.os.Beneath;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The container every checkpoint file shares (docs/architecture.md, "Checkpoint format"): a 96-byte
 * header — magic "HEXOCKPT", u32 format version, u32 kind, u64 payload length, u32 CRC-32C of the
 * payload, u32 reserved, char[64] module id — then the payload. All little-endian.
 */
public final class CheckpointFile {
    public static final byte[] MAGIC = "HEXOCKPT".getBytes(StandardCharsets.US_ASCII);
    /**
     * The version this hexo writes. 2: region files carry a CRC-32C per stored page (resume verifies pages
     * as they are first used); 3: a region's pages start at file offset 4096 and its index follows them
     * (written in one pass with O_DIRECT, read with O_DIRECT). Versions 1 to 3 are read.
     */
    public static final int FORMAT_VERSION = 3;
    /** The oldest version this hexo still reads. */
    public static final int OLDEST_READABLE = 1;
    public static final int HEADER_SIZE = 96;

    public static final int KIND_MEMORY = 1, KIND_THREAD = 2, KIND_FILES = 3, KIND_MANIFEST = 4;

    private CheckpointFile() {}

    /** Writes header + payload chunks to path; returns the CRC-32C of the payload. */
    public interface PayloadWriter {
        void write(FileChannel out, CRC32C crc) throws IOException;
    }

    /**
     * Writes a complete file (then forces it to disk): kind, module id, and the payload the writer produces.
     * Returns the CRC-32C of the whole file, header included (the manifest's checksum), combined from the
     * header's and the payload's instead of reading the file back.
     */
    static int write(Path path, int kind, String moduleId, PayloadWriter payload) throws IOException {
        return write(path, kind, moduleId, payload, true);
    }

    /** {@link #write}, forced to disk or not (see {@link #writeChecksummed(Path, int, String, ChecksummedWriter, boolean)}). */
    static int write(Path path, int kind, String moduleId, PayloadWriter payload, boolean force) throws IOException {
        return writeChecksummed(path, kind, moduleId, ch -> {
            CRC32C crc = new CRC32C();
            payload.write(ch, crc);
            return (int) crc.getValue();
        }, force);
    }

    /** Writes the payload and returns its CRC-32C, computed however the writer likes (a region combines per-page CRCs). */
    interface ChecksummedWriter {
        int write(FileChannel out) throws IOException;
    }

    /** {@link #write} for a payload whose writer knows its CRC-32C without a second pass. */
    static int writeChecksummed(Path path, int kind, String moduleId, ChecksummedWriter payload) throws IOException {
        return writeChecksummed(path, kind, moduleId, payload, true);
    }

    /**
     * The same; force false leaves the bytes to the page cache: for a post-copy migration's minimal
     * checkpoint, which is worth nothing without its live source (a crash that loses the file loses that
     * too), so the migration point does not wait for the disk.
     */
    static int writeChecksummed(Path path, int kind, String moduleId, ChecksummedWriter payload, boolean force) throws IOException {
        // NOFOLLOW: a link planted under a checkpoint file's name must not make hexo write elsewhere.
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            ch.position(HEADER_SIZE);
            int payloadCrc = payload.write(ch);
            long length = ch.position() - HEADER_SIZE;
            ByteBuffer h = header(kind, moduleId, length, payloadCrc);
            int whole = wholeCrc(h, payloadCrc, length);
            while (h.hasRemaining()) ch.write(h, h.position());
            if (force) ch.force(false); // fdatasync: the data and the size that finds it; the directory is forced once at commit
            return whole;
        }
    }

    /** A file's header (HEADER_SIZE bytes, position 0). */
    static ByteBuffer header(int kind, String moduleId, long payloadLength, int payloadCrc) {
        ByteBuffer h = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC).putInt(FORMAT_VERSION).putInt(kind).putLong(payloadLength).putInt(payloadCrc).putInt(0);
        h.put(moduleId.getBytes(StandardCharsets.US_ASCII), 0, 64);
        return h.flip();
    }

    /** The whole file's CRC-32C (the manifest's) from its header's bytes and its payload's CRC. */
    static int wholeCrc(ByteBuffer header, int payloadCrc, long payloadLength) {
        CRC32C c = new CRC32C();
        c.update(header.duplicate());
        return Crc32c.combine((int) c.getValue(), payloadCrc, payloadLength);
    }

    /** The format version in a file's header (its first HEADER_SIZE bytes), not yet checked. */
    static int versionOf(ByteBuffer header) {
        return header.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(8);
    }

    /** Refuses a format this hexo cannot read, in one sentence naming both. */
    static void checkVersion(Path path, int version) throws CheckpointException {
        if (version < OLDEST_READABLE || version > FORMAT_VERSION) {
            throw new CheckpointException(path.getFileName() + " in " + path.getParent() + " has checkpoint format " + version + " but this hexo reads formats "
                    + OLDEST_READABLE + " to " + FORMAT_VERSION + ": resume it with the hexo that wrote it, or take the checkpoint again with this one");
        }
    }

    /** Writes all of buf (updating crc). */
    static void put(FileChannel ch, CRC32C crc, ByteBuffer buf) throws IOException {
        crc.update(buf.duplicate());
        while (buf.hasRemaining()) ch.write(buf);
    }

    /** A file's verified payload: header checked (magic, version, kind, module id, length, CRC) or a sentence why not. */
    static ByteBuffer readVerified(Path path, int kind, String moduleId) throws IOException, CheckpointException {
        if (!Files.exists(path)) throw new CheckpointException(path.getFileName() + " is missing from " + path.getParent());
        return verified(path, readAll(path), kind, moduleId);
    }

    /**
     * A checkpoint file's bytes, read through {@link Beneath}: a regular file in its directory, never a
     * link, FIFO or device planted under a checkpoint file's name.
     */
    static byte[] readAll(Path path) throws IOException, CheckpointException {
        try (FileChannel ch = open(path)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 16) throw new CheckpointException(path.getFileName() + " in " + path.getParent() + " is too large to be a checkpoint file");
            ByteBuffer b = ByteBuffer.allocate((int) size);
            while (b.hasRemaining() && ch.read(b) > 0) { /* fill */ }
            if (b.hasRemaining()) throw new CheckpointException(path.getFileName() + " in " + path.getParent() + " shrank while it was read");
            return b.array();
        }
    }

    /** A checkpoint file opened for reading through {@link Beneath}, or a sentence why not. */
    static FileChannel open(Path path) throws IOException, CheckpointException {
        try {
            return Beneath.openForRead(path.toAbsolutePath().getParent(), path.getFileName().toString());
        } catch (Beneath.Refused e) {
            if (e.errno() == Beneath.ENOENT) throw new CheckpointException(path.getFileName() + " is missing from " + path.getParent());
            throw new CheckpointException("the checkpoint file " + e.getMessage());
        }
    }

    /** The same checks on a file's bytes already read. */
    static ByteBuffer verified(Path path, byte[] all, int kind, String moduleId) throws CheckpointException {
        if (all.length < HEADER_SIZE) throw new CheckpointException(path.getFileName() + " in " + path.getParent() + " is truncated");
        CRC32C c = new CRC32C();
        c.update(all, HEADER_SIZE, all.length - HEADER_SIZE);
        checkHeader(path, ByteBuffer.wrap(all, 0, HEADER_SIZE), all.length, (int) c.getValue(), kind, moduleId);
        return ByteBuffer.wrap(all).slice(HEADER_SIZE, all.length - HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A file's header (its first HEADER_SIZE bytes) checked against the file's length and its payload's
     * CRC-32C as computed by the caller, or a sentence why not.
     */
    static void checkHeader(Path path, ByteBuffer header, long fileLength, int payloadCrc, int kind, String moduleId) throws CheckpointException {
        String name = path.getFileName().toString();
        ByteBuffer b = header.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (fileLength < HEADER_SIZE) throw new CheckpointException(name + " in " + path.getParent() + " is truncated");
        byte[] magic = new byte[8];
        b.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) throw new CheckpointException(name + " in " + path.getParent() + " is not a hexo checkpoint file");
        int version = b.getInt(), k = b.getInt();
        long length = b.getLong();
        int crc = b.getInt();
        int reserved = b.getInt();
        byte[] id = new byte[64];
        b.get(id);
        checkVersion(path, version);
        if (reserved != 0) throw new CheckpointException(name + " in " + path.getParent() + " is damaged (bad header)");
        if (k != kind) throw new CheckpointException(name + " in " + path.getParent() + " holds the wrong kind of data");
        if (length != fileLength - HEADER_SIZE) throw new CheckpointException(name + " in " + path.getParent() + " is truncated or has extra bytes");
        if (payloadCrc != crc) throw new CheckpointException(name + " in " + path.getParent() + " is damaged (checksum mismatch)");
        String fileModule = new String(id, StandardCharsets.US_ASCII);
        if (!fileModule.matches("[0-9a-f]{64}")) throw new CheckpointException(name + " in " + path.getParent() + " is damaged (bad module id)");
        if (moduleId != null && !fileModule.equals(moduleId)) {
            throw new CheckpointException(name + " in " + path.getParent() + " belongs to another program's checkpoint (module "
                    + fileModule.substring(0, 12) + ", expected " + moduleId.substring(0, 12) + ")");
        }
    }

    /**
     * Checks a file without holding it in memory: its size, its whole-file CRC-32C against the manifest's
     * entry and its header, in one pass through a small buffer (a memory region can be gigabytes). The
     * payload's checksum follows from the whole file's and the header's (see {@link Crc32c}).
     */
    static void verifyStreaming(Path path, long expectedSize, String expectedCrc, int kind, String moduleId) throws IOException, CheckpointException {
        String where = path.getFileName() + " in " + path.getParent();
        try (FileChannel ch = open(path)) {
            long size = ch.size();
            if (size != expectedSize) throw new CheckpointException(where + " is truncated or was changed (size " + size + ", expected " + expectedSize + ")");
            if (size < HEADER_SIZE) throw new CheckpointException(where + " is truncated");
            ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
            readFully(ch, header, where);
            CRC32C whole = new CRC32C();
            whole.update(header.array(), 0, HEADER_SIZE);
            int headerCrc = (int) whole.getValue();
            // Sized to the file: a 4 MiB direct buffer costs 15-22 ms here (its pages' first touch), twice per resume
            // for the thread and open-files files of a few hundred bytes.
            int n = (int) Math.min(STREAM_CHUNK, Math.max(1, size - HEADER_SIZE));
            ByteBuffer chunk = n < SMALL ? ByteBuffer.allocate(n) : ByteBuffer.allocateDirect(n);
            long left = size - HEADER_SIZE;
            while (left > 0) {
                chunk.clear().limit((int) Math.min(STREAM_CHUNK, left));
                readFully(ch, chunk, where);
                whole.update(chunk.flip());
                left -= chunk.limit();
            }
            if (!java.util.HexFormat.of().toHexDigits((int) whole.getValue()).equals(expectedCrc)) {
                throw new CheckpointException(where + " is damaged (checksum mismatch)");
            }
            checkHeader(path, header.flip(), size, payloadCrc((int) whole.getValue(), headerCrc, size - HEADER_SIZE), kind, moduleId);
        }
    }

    /** The payload's CRC-32C from the whole file's and the header's: crc(whole) = shift(crc(header)) xor crc(payload). */
    static int payloadCrc(int wholeCrc, int headerCrc, long payloadLength) {
        return wholeCrc ^ Crc32c.combine(headerCrc, 0, payloadLength);
    }

    private static final int STREAM_CHUNK = 4 << 20, SMALL = 64 << 10;

    /** Fills buf from the channel's position, or says the file ended early. */
    static void readFully(FileChannel ch, ByteBuffer buf, String where) throws IOException, CheckpointException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) throw new CheckpointException(where + " shrank while it was read");
        }
    }

    /** The module id in a file's header, without verifying the rest. */
    static String moduleIdOf(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer h = ByteBuffer.allocate(HEADER_SIZE);
            while (h.hasRemaining() && ch.read(h) > 0) { /* fill */ }
            return new String(h.array(), 32, 64, StandardCharsets.US_ASCII);
        }
    }
}
