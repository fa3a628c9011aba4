package io.hexo.e2e;

import org.junit.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * Post-copy migration between real `hexo run` processes: the source writes the minimal checkpoint and
 * serves pages, the destination (another process, its own copy of the minimal checkpoint) resumes at
 * once. The link goes through a relay this test controls, so it can be cut at any moment.
 */
public class PostCopyTest {
    static final Path HEXO = Hexo.HOME.resolve("hexo");
    private static final Pattern SERVER = Pattern.compile("--server (\\S+)");

    /** A program whose pages all hold data (64 MiB of them) and whose output depends on every one. */
    private static final Path TOUCHY = Hexo.program("postcopy-touchy", Map.of("touchy.c", """
            #include <stdio.h>
            #include <stdlib.h>
            #include <hermit/migration.h>
            #define N (16 << 20)
            int main(void) {
                unsigned *a = malloc(N * sizeof *a);
                for (unsigned i = 0; i < N; i++) a[i] = i * 2654435761u;
                popcorn_check_migrate();
                unsigned long long sum = 0;
                for (unsigned i = 0; i < N; i += 7) sum += a[i] ^ (sum >> 3);
                printf("sum %llu\\n", sum);
                return 0;
            }
            """), false);

    /** A running source: its process, its checkpoint directory, where it serves. */
    record Source(Process process, Path dir, Path out, Path err, String server) {
        String stderr() throws IOException { return Files.readString(err); }

        String stdout() throws IOException { return Files.readString(out); }
    }

    private static Source source(Path images, String isa, long point, String... options) throws Exception {
        return source(SERVER, images, isa, point, options);
    }

    /** A source started and past the line that said (group 1) where it serves: "--server HOST:PORT", or where it listens from the start. */
    static Source source(Pattern said, Path images, String isa, long point, String... options) throws Exception {
        Path dir = Hexo.tempDir("pc-src"), out = dir.resolveSibling(dir.getFileName() + ".out"), err = dir.resolveSibling(dir.getFileName() + ".err");
        List<String> cmd = new ArrayList<>(List.of(HEXO.toString(), "run", "--isa", isa, "--migrate-at-point", Long.toString(point), "--full-chkpt-save", "0",
                "--port", "0", "--checkpoint-dir", dir.toString(), "--workdir", dir.toString()));
        cmd.addAll(List.of(options));
        cmd.add(images.toString());
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            Matcher m = said.matcher(Files.readString(err));
            if (m.find()) return new Source(p, dir, out, err, m.group(1));
            assertTrue("the source ended before serving: " + Files.readString(err), p.isAlive());
            Thread.sleep(50);
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError("the source never said where it serves: " + Files.readString(err));
    }

