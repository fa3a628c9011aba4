package io.hexo.e2e;

import org.junit.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * Post-copy protocol 4 (docs/architecture.md, "Post-copy protocol"): the destination resumes knowing no
 * page and asks for whatever its guest touches before the source's map of the pages that hold data arrives;
 * a peer of another protocol version is refused in one sentence. Real `hexo run` processes; the link goes
 * through a relay that reads the protocol's framing, so it can hold the map back and see what passed meanwhile.
 */
public class PostCopyMapTest {
    private static final int GET = 4, PAGES = 5, MAP = 11, REFUSED = 3, WELCOME = 2, HELLO = 1;

    /** 16 MiB that hold data and 16 MiB the program never wrote before its point (zero), both read right after it. */
    private static final Path HALF_ZERO = Hexo.program("postcopy-half-zero", Map.of("halfzero.c", """
            #include <stdio.h>
            #include <stdlib.h>
            #include <hermit/migration.h>
            #define N (4 << 20)
            int main(void) {
                unsigned *a = malloc(N * sizeof *a), *z = malloc(N * sizeof *z);
                for (unsigned i = 0; i < N; i++) a[i] = i * 2654435761u;
                popcorn_check_migrate();
                unsigned long long sum = 0, zeros = 0;
                for (unsigned i = 0; i < N; i += 512) { sum += a[i] ^ (sum >> 3); zeros += z[i] == 0; }
                for (unsigned i = 0; i < N; i += 1024) z[i] = a[i] + 1;
                for (unsigned i = 0; i < N; i += 1024) sum += z[i];
                printf("sum %llu, %llu zero words seen\\n", sum, zeros);
                return 0;
            }
            """), false);

    /**
     * Pages touched before the map arrives — data and zero ones — are asked for and served right: the relay
     * holds every MAP back for 3 s (less than the destination's 4 s read timeout), counting the pages answered
     * meanwhile, and the output is an unmigrated run's. x86 -> x86 (KVM where /dev/kvm is, the process engine
     * elsewhere) and x86 -> arm (the process engine under qemu-user).
     */
    @Test
    public void pagesTouchedBeforeTheMapArrivesAreServedRight() throws Exception {
        String expected = Hexo.run(HALF_ZERO, io.hexo.vmm.abi.Isa.X86_64, Hexo.options()).stdout();
        assertTrue(expected, expected.contains(", 8192 zero words seen"));
        for (String to : List.of("x86", "arm")) {
            PostCopyTest.Source s = PostCopyTest.source(java.util.regex.Pattern.compile("--server (\\S+)"), HALF_ZERO, "x86", 1);
            try (FramingRelay relay = new FramingRelay(s.server(), 3000)) {
                Path dir = PostCopyTest.copyOf(s.dir());
                Hexo.Cli d = Hexo.cli(dir, "run", "--isa", to, "--resume", "--full-chkpt-restore", "0", "--server", relay.address(),
                        "--checkpoint-dir", dir.toString(), "--workdir", dir.toString(), HALF_ZERO.toString());
                assertTrue(s.process().waitFor(60, TimeUnit.SECONDS));
                String label = "x86 -> " + to + ": ";
                assertEquals(label + d.stderr(), 0, d.status());
                assertEquals(label + s.stderr(), 75, s.process().exitValue());
                assertEquals(label, expected, s.stdout() + d.stdout());
                assertTrue(label + "no MAP was held", relay.mapsHeld.get() > 0);
                assertTrue(label + "no page with data was answered before the map: " + relay, relay.dataPagesBeforeMap.get() > 0);
                assertTrue(label + "no zero page was answered before the map: " + relay, relay.zeroPagesBeforeMap.get() > 0);
                System.out.println("[postcopy-map] " + label + relay);
            } finally {
                PostCopyTest.stop(s);
            }
        }
    }

    /** A destination of protocol 3 (the layout of its HELLO is the same) hears one sentence, and the job stays with the source. */
    @Test
    public void aDestinationOfAnotherProtocolVersionIsRefusedInOneSentence() throws Exception {
        PostCopyTest.Source s = PostCopyTest.source(java.util.regex.Pattern.compile("--server (\\S+)"), HALF_ZERO, "x86", 1);
        try (Socket c = new Socket()) {
            int colon = s.server().lastIndexOf(':');
            c.connect(new InetSocketAddress(s.server().substring(0, colon), Integer.parseInt(s.server().substring(colon + 1))), 2000);
            c.setSoTimeout(10_000);
            ByteBuffer hello = le(4 + 64 + 64 + 8).putInt(3).put(new byte[64]).put(new byte[64]).putLong(1).flip();
            send(new DataOutputStream(c.getOutputStream()), HELLO, hello);
            DataInputStream in = new DataInputStream(c.getInputStream());
            byte[] head = new byte[5];
            in.readFully(head);
            ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
            int length = h.getInt();
            assertEquals(REFUSED, h.get());
            byte[] body = new byte[length - 1];
            in.readFully(body);
            String said = new String(body, StandardCharsets.UTF_8);
            assertTrue(said, said.matches("the page server at \\S+ speaks post-copy protocol 4 but the destination speaks 3 \\(another hexo release\\): run the same hexo on both sides"));
            assertEquals("the connection closes after REFUSED", -1, in.read());
        }
        try {
            // The refused peer took nothing: the right destination still gets the whole job.
            Path dir = PostCopyTest.copyOf(s.dir());
            Hexo.Cli right = Hexo.cli(dir, "run", "--isa", "x86", "--resume", "--full-chkpt-restore", "0", "--server", s.server(),
                    "--checkpoint-dir", dir.toString(), "--workdir", dir.toString(), HALF_ZERO.toString());
            assertEquals(right.stderr(), 0, right.status());
            assertTrue(s.process().waitFor(60, TimeUnit.SECONDS));
            assertEquals(s.stderr(), 75, s.process().exitValue());
        } finally {
            PostCopyTest.stop(s);
        }
    }

