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
    public static final int FORMAT_VERSION = 1;
    public static final int HEADER_SIZE = 96;

    public static final int KIND_MEMORY = 1, KIND_THREAD = 2, KIND_FILES = 3, KIND_MANIFEST = 4;

    private CheckpointFile() {}

    /** Writes header + payload chunks to path; returns the CRC-32C of the payload. */
    public interface PayloadWriter {
        void write(FileChannel out, CRC32C crc) throws IOException;
    }

    /** Writes a complete file (then forces it to disk): kind, module id, and the payload the writer produces. */
    static void write(Path path, int kind, String moduleId, PayloadWriter payload) throws IOException {
        // NOFOLLOW: a link planted under a checkpoint file's name must not make hexo write elsewhere.
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            ch.position(HEADER_SIZE);
            CRC32C crc = new CRC32C();
            payload.write(ch, crc);
            long length = ch.position() - HEADER_SIZE;
            ByteBuffer h = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            h.put(MAGIC).putInt(FORMAT_VERSION).putInt(kind).putLong(length).putInt((int) crc.getValue()).putInt(0);
            h.put(moduleId.getBytes(StandardCharsets.US_ASCII), 0, 64);
            h.flip();
            ch.write(h, 0);
            ch.force(true);
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
        String name = path.getFileName().toString();
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (all.length < HEADER_SIZE) throw new CheckpointException(name + " in " + path.getParent() + " is truncated");
        byte[] magic = new byte[8];
        b.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) throw new CheckpointException(name + " in " + path.getParent() + " is not a hexo checkpoint file");
        int version = b.getInt(), k = b.getInt();
        long length = b.getLong();
        int crc = b.getInt();
        int reserved = b.getInt();
        byte[] id = new byte[64];
        b.get(id);
        if (version != FORMAT_VERSION) {
            throw new CheckpointException(name + " in " + path.getParent() + " has checkpoint format " + version + "; this hexo reads format " + FORMAT_VERSION);
        }
        if (reserved != 0) throw new CheckpointException(name + " in " + path.getParent() + " is damaged (bad header)");
        if (k != kind) throw new CheckpointException(name + " in " + path.getParent() + " holds the wrong kind of data");
        if (length != all.length - HEADER_SIZE) throw new CheckpointException(name + " in " + path.getParent() + " is truncated or has extra bytes");
        CRC32C c = new CRC32C();
        c.update(all, HEADER_SIZE, all.length - HEADER_SIZE);
        if ((int) c.getValue() != crc) throw new CheckpointException(name + " in " + path.getParent() + " is damaged (checksum mismatch)");
        String fileModule = new String(id, StandardCharsets.US_ASCII);
        if (!fileModule.matches("[0-9a-f]{64}")) throw new CheckpointException(name + " in " + path.getParent() + " is damaged (bad module id)");
        if (moduleId != null && !fileModule.equals(moduleId)) {
            throw new CheckpointException(name + " in " + path.getParent() + " belongs to another program's checkpoint (module "
                    + fileModule.substring(0, 12) + ", expected " + moduleId.substring(0, 12) + ")");
        }
        return b.slice(HEADER_SIZE, all.length - HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
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
