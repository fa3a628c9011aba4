package io.hexo.vmm.checkpoint;

import com.sun.nio.file.ExtendedOpenOption;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.Consumer;

/**
 * A file written front to back through a few aligned buffers that a second thread writes out while the
 * caller fills the next one, with O_DIRECT where the file system allows it.
 *
 * <p>Why O_DIRECT: on this kind of VM the kernel's first use of a page-cache page costs about as much as
 * the copy into it, so a buffered write of a few hundred MB into a new file runs at 0.2–0.4 GB/s, while
 * the disk takes 1.2–1.7 GB/s straight from a warm buffer. Guest memory cannot be handed to O_DIRECT
 * itself (a region starts anywhere in linear memory, O_DIRECT wants 4 KiB-aligned addresses), so pages are
 * copied into these buffers, which stay warm from one checkpoint to the next. Where O_DIRECT is refused
 * (some file systems; a block size other than a divisor of 4 KiB) the same code writes through the page
 * cache, saying so once.
 *
 * <p>Bytes before {@link #START} are not streamed: the caller writes that first block last
 * ({@link #finish}), when it knows what the header says.
 */
final class DirectWriter implements AutoCloseable {
    static final int ALIGN = 4096;
    /** Streaming starts here: the first block is the caller's, written last. */
    static final int START = ALIGN;
    private static final int BUFFER = 8 << 20, BUFFERS = 3;
    /** Buffers kept between checkpoints: allocating (zeroing) 24 MiB anew would be the first-use cost again. */
    private static final ArrayBlockingQueue<ByteBuffer> POOL = new ArrayBlockingQueue<>(BUFFERS);
    private static volatile boolean refusalSaid;

    private record Job(ByteBuffer buf, long at) {}
    private static final Job END = new Job(null, -1);

