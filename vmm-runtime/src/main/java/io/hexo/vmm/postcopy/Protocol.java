package io.hexo.vmm.postcopy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The post-copy protocol (docs/architecture.md, "Post-copy protocol" — its one definition): TCP, every
 * message a u32 length (of what follows, little-endian) and a u8 type, then its fields.
 */
final class Protocol {
    /**
     * 4: the minimal checkpoint lists no pages; the destination asks for any page before it has the map of
     * the pages that hold data (GET_MAP, MAP). 3 listed them in the minimal checkpoint; 3 added WAIT and FILE.
     */
    static final int VERSION = 4;
    /** Pages are 4 KiB; a GET asks for at most MAX_PAGES of them (4 MiB). */
    static final int PAGE = 4096, MAX_PAGES = 1024;
    static final int HELLO = 1, WELCOME = 2, REFUSED = 3, GET = 4, PAGES = 5, DONE = 6, BYE = 7, WAIT = 8, FILE = 9, GET_MAP = 10, MAP = 11;
    /** A waiting destination whose link dropped before the migration point tries to reach its source again this long. */
    static final long WAIT_RECONNECT_MS = 2_000;
    /**
     * DONE's reason: every page is held in the destination's memory; or the job ended on the destination
     * (sent by earlier builds only: a destination now holds the guest's effects until the hand-over, so it
     * always hands over holding every page).
     */
    static final int HOLDS_EVERY_PAGE = 0, JOB_ENDED = 1;
    /**
     * The one pair of timings that keeps a job on exactly one side: a destination keeps trying to reach its
     * source this long after the last request the source answered, then stops, having let nothing out; a
     * source that has heard nothing from its destination for longer — the window and a margin — takes the
     * job back. (The margin covers one request in flight and the destination's last try.)
     */
    static final long RECONNECT_WINDOW_MS = 12_000, TAKE_BACK_AFTER_MS = RECONNECT_WINDOW_MS + 6_000;
    /** The largest message: a 4 MiB batch of pages and its header, with room to spare. */
    static final int MAX_MESSAGE = 16 << 20;

    private Protocol() {}

    record Message(int type, ByteBuffer body) {}

    static void send(DataOutputStream out, int type, ByteBuffer body) throws IOException {
        int n = body == null ? 0 : body.remaining();
        ByteBuffer head = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN).putInt(1 + n).put((byte) type);
        out.write(head.array());
        if (n > 0) {
            if (body.hasArray()) out.write(body.array(), body.arrayOffset() + body.position(), n);
            else {
                byte[] b = new byte[n];
                body.duplicate().get(b);
                out.write(b);
            }
        }
        out.flush();
    }

    /** The next message; a length out of bounds is a broken peer (IOException), never an allocation. */
    static Message receive(DataInputStream in) throws IOException {
        byte[] len = new byte[4];
        in.readFully(len);
        int n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (n < 1 || n > MAX_MESSAGE) throw new IOException("a post-copy message of " + Integer.toUnsignedString(n) + " bytes");
        int type = in.readUnsignedByte();
        byte[] body = new byte[n - 1];
        in.readFully(body);
        return new Message(type, ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN));
    }

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** HELLO: u32 version, char[64] image pair id (module id), char[64] token, u64 session. */
    static ByteBuffer hello(int version, String pairId, String token, long session) {
        return le(4 + 64 + 64 + 8).putInt(version).put(ascii64(pairId)).put(ascii64(token)).putLong(session).flip();
    }

    static byte[] ascii64(String s) {
        byte[] b = new byte[64];
        byte[] a = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(a, 0, b, 0, Math.min(64, a.length));
        return b;
    }

    static String ascii(ByteBuffer b, int len) {
        byte[] a = new byte[len];
        b.get(a);
        return new String(a, StandardCharsets.US_ASCII);
    }

    static ByteBuffer sentence(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static String sentence(ByteBuffer b) {
        return StandardCharsets.UTF_8.decode(b).toString();
    }

    /** The one sentence either side says when the other speaks another version of this protocol. */
    static String versionRefusal(String server, int serverVersion, int destinationVersion) {
        return "the page server at " + server + " speaks post-copy protocol " + serverVersion + " but the destination speaks " + destinationVersion
                + " (another hexo release): run the same hexo on both sides";
    }

    /** A WELCOME of another version (a source that let an old HELLO through): refused here, in the same sentence. */
    static void checkWelcome(Message welcome, String server) throws io.hexo.vmm.memory.PageSource.Failed {
        int v = welcome.body().remaining() >= 4 ? welcome.body().getInt(0) : -1;
        if (v != VERSION) throw new io.hexo.vmm.memory.PageSource.Failed(versionRefusal(server, v, VERSION));
    }

    static EOFException closed() {
        return new EOFException("the connection closed");
    }
}
