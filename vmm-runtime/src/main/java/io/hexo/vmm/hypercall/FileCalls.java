package io.hexo.vmm.hypercall;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.guest.GuestConsole;
import io.hexo.vmm.guest.GuestFiles;
import io.hexo.vmm.memory.GuestMemory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.attribute.BasicFileAttributes;

/** The console (fds 0-2) and files in the working directory (GuestFiles). */
public final class FileCalls implements HypercallFamily {
    /** One call moves at most this much; larger requests are short reads/writes, as POSIX allows. */
    private static final int MAX_IO = 16 << 20;
    private static final int MAX_PATH = 4096;

    private final GuestMemory memory;
    private final GuestFiles files;
    private final GuestConsole console;

    public FileCalls(GuestMemory memory, GuestFiles files, GuestConsole console) {
        this.memory = memory;
        this.files = files;
        this.console = console;
    }

    @Override
    public void register(HypercallTable t) {
        t.register(Abi.HC_WRITE, a -> write(a[0], a[1], a[2]));
        t.register(Abi.HC_READ, a -> read(a[0], a[1], a[2]));
        t.register(Abi.HC_OPEN, a -> {
            String path = path(a[0], a[1]);
            return path == null ? -Abi.ENAMETOOLONG : files.open(path, a[2], a[3]);
        });
        t.register(Abi.HC_CLOSE, a -> files.close(a[0]));
        t.register(Abi.HC_LSEEK, a -> seek(a[0], a[1], a[2]));
        t.register(Abi.HC_UNLINK, a -> {
            String path = path(a[0], a[1]);
            return path == null ? -Abi.ENAMETOOLONG : files.unlink(path);
        });
        t.register(Abi.HC_FSTAT, a -> fstat(a[0], a[1]));
        t.register(Abi.HC_STAT, a -> {
            String path = path(a[0], a[1]);
            if (path == null) return -Abi.ENAMETOOLONG;
            memory.check(a[2], Abi.ST_STRUCT_SIZE);
            try {
                return putStat(a[2], files.stat(path));
            } catch (AccessDeniedException e) {
                return -Abi.ENOTCAPABLE;
            } catch (IOException e) {
                return -GuestFiles.errno(e);
            }
        });
    }

    private String path(long addr, long len) {
        if (len < 0 || len > MAX_PATH) return null;
        return memory.string(addr, (int) len);
    }

    private long write(long fd, long buf, long len) throws IOException {
        int n = (int) Math.min(Math.max(len, 0), MAX_IO);
        memory.check(buf, n);
        if (fd == 1 || fd == 2) {
            var out = fd == 1 ? console.out() : console.err();
            byte[] data = memory.read(buf, n);
            out.write(data);
            out.flush();
            return n;
        }
        FileChannel ch = files.channel(fd);
        if (ch == null || !files.canWrite(fd)) return -Abi.EBADF;
        if (files.appends(fd)) ch.position(ch.size());
        ByteBuffer src = memory.buffer(buf, n);
        int written = 0;
        while (src.hasRemaining()) written += ch.write(src);
        return written;
    }

    private long read(long fd, long buf, long len) throws IOException {
        int n = (int) Math.min(Math.max(len, 0), MAX_IO);
        memory.check(buf, n);
        if (fd == 0) {
            byte[] data = new byte[n];
            int r = console.in().read(data, 0, n);
            if (r <= 0) return 0;
            memory.write(buf, data, 0, r);
            return r;
        }
        if (fd == 1 || fd == 2) return -Abi.EBADF;
        FileChannel ch = files.channel(fd);
        if (ch == null || !files.canRead(fd)) return -Abi.EBADF;
        ByteBuffer dst = memory.buffer(buf, n);
        int total = 0;
        while (dst.hasRemaining()) {
            int r = ch.read(dst);
            if (r <= 0) break;
            total += r;
        }
        return total;
    }

    private long seek(long fd, long offset, long whence) throws IOException {
        if (fd <= 2) return -Abi.ESPIPE;
        FileChannel ch = files.channel(fd);
        if (ch == null) return -Abi.EBADF;
        if (whence < 0 || whence > 2) return -Abi.EINVAL; // u64 from the guest: no truncation to an int first
        long base = switch ((int) whence) {
            case 0 -> 0;                // WASI whence: SET
            case 1 -> ch.position();    // CUR
            case 2 -> ch.size();        // END
            default -> -1;
        };
        if (base < 0 || base + offset < 0) return -Abi.EINVAL;
        ch.position(base + offset);
        return base + offset;
    }

    private long fstat(long fd, long buf) throws IOException {
        memory.check(buf, Abi.ST_STRUCT_SIZE);
        if (fd <= 2) {
            memory.fill(buf, Abi.ST_STRUCT_SIZE, (byte) 0);
            memory.putByte(buf + Abi.ST_FILETYPE, (byte) 2); // character device
            return 0;
        }
        if (files.channel(fd) == null) return -Abi.EBADF;
        return putStat(buf, files.stat(fd));
    }

    private long putStat(long buf, BasicFileAttributes attrs) {
        memory.fill(buf, Abi.ST_STRUCT_SIZE, (byte) 0);
        memory.putByte(buf + Abi.ST_FILETYPE, (byte) (attrs.isDirectory() ? 3 : attrs.isRegularFile() ? 4 : 0));
        memory.putLong(buf + Abi.ST_NLINK, 1);
        memory.putLong(buf + Abi.ST_SIZE, attrs.size());
        memory.putLong(buf + Abi.ST_ATIM, attrs.lastAccessTime().toMillis() * 1_000_000);
        memory.putLong(buf + Abi.ST_MTIM, attrs.lastModifiedTime().toMillis() * 1_000_000);
        memory.putLong(buf + Abi.ST_CTIM, attrs.lastModifiedTime().toMillis() * 1_000_000);
        return 0;
    }
}
