package io.hexo.vmm.postcopy;

import io.hexo.vmm.checkpoint.Checkpoint;
import io.hexo.vmm.checkpoint.CheckpointPages;
import io.hexo.vmm.checkpoint.CheckpointReader;
import io.hexo.vmm.checkpoint.CheckpointWriter;
import io.hexo.vmm.loader.ImageInfo;
import io.hexo.vmm.memory.GuestMemory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The path from a migration point to the guest's next instruction on the other side, run once ahead on a
 * throwaway minimal checkpoint of this program (zeroed memory, in a temporary directory) while the guest
 * still runs (source) or waits (destination): a cold JVM spends most of that path loading and linking
 * classes — the manifest's JSON binding alone took 36 ms on the first resume — and running its loops in
 * the interpreter. So the throwaway checkpoint is written and read {@value #ROUNDS} times. (Its size does
 * not matter any more: a minimal checkpoint lists no pages, protocol 4.)
 */
final class WarmUp {
    private static final long DATA = 1 << 20;
    private static final int ROUNDS = 4;

    private static final java.nio.ByteBuffer STAGING = java.nio.ByteBuffer.allocateDirect(256 << 10);

    private WarmUp() {}

    /** On a background thread of low priority: the guest, or the wait, goes on meanwhile. */
    static void start(ImageInfo info) {
        Thread t = new Thread(() -> run(info), "hexo-postcopy-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    private static void run(ImageInfo info) {
        Path dir = null;
        long size = Math.max(DATA, (info.initialLinmem() + 65535) & ~65535L);
        try (GuestMemory memory = GuestMemory.allocate(size)) {
            for (long at = 0; at < size; at += 4096) memory.putByte(at, (byte) 1);
            dir = Files.createTempDirectory("hexo-postcopy-warm-up");
            for (int round = 0; round < ROUNDS; round++) once(dir, memory, size, info);
            // The calls the source's map and a destination's fillLazily make (their first JNA calls took ms).
            DataExtents.of(memory, 0, size);
            memory.discardData(0, size);
        } catch (Exception | LinkageError e) {
            // only a head start: the real path reports its own failures
        } finally {
            if (dir != null) delete(dir);
        }
    }

    /** The minimal checkpoint written, then opened for resume as a destination does. */
    private static void once(Path dir, GuestMemory memory, long size, ImageInfo info) throws Exception {
        CheckpointWriter.write(dir, memory, info, new CheckpointWriter.State("x86-64", "warm-up", 0, size, new long[info.globals()], 0, 0, 0, List.of()),
                new Checkpoint.PostCopy("0".repeat(64), "127.0.0.1:1"));
        CheckpointReader.Resumable r = CheckpointReader.openForResume(dir, info.moduleId(), minimal -> new CheckpointPages.Fetch() {
            @Override
            public void fetch(int region, int first, int count, java.nio.ByteBuffer dst) {}

            @Override
            public void fetchPages(int region, int firstPage, int count, java.nio.ByteBuffer dst, int[] lengths, int[] crcs) {
                java.util.Arrays.fill(lengths, 0, count, 0); // every page zero, as a page server says it
            }
        });
        try (CheckpointPages pages = r.pages()) {
            pages.read(0, STAGING.clear()); // the path of a fault's and the prefetcher's first block
        } catch (io.hexo.vmm.memory.PageSource.Failed e) {
            // the rest of the path is still worth warming
        }
        CheckpointReader.thread(r.checkpoint());
        CheckpointReader.openFiles(r.checkpoint());
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind
        }
    }
}
