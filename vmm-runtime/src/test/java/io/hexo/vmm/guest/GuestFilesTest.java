package io.hexo.vmm.guest;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.hypercall.FileCalls;
import io.hexo.vmm.hypercall.HypercallTable;
import io.hexo.vmm.memory.GuestMemory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The guest's files, through the hypercalls a guest uses (FileCalls on a real GuestMemory) and
 * GuestFiles directly: everything inside the working directory works, nothing outside it is reachable
 * — by "..", by an absolute path, or through a symbolic link — and open files survive a checkpoint.
 */
public class GuestFilesTest {
    private static final long PATH_BUF = 0x10000, DATA_BUF = 0x20000, STAT_BUF = 0x30000;

    private Path root, work, outside;
    private GuestMemory memory;
    private GuestFiles files;
    private HypercallTable table;
    private final List<String> notices = new ArrayList<>();
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream(), stderr = new ByteArrayOutputStream();

    @Before
    public void setUp() throws IOException {
        root = Files.createTempDirectory("hexo-files-test").toRealPath();
        work = Files.createDirectories(root.resolve("work"));
        outside = Files.createDirectories(root.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "do not touch");
        Files.createDirectories(work.resolve("sub"));
        memory = GuestMemory.allocate(4 << 20);
        files = new GuestFiles(work, notices::add);
        GuestConsole console = new GuestConsole(new ByteArrayInputStream("typed input".getBytes(StandardCharsets.UTF_8)),
                stdout, stderr, notices::add, null);
        table = new HypercallTable(memory, new FileCalls(memory, files, console));
    }