    private final FileChannel ch;
    private final boolean direct;
    private final List<ByteBuffer> owned = new ArrayList<>();
    private final ArrayBlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERS);
    private final ArrayBlockingQueue<Job> full = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final Thread writer;
    private volatile IOException failed;
    private ByteBuffer cur;
    /** File position of cur's first byte. */
    private long at = START;
    private boolean finished;
    /** For StepTimes: time in write calls, and time the writer waited for a full buffer (the scan was slower). */
    private long diskNanos, idleNanos;

    private DirectWriter(FileChannel ch, boolean direct, long sizeHint) {
        this.ch = ch;
        this.direct = direct;
        // A file known to be small (most regions but one) gets a small buffer of its own: neither a pooled
        // 8 MiB one to allocate nor one to zero.
        cur = sizeHint < BUFFER ? ByteBuffer.allocateDirect((int) ((sizeHint + 2L * ALIGN - 1) & -ALIGN) + ALIGN).alignedSlice(ALIGN) : newBuffer();
        writer = new Thread(this::drain, "hexo-checkpoint-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** A buffer from the pool, or a new one: a small file (most regions but one) never needs a second. */
    private ByteBuffer newBuffer() {
        ByteBuffer b = POOL.poll();
        if (b == null) b = ByteBuffer.allocateDirect(BUFFER + ALIGN).alignedSlice(ALIGN);
        owned.add(b);
        return b.clear();
    }

    /** Allocates the buffers ahead of the first checkpoint (see {@link CheckpointWriter#warmUp}). */
    static void warmUp() {
        while (POOL.remainingCapacity() > 0) {
            if (!POOL.offer(ByteBuffer.allocateDirect(BUFFER + ALIGN).alignedSlice(ALIGN))) break;
        }
    }

    /**
     * Creates (or truncates) path for writing, never following a link planted under its name; with O_DIRECT
     * when wantDirect and the file system takes it, else through the page cache (said once on notices).
     * sizeHint: at least the bytes the file will have past {@link #START}.
     */
    static DirectWriter create(Path path, boolean wantDirect, Consumer<String> notices, long sizeHint) throws IOException {
        List<OpenOption> opts = new ArrayList<>(List.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
        if (wantDirect) {
            Path dir = path.toAbsolutePath().getParent();
            String why = refusal(dir);
            if (why == null) {
                List<OpenOption> withDirect = new ArrayList<>(opts);
                withDirect.add(ExtendedOpenOption.DIRECT);
                try {
                    return new DirectWriter(FileChannel.open(path, withDirect.toArray(OpenOption[]::new)), true, sizeHint);
                } catch (IOException | UnsupportedOperationException e) {
                    why = "it refuses O_DIRECT";
                    verdict = new Verdict(dir, why);
                }
            }
            sayRefusal(dir, why, notices);
        }
        return new DirectWriter(FileChannel.open(path, opts.toArray(OpenOption[]::new)), false, sizeHint);
    }

    private static void sayRefusal(Path dir, String why, Consumer<String> notices) {
        if (refusalSaid) return;
        refusalSaid = true;
        String line = "hexo: checkpoints in " + dir + " are written through the page cache (" + why + "): slower, equally safe";
        if (notices != null) notices.accept(line); else System.err.println(line);
    }

    /**
     * Whether e is a file system refusing O_DIRECT writes (EINVAL) in path's directory, which took O_DIRECT
     * at open: then its files are written through the page cache from now on (said once), and the caller
     * writes the file again.
     */
    static boolean refusedDirectWrites(Path path, IOException e, Consumer<String> notices) {
        Path dir = path.toAbsolutePath().getParent();
        if (refusal(dir) != null || e.getMessage() == null || !e.getMessage().contains("Invalid argument")) return false;
        String why = "it refuses O_DIRECT writes";
        verdict = new Verdict(dir, why);
        sayRefusal(dir, why, notices);
        return true;
    }

    /** Why O_DIRECT cannot be used in a directory (null: it can), remembered for the directory last asked about. */
    private record Verdict(Path dir, String why) {}
    private static volatile Verdict verdict;

    private static String refusal(Path dir) {
        Verdict v = verdict;
        if (v != null && v.dir().equals(dir)) return v.why();
        String why = null;
        try {
            // Files.getFileStore reads the mount table: once per directory, not per file.
            long block = Files.getFileStore(dir).getBlockSize();
            if (block <= 0 || block > ALIGN || ALIGN % block != 0) why = "its block size is " + block + " bytes";
        } catch (IOException | UnsupportedOperationException e) {
            why = "its block size is unknown";
        }
        verdict = new Verdict(dir, why);
        return why;
    }

    boolean direct() { return direct; }

    /** Nanoseconds spent in write calls (valid after {@link #finish}). */
    long diskNanos() { return diskNanos; }

    /** Nanoseconds the writer waited for the next full buffer (valid after {@link #finish}). */
    long idleNanos() { return idleNanos; }

    /** The file position the next byte goes to. */
    long position() { return at + cur.position(); }

    /** Appends src's remaining bytes (src's position moves to its limit). */
    void put(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), cur.remaining());
            cur.put(src.slice(src.position(), n));
            src.position(src.position() + n);
            if (!cur.hasRemaining()) submit();
        }
    }

    private void submit() throws IOException {
        if (failed != null) throw failed;
        cur.flip();
        long len = cur.limit();
        putQuietly(full, new Job(cur, at));
        at += len;
        cur = free.poll();
        if (cur == null) cur = owned.size() < BUFFERS ? newBuffer() : takeQuietly(free);
        if (failed != null) throw failed;
    }

    /**
     * Writes what is buffered, then firstBlock (at most {@link #START} bytes) at offset 0, cuts the file to
     * the bytes appended, and forces it to disk when asked. Returns the file's size.
     */
    long finish(ByteBuffer firstBlock, boolean force) throws IOException {
        long end = position();
        if (direct) {
            // O_DIRECT writes whole blocks: the last one is padded, and the padding cut off below.
            int pad = (int) (-cur.position() & (ALIGN - 1));
            for (int i = 0; i < pad; i++) cur.put((byte) 0);
        }
        if (cur.position() > 0) submit();
        finished = true;
        putQuietly(full, END);
        joinQuietly();
        if (failed != null) throw failed;
        ByteBuffer first = cur.clear().limit(START);
        first.put(firstBlock);
        while (first.hasRemaining()) first.put((byte) 0);
        first.flip();
        while (first.hasRemaining()) ch.write(first, first.position());
        ch.truncate(end);
        if (force) ch.force(false); // fdatasync: the data and the size that finds it; the directory is forced once at commit
        return end;
    }

    private void drain() {
        while (true) {
            long t0 = System.nanoTime();
            Job j = takeQuietly(full);
            long t1 = System.nanoTime();
            if (j == END) return;
            idleNanos += t1 - t0;
            try {
                if (failed == null) {
                    while (j.buf().hasRemaining()) ch.write(j.buf(), j.at() + j.buf().position());
                }
                diskNanos += System.nanoTime() - t1;
            } catch (IOException e) {
                failed = e;
            } catch (RuntimeException e) {
                failed = new IOException(e.toString(), e);
            }
            putQuietly(free, j.buf().clear());
        }
    }

    @Override
    public void close() throws IOException {
        if (!finished) {
            finished = true;
            putQuietly(full, END);
            joinQuietly();
        }
        for (ByteBuffer b : owned) POOL.offer(b.clear());
        ch.close();
    }

    private void joinQuietly() {
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    // Interrupts are kept for the caller to see, not acted on half-way: a file's bookkeeping (buffers handed
    // back, the writer thread ended) must complete, and the checkpoint then fails or is whole.
    private static <T> T takeQuietly(ArrayBlockingQueue<T> q) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return q.take();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static <T> void putQuietly(ArrayBlockingQueue<T> q, T v) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    q.put(v);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