    /** A page server of protocol 3 (it welcomes with its version): the destination stops with one sentence, having run nothing. */
    @Test
    public void aSourceOfAnotherProtocolVersionIsRefusedInOneSentence() throws Exception {
        PostCopyTest.Source s = PostCopyTest.source(java.util.regex.Pattern.compile("--server (\\S+)"), HALF_ZERO, "x86", 1);
        Path dir = PostCopyTest.copyOf(s.dir());
        PostCopyTest.stop(s);
        try (ServerSocket old = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket c = old.accept()) {
                    DataInputStream in = new DataInputStream(c.getInputStream());
                    byte[] len = new byte[4];
                    in.readFully(len);
                    in.readFully(new byte[ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt()]);
                    send(new DataOutputStream(c.getOutputStream()), WELCOME, le(4).putInt(3).flip());
                    in.read(); // until the destination closes
                } catch (IOException e) {
                    // the destination went
                }
            }, "old-page-server");
            t.setDaemon(true);
            t.start();
            Hexo.Cli d = Hexo.cli(dir, "run", "--isa", "x86", "--resume", "--full-chkpt-restore", "0", "--server", "127.0.0.1:" + old.getLocalPort(),
                    "--checkpoint-dir", dir.toString(), "--workdir", dir.toString(), HALF_ZERO.toString());
            assertEquals(d.stderr(), 2, d.status());
            assertTrue(d.stderr(), d.stderr().contains("the page server at 127.0.0.1:" + old.getLocalPort()
                    + " speaks post-copy protocol 3 but the destination speaks 4 (another hexo release): run the same hexo on both sides"));
            assertEquals(d.stderr(), 1, d.stderr().lines().filter(l -> l.startsWith("hexo:") && !l.contains("engine:")).count());
            assertFalse(d.stderr(), d.stderr().contains("Exception"));
            assertEquals("", d.stdout());
        }
    }

    static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    static void send(DataOutputStream out, int type, ByteBuffer body) throws IOException {
        out.write(le(5).putInt(1 + body.remaining()).put((byte) type).array());
        out.write(body.array(), body.position(), body.remaining());
        out.flush();
    }

    /**
     * A relay that forwards whole messages of the post-copy protocol: a MAP towards the destination is held
     * for holdMillis; the pages answered (towards the destination) while one is held are counted, zero and not.
     */
    static final class FramingRelay implements AutoCloseable {
        private final ServerSocket socket;
        private final String target;
        private final long holdMillis;
        private final List<Socket> open = new ArrayList<>();
        final AtomicInteger mapsHeld = new AtomicInteger(), holding = new AtomicInteger();
        final AtomicLong dataPagesBeforeMap = new AtomicLong(), zeroPagesBeforeMap = new AtomicLong();

        FramingRelay(String target, long holdMillis) throws IOException {
            this.target = target;
            this.holdMillis = holdMillis;
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::accept, "framing-relay");
            t.setDaemon(true);
            t.start();
        }

        String address() { return "127.0.0.1:" + socket.getLocalPort(); }

        @Override
        public String toString() {
            return mapsHeld.get() + " maps held; answered before the map: " + dataPagesBeforeMap.get() + " pages with data, " + zeroPagesBeforeMap.get() + " zero pages";
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket in = socket.accept();
                    int colon = target.lastIndexOf(':');
                    Socket out = new Socket();
                    out.connect(new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1))), 2000);
                    synchronized (this) { open.add(in); open.add(out); }
                    AtomicInteger lastCount = new AtomicInteger(); // the GET in flight on this connection
                    pump(in, out, false, lastCount);
                    pump(out, in, true, lastCount);
                } catch (IOException e) {
                    if (socket.isClosed()) return;
                }
            }
        }

        private void pump(Socket from, Socket to, boolean towardsDestination, AtomicInteger lastCount) {
            Thread t = new Thread(() -> {
                try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
                    DataInputStream in = new DataInputStream(i);
                    byte[] len = new byte[4];
                    while (true) {
                        in.readFully(len);
                        int n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt();
                        byte[] msg = new byte[n];
                        in.readFully(msg);
                        ByteBuffer b = ByteBuffer.wrap(msg).order(ByteOrder.LITTLE_ENDIAN);
                        int type = b.get();
                        if (!towardsDestination && type == GET) lastCount.set(b.getInt(1 + 12));
                        if (towardsDestination && type == MAP) {
                            mapsHeld.incrementAndGet();
                            holding.incrementAndGet();
                            try {
                                Thread.sleep(holdMillis);
                            } finally {
                                holding.decrementAndGet();
                            }
                        }
                        if (towardsDestination && type == PAGES && holding.get() > 0) {
                            for (int k = 0; k < lastCount.get(); k++) {
                                if (b.getInt(1 + 4 + 8 * k) == 0) zeroPagesBeforeMap.incrementAndGet(); else dataPagesBeforeMap.incrementAndGet();
                            }
                        }
                        o.write(len);
                        o.write(msg);
                        o.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // closed by either side
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }, "framing-relay-pump");
            t.setDaemon(true);
            t.start();
        }

        private static void closeQuietly(Socket s) {
            PostCopyTest.Relay.closeQuietly(s);
        }

        @Override
        public void close() throws IOException {
            socket.close();
            synchronized (this) {
                open.forEach(FramingRelay::closeQuietly);
            }
        }
    }
}