    @After
    public void tearDown() throws IOException {
        files.close();
        memory.close();
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private long hc(int nr, long... args) {
        memory.putLong(Abi.HYPERCALL_ADDR + Abi.HC_NR, nr);
        for (int i = 0; i < 6; i++) memory.putLong(Abi.HYPERCALL_ADDR + Abi.HC_ARG0 + 8L * i, i < args.length ? args[i] : 0);
        memory.putLong(Abi.HYPERCALL_ADDR + Abi.HC_RET, 0x5A5A5A5A);
        assertTrue("a file hypercall never stops the guest", table.onDoorbell(Abi.HYPERCALL_ADDR));
        return memory.getLong(Abi.HYPERCALL_ADDR + Abi.HC_RET);
    }

    private long path(String p) {
        byte[] b = p.getBytes(StandardCharsets.UTF_8);
        memory.write(PATH_BUF, b);
        return b.length;
    }

    private long open(String p, int oflags, int fdflags) {
        long len = path(p);
        return hc(Abi.HC_OPEN, PATH_BUF, len, oflags, fdflags);
    }

    private long write(long fd, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        memory.write(DATA_BUF, b);
        return hc(Abi.HC_WRITE, fd, DATA_BUF, b.length);
    }

    private String read(long fd, int n) {
        memory.fill(DATA_BUF, n, (byte) 0);
        long r = hc(Abi.HC_READ, fd, DATA_BUF, n);
        assertTrue("read returned " + r, r >= 0);
        return new String(memory.read(DATA_BUF, (int) r), StandardCharsets.UTF_8);
    }

    private static final int RW = Abi.OPEN_READ | Abi.OPEN_WRITE;

    @Test
    public void openWriteSeekReadStatCloseUnlinkInsideTheWorkdir() throws IOException {
        long fd = open("data.txt", Abi.O_CREAT | RW, 0);
        assertEquals(GuestFiles.FIRST_FD, fd);
        assertEquals(11, write(fd, "hello world"));
        assertEquals("hello world", Files.readString(work.resolve("data.txt")));
        assertEquals(0, hc(Abi.HC_LSEEK, fd, 0, 0));
        assertEquals("hello", read(fd, 5));
        assertEquals(6, hc(Abi.HC_LSEEK, fd, 1, 1));          // CUR
        assertEquals("world", read(fd, 100));                  // short read at the end
        assertEquals("", read(fd, 10));                        // 0 at end of file
        assertEquals(6, hc(Abi.HC_LSEEK, fd, -5, 2));          // END
        assertEquals("world", read(fd, 5));
        assertEquals(-Abi.EINVAL, hc(Abi.HC_LSEEK, fd, -100, 0));
        assertEquals(-Abi.EINVAL, hc(Abi.HC_LSEEK, fd, 0, 7)); // no such whence
        assertEquals(-Abi.EINVAL, hc(Abi.HC_LSEEK, fd, 0, 0x1_0000_0000L)); // not SET: whence is a u64
        assertEquals(-Abi.EINVAL, hc(Abi.HC_LSEEK, fd, 0, -1));
        assertEquals(-Abi.EINVAL, hc(Abi.HC_LSEEK, fd, Long.MAX_VALUE, 2)); // overflows
        assertEquals(11, hc(Abi.HC_LSEEK, fd, 0, 1));
        assertEquals(-Abi.ESPIPE, hc(Abi.HC_LSEEK, 1, 0, 0));

        assertEquals(0, hc(Abi.HC_FSTAT, fd, STAT_BUF));
        assertEquals(4, memory.getByte(STAT_BUF + Abi.ST_FILETYPE));   // regular file
        assertEquals(11, memory.getLong(STAT_BUF + Abi.ST_SIZE));
        assertEquals(1, memory.getLong(STAT_BUF + Abi.ST_NLINK));
        assertEquals(Files.getLastModifiedTime(work.resolve("data.txt")).toMillis() * 1_000_000, memory.getLong(STAT_BUF + Abi.ST_MTIM));
        long len = path("data.txt");
        assertEquals(0, hc(Abi.HC_STAT, PATH_BUF, len, STAT_BUF));
        assertEquals(11, memory.getLong(STAT_BUF + Abi.ST_SIZE));
        len = path("sub");
        assertEquals(0, hc(Abi.HC_STAT, PATH_BUF, len, STAT_BUF));
        assertEquals(3, memory.getByte(STAT_BUF + Abi.ST_FILETYPE));   // directory
        assertEquals(0, hc(Abi.HC_FSTAT, 1, STAT_BUF));
        assertEquals(2, memory.getByte(STAT_BUF + Abi.ST_FILETYPE));   // console: character device

        assertEquals(0, hc(Abi.HC_CLOSE, fd));
        assertEquals(-Abi.EBADF, hc(Abi.HC_CLOSE, fd));
        assertEquals(-Abi.EBADF, hc(Abi.HC_READ, fd, DATA_BUF, 4));
        assertEquals(-Abi.EBADF, write(fd, "x"));
        assertEquals(-Abi.EBADF, hc(Abi.HC_FSTAT, fd, STAT_BUF));

        len = path("data.txt");
        assertEquals(0, hc(Abi.HC_UNLINK, PATH_BUF, len));
        assertFalse(Files.exists(work.resolve("data.txt")));
        assertEquals(-Abi.ENOENT, hc(Abi.HC_UNLINK, PATH_BUF, len));
        assertEquals(-Abi.ENOENT, hc(Abi.HC_STAT, PATH_BUF, len, STAT_BUF));
        assertEquals(-Abi.ENOENT, open("data.txt", Abi.OPEN_READ, 0));
        len = path("sub");
        assertEquals(-Abi.EISDIR, hc(Abi.HC_UNLINK, PATH_BUF, len));
        assertTrue(notices.isEmpty());
    }

    @Test
    public void flagsAndModes() throws IOException {
        Files.writeString(work.resolve("existing"), "0123456789");
        assertEquals(-Abi.EEXIST, open("existing", Abi.O_CREAT | Abi.O_EXCL | Abi.OPEN_WRITE, 0));
        assertEquals(-Abi.EISDIR, open("sub", Abi.OPEN_READ, 0));
        assertEquals(-Abi.ENOTDIR, open("existing", Abi.O_DIRECTORY | Abi.OPEN_READ, 0));

        long ro = open("existing", Abi.OPEN_READ, 0);
        assertEquals(-Abi.EBADF, write(ro, "no"));
        assertEquals("0123", read(ro, 4));
        long wo = open("existing", Abi.OPEN_WRITE, 0);
        assertEquals(-Abi.EBADF, hc(Abi.HC_READ, wo, DATA_BUF, 4));
        long noRights = open("existing", 0, 0); // neither right asked: read
        assertEquals("01", read(noRights, 2));

        long app = open("existing", Abi.OPEN_WRITE, Abi.FD_APPEND);
        assertEquals(0, hc(Abi.HC_LSEEK, app, 0, 0));
        assertEquals(3, write(app, "abc"));
        assertEquals("0123456789abc", Files.readString(work.resolve("existing")));

        long trunc = open("existing", Abi.O_TRUNC | Abi.OPEN_WRITE, 0);
        assertTrue(trunc >= GuestFiles.FIRST_FD);
        assertEquals(0, Files.size(work.resolve("existing")));

        long nested = open("sub/inner.txt", Abi.O_CREAT | RW, 0);
        assertEquals(2, write(nested, "in"));
        assertEquals("in", Files.readString(work.resolve("sub/inner.txt")));
        // ".." that stays inside is fine.
        long back = open("sub/../sub/./inner.txt", Abi.OPEN_READ, 0);
        assertEquals("in", read(back, 10));
        // A symbolic link that stays inside is fine too.
        Files.createSymbolicLink(work.resolve("inner-link"), work.resolve("sub/inner.txt"));
        assertEquals("in", read(open("inner-link", Abi.OPEN_READ, 0), 10));
        // Descriptors are reused lowest first.
        assertEquals(0, hc(Abi.HC_CLOSE, ro));
        assertEquals(ro, open("existing", Abi.OPEN_READ, 0));
        assertTrue(notices.toString(), notices.isEmpty());

        // The console.
        byte[] hi = "to stdout".getBytes(StandardCharsets.UTF_8);
        memory.write(DATA_BUF, hi);
        assertEquals(hi.length, hc(Abi.HC_WRITE, 1, DATA_BUF, hi.length));
        assertEquals(3, hc(Abi.HC_WRITE, 2, DATA_BUF, 3));
        assertEquals("to stdout", stdout.toString(StandardCharsets.UTF_8));
        assertEquals("to ", stderr.toString(StandardCharsets.UTF_8));
        assertEquals("typed", read(0, 5));
        assertEquals(-Abi.EBADF, hc(Abi.HC_READ, 1, DATA_BUF, 5));
        assertEquals(-Abi.EFAULT, hc(Abi.HC_WRITE, 1, memory.size() - 2, 3));
    }

    /** Each refused access: -ENOTCAPABLE for open (creating), unlink and stat, one notice each, nothing outside touched. */
    private void assertRefused(String guestPath) throws IOException {
        List<String> before = listing(root);
        notices.clear();
        assertEquals(guestPath, -Abi.ENOTCAPABLE, open(guestPath, Abi.O_CREAT | Abi.O_TRUNC | RW, 0));
        assertEquals(guestPath, -Abi.ENOTCAPABLE, open(guestPath, Abi.OPEN_READ, 0));
        long len = path(guestPath);
        assertEquals(guestPath, -Abi.ENOTCAPABLE, hc(Abi.HC_UNLINK, PATH_BUF, len));
        assertEquals(guestPath, -Abi.ENOTCAPABLE, hc(Abi.HC_STAT, PATH_BUF, len, STAT_BUF));
        assertEquals(guestPath + ": " + notices, 4, notices.size());
        for (String n : notices) {
            assertTrue(n, n.contains(guestPath) && n.contains("outside its working directory") && !n.contains("\n"));
        }
        assertEquals(guestPath + " changed something", before, listing(root));
        assertEquals("do not touch", Files.readString(outside.resolve("secret")));
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> dir.relativize(p) + (Files.isRegularFile(p) ? ":" + p.toFile().length() : "")).sorted().toList();
        }
    }

    @Test
    public void escapesAreRefusedWithANotice() throws IOException {
        Files.createSymbolicLink(work.resolve("link-dir"), outside);
        Files.createSymbolicLink(work.resolve("link-file"), outside.resolve("secret"));
        Files.createSymbolicLink(work.resolve("sub/up"), Path.of(".."));           // relative, inside: fine
        Files.createSymbolicLink(work.resolve("sub/upup"), Path.of("../.."));      // relative, outside
        for (String p : List.of("../x", "../outside/secret", "/etc/passwd", outside.resolve("secret").toString(),
                outside.resolve("new").toString(), "a/../../x", "sub/../../outside/secret", "./../x", "sub/../..",
                "link-dir/secret", "link-dir/new-file", "link-file", "sub/upup/outside/secret", "sub/upup/x", "..")) {
            assertRefused(p);
        }
        assertFalse(Files.exists(root.resolve("x")));
        assertFalse(Files.exists(outside.resolve("new")));
        assertFalse(Files.exists(outside.resolve("new-file")));
        // ".." is resolved on the path's text before any link is followed, so "sub/up/../../x" is work/x
        // (POSIX would follow sub/up first and land outside): what is opened is always what was checked.
        long viaDots = open("sub/up/../../x", Abi.O_CREAT | RW, 0);
        assertTrue(viaDots >= GuestFiles.FIRST_FD);
        assertTrue(Files.exists(work.resolve("x")));
        assertFalse(Files.exists(root.resolve("x")));
        // Through the inside link, still inside.
        Files.writeString(work.resolve("here"), "inside");
        assertEquals("inside", read(open("sub/up/here", Abi.OPEN_READ, 0), 100));
    }

    @Test
    public void aDanglingLinkCannotCreateAFileOutside() throws IOException {
        Files.createSymbolicLink(work.resolve("dangling"), outside.resolve("created-through-link"));
        Files.createSymbolicLink(work.resolve("dangling-dir"), outside.resolve("no-such-dir"));
        assertRefused("dangling");
        assertRefused("dangling-dir/x");
        assertFalse(Files.exists(outside.resolve("created-through-link")));
        assertFalse(Files.exists(outside.resolve("no-such-dir")));
    }

    @Test
    public void aDanglingLinkToAFileInsideCreatesItThere() throws IOException {
        Files.createDirectories(work.resolve("results"));
        Files.createSymbolicLink(work.resolve("latest"), Path.of("results/run-1.txt"));
        Files.createSymbolicLink(work.resolve("chained"), work.resolve("latest"));
        Files.createSymbolicLink(work.resolve("loop-a"), work.resolve("loop-b"));
        Files.createSymbolicLink(work.resolve("loop-b"), work.resolve("loop-a"));
        long fd = open("chained", Abi.O_CREAT | RW, 0);
        assertTrue("fd " + fd + ", notices " + notices, fd >= 0);
        files.close(fd);
        assertTrue(Files.isRegularFile(work.resolve("results/run-1.txt")));
        assertRefused("loop-a");
    }

    @Test
    public void guestFilesResolveDirectly() throws IOException {
        assertNull(files.resolve("../x"));
        assertNull(files.resolve("/etc/passwd"));
        assertEquals(work.resolve("a/b"), files.resolve("a/./b"));
        assertEquals(work, files.workdir());
        try {
            files.stat("/etc/passwd");
            fail();
        } catch (AccessDeniedException e) {
            assertEquals("/etc/passwd", e.getFile());
        }
        // A NUL in a path: refused, not an exception.
        assertEquals(-Abi.ENOTCAPABLE, files.open("a\0b", Abi.O_CREAT | RW, 0));
    }

    @Test
    public void snapshotAndRestoreKeepDescriptorsPathsModesAndOffsets() throws IOException {
        Files.writeString(work.resolve("input.txt"), "line one\nline two\n");
        long in = open("input.txt", Abi.OPEN_READ, 0);
        assertEquals("line one\n", read(in, 9));
        long out = open("sub/out.log", Abi.O_CREAT | Abi.OPEN_WRITE, Abi.FD_APPEND);
        assertEquals(6, write(out, "first\n"));
        long both = open("both.bin", Abi.O_CREAT | RW, 0);
        assertEquals(10, write(both, "0123456789"));
        assertEquals(3, hc(Abi.HC_LSEEK, both, 3, 0));
        assertEquals(0, hc(Abi.HC_CLOSE, in));       // a hole at fd 4
        in = open("input.txt", Abi.OPEN_READ, 0);     // fills it again
        assertEquals("line ", read(in, 5));

        List<GuestFiles.OpenFile> snap = files.snapshot();
        assertEquals(List.of(
                new GuestFiles.OpenFile((int) in, "input.txt", 5, true, false, false, 18L, crc("line one\nline two\n")),
                new GuestFiles.OpenFile((int) out, "sub/out.log", 6, false, true, true, 6L, crc("first\n")),
                new GuestFiles.OpenFile((int) both, "both.bin", 3, true, true, false, 10L, crc("0123456789"))), snap);

        // Another VMM with a copy of the working directory (what a migration does).
        Path work2 = Files.createDirectories(root.resolve("work2"));
        try (Stream<Path> s = Files.walk(work)) {
            for (Path p : s.toList()) {
                Path q = work2.resolve(work.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q);
            }
        }
        List<String> notices2 = new ArrayList<>();
        try (GuestFiles restored = new GuestFiles(work2, notices2::add)) {
            restored.restore(snap);
            assertEquals(snap, restored.snapshot());
            assertEquals(5, restored.channel(in).position());
            assertTrue(restored.canRead(in) && !restored.canWrite(in));
            assertTrue(restored.canWrite(out) && restored.appends(out) && !restored.canRead(out));
            assertTrue(restored.canRead(both) && restored.canWrite(both) && !restored.appends(both));
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(3);
            restored.channel(in).read(b);
            assertArrayEquals("one".getBytes(StandardCharsets.UTF_8), b.array());
            // The next descriptor skips the restored ones.
            assertEquals(both + 1, restored.open("fresh", Abi.O_CREAT | Abi.OPEN_WRITE, 0));
            assertTrue(notices2.isEmpty());
        }
        // A file that changed after the checkpoint is reported, not silently resumed.
        Files.writeString(work2.resolve("input.txt"), "line one\nline 2!\n");
        try (GuestFiles changed = new GuestFiles(work2, notices2::add)) {
            changed.restore(snap);
            fail("resumed with a changed open file");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("input.txt open with 18 bytes at the checkpoint, and it has changed since"));
        }
        Files.writeString(work2.resolve("input.txt"), "line one\n");
        try (GuestFiles truncated = new GuestFiles(work2, notices2::add)) {
            truncated.restore(snap);
            fail("resumed with a truncated open file");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("(9 bytes now)"));
        }
        // A checkpoint naming a file outside the directory is refused.
        try (GuestFiles other = new GuestFiles(work2, notices2::add)) {
            other.restore(List.of(new GuestFiles.OpenFile(GuestFiles.FIRST_FD, "../outside/secret", 0, true, false, false)));
            fail("restored a file outside the working directory");
        } catch (AccessDeniedException e) {
            assertEquals(1, notices2.size());
        }
    }

    @Test
    public void anAbsolutePathIsServedByItsMountAndRecordedAsTheGuestSeesIt() throws IOException {
        List<String> seen = new ArrayList<>();
        try (GuestFiles mounted = new GuestFiles(work, List.of(GuestFiles.Mount.parse(outside + ":/data")), seen::add)) {
            long fd = mounted.open("/data/secret", Abi.OPEN_READ, 0);
            assertTrue(fd >= GuestFiles.FIRST_FD);
            assertEquals("/data/secret", mounted.snapshot().get(0).path());
            assertEquals(-Abi.ENOTCAPABLE, mounted.open("/data/../work/x", Abi.OPEN_READ, 0));
            assertEquals(-Abi.ENOTCAPABLE, mounted.open("/elsewhere/x", Abi.OPEN_READ, 0));
            assertEquals(2, seen.size());
            assertTrue(seen.get(1), seen.get(1).contains("/elsewhere/x") && seen.get(1).contains("--mount HOST_DIR:/elsewhere"));
        }
    }

    @Test
    public void anAbsolutePathWithoutAMountIsRefusedNotRedirected() throws IOException {
        Files.writeString(work.resolve("tmp-file"), "in the working directory");
        assertEquals(-Abi.ENOTCAPABLE, files.open("/tmp-file", Abi.OPEN_READ, 0));
        assertEquals(1, notices.size());
        assertTrue(notices.get(0), notices.get(0).contains("/tmp-file") && notices.get(0).contains("--mount"));
        // The working directory's own absolute path is the working directory.
        long fd = files.open(work.resolve("tmp-file").toString(), Abi.OPEN_READ, 0);
        assertTrue(fd >= GuestFiles.FIRST_FD);
        assertEquals("tmp-file", files.snapshot().get(0).path());
    }

    @Test
    public void aMountedFileReopensOnlyWhereItIsMounted() throws IOException {
        List<GuestFiles.OpenFile> snap;
        try (GuestFiles mounted = new GuestFiles(work, List.of(GuestFiles.Mount.parse(outside + ":/data")), notices::add)) {
            long fd = mounted.open("/data/secret", Abi.OPEN_READ, 0);
            mounted.channel(fd).position(3);
            snap = mounted.snapshot();
        }
        try (GuestFiles without = new GuestFiles(work, notices::add)) {
            without.restore(snap);
            fail("reopened a mounted file without its mount");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("/data/secret") && e.getMessage().contains("--mount HOST_DIR:/data"));
        }
        Path elsewhere = Files.createDirectories(root.resolve("copy"));
        Files.writeString(elsewhere.resolve("secret"), "do not touch");
        try (GuestFiles with = new GuestFiles(work, List.of(GuestFiles.Mount.parse(elsewhere + ":/data")), notices::add)) {
            with.restore(snap);
            assertEquals(3, with.channel(snap.get(0).fd()).position());
        }
    }

    @Test
    public void aBadMountIsOneSentence() {
        for (String spec : List.of("relative-dir", root.resolve("missing") + ":/x", outside + ":relative", ":/x")) {
            try {
                GuestFiles.Mount.parse(spec);
                fail("accepted --mount " + spec);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("--mount "));
            }
        }
    }

    private static String crc(String content) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(content.getBytes(StandardCharsets.UTF_8));
        return java.util.HexFormat.of().toHexDigits((int) c.getValue());
    }

    @Test(timeout = 10_000) // before openat2 with O_NONBLOCK, opening the FIFO blocked the VMM for good
    public void fifosAndDevicesInsideTheWorkdirAreRefusedWithoutBlocking() throws Exception {
        assertEquals(0, new ProcessBuilder("mkfifo", work.resolve("pipe").toString()).start().waitFor());
        Files.createSymbolicLink(work.resolve("null-link"), Path.of("/dev/null"));
        long t0 = System.nanoTime();
        assertEquals(-Abi.ENOTCAPABLE, open("pipe", Abi.OPEN_READ, 0));
        assertEquals(-Abi.ENOTCAPABLE, open("pipe", Abi.OPEN_WRITE, 0));
        assertTrue("opening a FIFO must not wait for a peer", System.nanoTime() - t0 < 2_000_000_000L);
        assertEquals(-Abi.ENOTCAPABLE, open("null-link", Abi.OPEN_READ, 0));
        assertEquals(0, new ProcessBuilder("mknod", work.resolve("zero").toString(), "c", "1", "5").start().waitFor());
        assertEquals(-Abi.ENOTCAPABLE, open("zero", Abi.OPEN_READ, 0));
        assertTrue(notices.toString(), notices.stream().anyMatch(n -> n.contains("pipe, which is not a regular file")));
    }
}