    /** The destination's own copy of the minimal checkpoint (as `hexo transfer` or the Makefile's targets would make it). */
    static Path copyOf(Path dir) throws IOException {
        Path c = Hexo.tempDir("pc-dst");
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) if (p.getFileName().toString().contains(".bin")) Files.copy(p, c.resolve(p.getFileName()));
        }
        return c;
    }

    private static Hexo.Cli destination(Path images, String isa, Path dir, String server, String... options) {
        List<String> cmd = new ArrayList<>(List.of("run", "--isa", isa, "--resume", "--full-chkpt-restore", "0", "--server", server, "--checkpoint-dir", dir.toString(),
                "--workdir", dir.toString()));
        cmd.addAll(List.of(options));
        cmd.add(images.toString());
        return Hexo.cli(dir, cmd.toArray(String[]::new));
    }

    /** The launcher and hexo's JVM under it: a failed assertion must not leave a source serving for ever. */
    static void stop(Source s) throws InterruptedException {
        List<ProcessHandle> jvm = s.process().descendants().toList();
        jvm.forEach(ProcessHandle::destroyForcibly);
        s.process().destroyForcibly().waitFor();
        for (ProcessHandle h : jvm) h.onExit().join();
    }

    private static void migrate(Path images, String from, String to, long point, String expected) throws Exception {
        Source s = source(images, from, point);
        try {
            migrateFrom(s, images, from, to, expected);
        } finally {
            stop(s);
        }
    }

    private static void migrateFrom(Source s, Path images, String from, String to, String expected) throws Exception {
        Path copy = copyOf(s.dir());
        Hexo.Cli inspect = Hexo.cli(copy, "inspect", copy.toString());
        assertTrue(inspect.stdout(), inspect.stdout().contains("a post-copy migration's minimal checkpoint")
                && inspect.stdout().contains("--server " + s.server()));
        Hexo.Cli d = destination(images, to, copy, s.server());
        assertTrue(s.process().waitFor(60, TimeUnit.SECONDS));
        String label = images.getFileName() + " " + from + " -> " + to + ": ";
        assertEquals(label + d.stderr(), 0, d.status());
        assertEquals(label + s.stderr(), 75, s.process().exitValue());
        assertEquals(label, expected, s.stdout() + d.stdout());
        assertTrue(label + s.stderr(), s.stderr().contains("post-copy hand-over: "));
        assertTrue(label + s.stderr(), s.stderr().contains("nothing is left to resume here") && !s.stderr().contains("resume it with"));
        assertTrue(label + d.stderr(), d.stderr().contains("hand-over done"));
    }

    @Test
    public void samplesMigratedPostCopyPrintWhatAnUnmigratedRunPrints() throws Exception {
        String hello = Hexo.expected("hello-migrate");
        migrate(Hexo.sample("hello-migrate"), "x86", "arm", 8, hello);
        migrate(Hexo.sample("hello-migrate"), "arm", "x86", 8, hello);
        migrate(Hexo.sample("postcopy-100mb"), "x86", "x86", 1, Hexo.expected("postcopy-100mb"));
        String touchy = Hexo.run(TOUCHY, io.hexo.vmm.abi.Isa.X86_64, Hexo.options()).stdout();
        migrate(TOUCHY, "x86", "arm", 1, touchy);
        migrate(TOUCHY, "arm", "x86", 1, touchy);
    }

    /** Both sides' event streams: each phase in order, every page moved at the hand-over, the counts never going back. */
    @Test
    public void bothSidesSayTheirPhasesAndCountsOnTheEventStream() throws Exception {
        Path events = Hexo.tempDir("pc-events");
        Source s = source(TOUCHY, "x86", 1, "--events=json", "--events-to=" + events.resolve("source.jsonl"));
        try {
            Hexo.Cli d = destination(TOUCHY, "arm", copyOf(s.dir()), s.server(), "--events=json", "--events-to=" + events.resolve("destination.jsonl"));
            assertTrue(s.process().waitFor(60, TimeUnit.SECONDS));
            assertEquals(d.stderr(), 0, d.status());
            assertPhases(events.resolve("source.jsonl"), "source", List.of("serving", "handed-over"));
            assertPhases(events.resolve("destination.jsonl"), "destination", List.of("resumed", "handed-over"));
        } finally {
            stop(s);
        }
    }

    private static void assertPhases(Path file, String role, List<String> phases) throws IOException {
        List<io.hexo.vmm.run.RunEvent.PostCopyProgress> seen = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (io.hexo.vmm.run.RunEvent.parse(line) instanceof io.hexo.vmm.run.RunEvent.PostCopyProgress p) seen.add(p);
        }
        List<String> said = seen.stream().map(io.hexo.vmm.run.RunEvent.PostCopyProgress::phase).distinct().toList();
        assertEquals(role + ": " + seen, phases, said);
        long moved = 0;
        for (var p : seen) {
            assertEquals(role, p.role());
            assertTrue(role + ": counts went back: " + seen, p.pagesMoved() >= moved && p.pagesMoved() <= p.pagesTotal());
            moved = p.pagesMoved();
        }
        var last = seen.get(seen.size() - 1);
        assertEquals(role + " at the hand-over: " + last, last.pagesTotal(), last.pagesMoved());
        assertTrue(role + ": " + last, last.pagesTotal() > 0 && last.address().matches("127\\.0\\.0\\.1:\\d+"));
    }

    @Test
    public void aWrongTokenAndAnotherProgramsServerAreRefusedInOneSentence() throws Exception {
        Source a = source(TOUCHY, "x86", 1), b = source(TOUCHY, "x86", 1), other = source(Hexo.sample("hello-migrate"), "x86", 2);
        try {
            Hexo.Cli wrongToken = destination(TOUCHY, "x86", copyOf(a.dir()), b.server());
            assertEquals(wrongToken.stderr(), 2, wrongToken.status());
            assertTrue(wrongToken.stderr(), wrongToken.stderr().contains("refused the token"));
            assertEquals("", wrongToken.stdout());
            Hexo.Cli wrongProgram = destination(TOUCHY, "x86", copyOf(a.dir()), other.server());
            assertEquals(wrongProgram.stderr(), 2, wrongProgram.status());
            assertTrue(wrongProgram.stderr(), wrongProgram.stderr().contains("serves another program"));
            for (Hexo.Cli c : List.of(wrongToken, wrongProgram)) {
                assertEquals(c.stderr(), 1, c.stderr().lines().filter(l -> l.startsWith("hexo:") && !l.contains("engine:")).count());
            }
            // The refused ones took nothing: the right destination still gets the whole job.
            Hexo.Cli right = destination(TOUCHY, "x86", copyOf(a.dir()), a.server());
            assertEquals(right.stderr(), 0, right.status());
            assertTrue(a.process().waitFor(60, TimeUnit.SECONDS));
            assertEquals(75, a.process().exitValue());
        } finally {
            for (Source s : List.of(a, b, other)) stop(s);
        }
    }

    @Test
    public void theSourceKilledBeforeTheHandOverStopsTheDestinationCleanly() throws Exception {
        Source s = source(TOUCHY, "x86", 1);
        try (Relay relay = new Relay(s.server(), 64 << 10)) { // the link stalls after 64 KiB towards the destination
            Path dir = copyOf(s.dir());
            Process d = new ProcessBuilder(HEXO.toString(), "run", "--isa", "x86", "--resume", "--full-chkpt-restore", "0", "--server", relay.address(),
                    "--checkpoint-dir", dir.toString(), "--workdir", dir.toString(), TOUCHY.toString())
                    .redirectErrorStream(true).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (relay.forwarded() < 64 << 10 && System.nanoTime() < deadline) Thread.sleep(20);
            stop(s); // killed before the hand-over: the pages are gone with it
            relay.cutAll();
            String said = new String(d.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(d.waitFor(60, TimeUnit.SECONDS));
            assertEquals(said, 2, d.exitValue());
            assertTrue(said, said.contains("the page server at " + relay.address() + " is gone"));
            assertFalse(said, said.contains("sum "));
            assertFalse(said, said.contains("Exception"));
        }
    }

    /** TOUCHY with a pause after its migration point: a source that took its job back is still there to refuse a destination. */
    private static final Path SLOW = Hexo.program("postcopy-slow", Map.of("slow.c", """
            #include <stdio.h>
            #include <stdlib.h>
            #include <hermit/migration.h>
            extern void sys_msleep(int ms);
            #define N (16 << 20)
            int main(void) {
                unsigned *a = malloc(N * sizeof *a);
                for (unsigned i = 0; i < N; i++) a[i] = i * 2654435761u;
                popcorn_check_migrate();
                sys_msleep(8000);
                unsigned long long sum = 0;
                for (unsigned i = 0; i < N; i += 7) sum += a[i] ^ (sum >> 3);
                printf("sum %llu\\n", sum);
                return 0;
            }
            """), false);

    /** A destination started through relay (its output and stderr together, read at the end). */
    private static Process destinationProcess(Path images, Source s, Relay relay) throws IOException {
        Path dir = copyOf(s.dir());
        return new ProcessBuilder(HEXO.toString(), "run", "--isa", "x86", "--resume", "--full-chkpt-restore", "0", "--server", relay.address(),
                "--checkpoint-dir", dir.toString(), "--workdir", dir.toString(), images.toString()).redirectErrorStream(true).start();
    }

    private static void awaitForwarded(Relay relay, long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (relay.forwarded() < bytes && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue("the destination never fetched " + bytes + " bytes", relay.forwarded() >= bytes);
    }

    private static void awaitSaid(Source s, String words) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!s.stderr().contains(words) && System.nanoTime() < deadline) Thread.sleep(50);
        assertTrue(s.stderr(), s.stderr().contains(words));
    }

    /** Ctrl-C to the source's JVM (under the launcher, or the launcher itself once it exec'd java). */
    private static void interrupt(Source s) throws Exception {
        List<ProcessHandle> jvm = s.process().descendants().filter(h -> h.info().command().orElse("").endsWith("java")).toList();
        long pid = jvm.isEmpty() ? s.process().pid() : jvm.get(0).pid();
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor());
    }

    /**
     * The destination dies before the hand-over: the source, having heard nothing for longer than a
     * destination keeps trying, takes the job back and finishes it as an unmigrated run would.
     */
    @Test
    public void theDestinationKilledBeforeTheHandOverLetsTheSourceTakeTheJobBack() throws Exception {
        String expected = Hexo.run(TOUCHY, io.hexo.vmm.abi.Isa.X86_64, Hexo.options()).stdout();
        Source s = source(TOUCHY, "x86", 1);
        try (Relay relay = new Relay(s.server(), 64 << 10)) {
            Process d = destinationProcess(TOUCHY, s, relay);
            awaitForwarded(relay, 64 << 10);
            List<ProcessHandle> jvm = d.descendants().toList();
            jvm.forEach(ProcessHandle::destroyForcibly);
            d.destroyForcibly().waitFor();
            relay.cutAll();
            long killed = System.nanoTime();
            assertTrue(s.process().waitFor(90, TimeUnit.SECONDS));
            assertEquals(s.stderr(), 0, s.process().exitValue());
            assertEquals(expected, s.stdout());
            assertTrue(s.stderr(), s.stderr().contains("the source took the job back after no word from its destination for 18 s"));
            assertTrue("took back too early", System.nanoTime() - killed > TimeUnit.SECONDS.toNanos(12));
        } finally {
            stop(s);
        }
    }

    /**
     * Ctrl-C asks a serving source to take its job back at once; its destination, stalled meanwhile, comes
     * back and is refused in one sentence, stopping without output; the source finishes the job.
     */
    @Test
    public void aDestinationThatComesBackAfterTheTakeBackIsRefusedInOneSentence() throws Exception {
        String expected = Hexo.run(SLOW, io.hexo.vmm.abi.Isa.X86_64, Hexo.options()).stdout();
        Source s = source(SLOW, "x86", 1);
        try (Relay relay = new Relay(s.server(), 64 << 10)) {
            Process d = destinationProcess(SLOW, s, relay);
            awaitForwarded(relay, 64 << 10);
            interrupt(s);
            awaitSaid(s, "the source took the job back as asked");
            relay.release();
            String said = new String(d.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(d.waitFor(60, TimeUnit.SECONDS));
            assertEquals(said, 2, d.exitValue());
            assertTrue(said, said.contains("took this migration's job back and runs the guest on itself: a destination may not resume it; this run stops here, having let nothing out"));
            assertEquals(said, 1, said.lines().filter(l -> l.startsWith("hexo:") && !l.contains("engine:") && !l.startsWith("hexo: post-copy (")).count());
            assertFalse(said, said.contains("sum "));
            assertTrue(s.process().waitFor(60, TimeUnit.SECONDS));
            assertEquals(s.stderr(), 0, s.process().exitValue());
            assertEquals(expected, s.stdout());
        } finally {
            stop(s);
        }
    }

    /**
     * The link stays down between DONE and BYE for longer than the destination's window: the source has
     * taken DONE (handed over) and goes; the destination, not knowing, must neither run on nor discard the
     * guest. It writes the job's full checkpoint and says so, and resuming that finishes the job.
     */
    @Test
    public void aDestinationThatNeverHearsByeKeepsTheJobInAFullCheckpoint() throws Exception {
        String expected = Hexo.run(TOUCHY, io.hexo.vmm.abi.Isa.X86_64, Hexo.options()).stdout();
        Source s = source(TOUCHY, "x86", 1);
        try (Relay relay = new Relay(s.server(), -1)) {
            relay.holdByes();
            Process d = destinationProcess(TOUCHY, s, relay);
            String said = new String(d.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(d.waitFor(60, TimeUnit.SECONDS));
            assertEquals(said, 2, d.exitValue());
            assertTrue("no BYE was held: " + said, relay.byesHeld() > 0);
            assertTrue("the job is kept, not lost: " + said, said.contains("(destination): unconfirmed at") && !said.contains("(destination): lost at"));
            Matcher m = Pattern.compile("the job's full checkpoint \\(at its migration point\\) is in (\\S+): if the source said \"post-copy hand-over\"").matcher(said);
            assertTrue(said, m.find());
            assertFalse(said, said.contains("sum "));
            assertFalse(said, said.contains("Exception"));
            assertTrue(s.process().waitFor(60, TimeUnit.SECONDS));
            assertEquals(s.stderr(), 75, s.process().exitValue());
            assertTrue(s.stderr(), s.stderr().contains("post-copy hand-over: ") && !s.stderr().contains("took the job back"));
            Path dir = Path.of(m.group(1));
            Hexo.Cli inspect = Hexo.cli(dir, "inspect", dir.toString());
            assertFalse(inspect.stdout(), inspect.stdout().contains("minimal checkpoint"));
            Hexo.Cli resumed = Hexo.cli(dir, "run", "--isa", "x86", "--resume", "--checkpoint-dir", dir.toString(), "--workdir", dir.toString(), TOUCHY.toString());
            assertEquals(resumed.stderr(), 0, resumed.status());
            assertEquals(expected, s.stdout() + resumed.stdout());
            System.out.println("[postcopy] BYE held " + relay.byesHeld() + " times; the destination said: "
                    + said.lines().filter(l -> l.contains("full checkpoint")).findFirst().orElse(""));
        } finally {
            stop(s);
        }
    }

    @Test
    public void theLinkCutAtRandomMomentsNeverChangesTheResult() throws Exception {
        String expected = Hexo.run(TOUCHY, io.hexo.vmm.abi.Isa.X86_64, Hexo.options()).stdout();
        Random random = new Random(16);
        int cuts = 0, migrations = 0;
        while (cuts < 50) {
            Source s = source(TOUCHY, migrations % 2 == 0 ? "x86" : "arm", 1);
            try (Relay relay = new Relay(s.server(), -1)) {
                relay.cutAtRandom(random, 10);
                Hexo.Cli d = destination(TOUCHY, migrations % 3 == 0 ? "arm" : "x86", copyOf(s.dir()), relay.address());
                assertTrue(s.process().waitFor(60, TimeUnit.SECONDS));
                assertEquals("migration " + migrations + ", " + relay.cuts() + " cuts: " + d.stderr(), 0, d.status());
                assertEquals(s.stderr(), 75, s.process().exitValue());
                assertEquals("migration " + migrations + " after " + relay.cuts() + " cuts", expected, s.stdout() + d.stdout());
                cuts += relay.cuts();
            } finally {
                stop(s);
            }
            migrations++;
        }
        System.out.println("[postcopy] " + cuts + " link cuts over " + migrations + " migrations, every result right");
    }

    /**
     * A TCP relay between the destination and the source's page server: counts the bytes it forwards
     * towards the destination, and can stall or cut every connection.
     */
    static final class Relay implements AutoCloseable {
        private final ServerSocket socket;
        private final String target;
        private final long stallAfter;
        private final AtomicLong forwarded = new AtomicLong();
        private final List<Socket> open = new ArrayList<>();
        private volatile long cutAt = Long.MAX_VALUE;
        private volatile int cuts, cutsLeft;
        private volatile boolean released, holdByes;
        private final AtomicLong byesHeld = new AtomicLong();
        private Random random;

        /** stallAfter: stop forwarding towards the destination after this many bytes (-1: never). */
        Relay(String target, long stallAfter) throws IOException {
            this.target = target;
            this.stallAfter = stallAfter;
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::accept, "relay");
            t.setDaemon(true);
            t.start();
        }

        String address() { return "127.0.0.1:" + socket.getLocalPort(); }

        long forwarded() { return forwarded.get(); }

        /** BYE (its 5 bytes: length 1, type 7) is held back towards the destination until release(). */
        void holdByes() { holdByes = true; }

        long byesHeld() { return byesHeld.get(); }

        /** A stalled link flows again. */
        void release() { released = true; }

        int cuts() { return cuts; }

        /** Cuts every connection after a random number of forwarded bytes (up to 3 MiB), count times. */
        synchronized void cutAtRandom(Random r, int count) {
            random = r;
            cutsLeft = count;
            cutAt = forwarded.get() + 1 + r.nextInt(3 << 20);
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket in = socket.accept();
                    int colon = target.lastIndexOf(':');
                    Socket out = new Socket();
                    try {
                        out.connect(new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1))), 2000);
                    } catch (IOException e) {
                        in.close();
                        continue;
                    }
                    synchronized (this) { open.add(in); open.add(out); }
                    pump(in, out, false);
                    pump(out, in, true);
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void pump(Socket from, Socket to, boolean towardsDestination) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16 << 10];
                try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
                    int n;
                    while ((n = i.read(buf)) > 0) {
                        if (towardsDestination) {
                            while (stallAfter >= 0 && forwarded.get() >= stallAfter && !released) Thread.sleep(10);
                            if (holdByes && n == 5 && buf[0] == 1 && buf[1] == 0 && buf[2] == 0 && buf[3] == 0 && buf[4] == 7) {
                                byesHeld.incrementAndGet();
                                while (!released) Thread.sleep(10);
                            }
                            long now = forwarded.addAndGet(n);
                            if (now >= cutAt) { cut(); return; }
                        }
                        o.write(buf, 0, n);
                    }
                } catch (IOException | InterruptedException e) {
                    // cut, or the other side closed
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }, "relay-pump");
            t.setDaemon(true);
            t.start();
        }

        private synchronized void cut() {
            cuts++;
            cutAll();
            cutAt = --cutsLeft > 0 ? forwarded.get() + 1 + random.nextInt(3 << 20) : Long.MAX_VALUE;
        }

        synchronized void cutAll() {
            for (Socket s : open) closeQuietly(s);
            open.clear();
        }

        static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }

        @Override
        public void close() throws IOException {
            released = true;
            socket.close();
            cutAll();
        }
    }
}
