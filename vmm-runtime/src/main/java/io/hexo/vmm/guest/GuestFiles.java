package io.hexo.vmm.guest;

import io.hexo.vmm.abi.Abi;
import io.hexo.vmm.os.Beneath;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The guest's open files: host files inside its working directory or under a directory the user mounted
 * (--mount HOST_DIR:GUEST_DIR), and nothing else.
 *
 * <p>A relative path comes from the guest's working-directory preopen; an absolute one from its root
 * preopen, as the program wrote it. An absolute path is served by the mount it lies under, or by the
 * working directory if it names a file there, and otherwise refused: a native program would have reached
 * the host's file of that name, and quietly giving it another one would be worse than an error. A path that
 * leaves its directory, by ".." or through a symbolic link, is refused the same way: ENOTCAPABLE and one
 * notice naming the path and the option. Descriptors start at 5 (0-2 are the console, 3 and 4 the preopens)
 * and their state — path, offset, mode — is what a checkpoint records so that the destination reopens them:
 * a working-directory file by its relative path, a mounted one by its guest path, through the destination's
 * own mounts.
 */
public final class GuestFiles implements AutoCloseable {
    public static final int FIRST_FD = 5;
    private static final int MAX_OPEN = 1024;

    /**
     * One open file as a checkpoint records it, with the file's size and CRC-32C (hex) at that moment, so
     * that a file changed before the resume is reported instead of silently read (null in checkpoints of
     * older hexo versions, which are then not compared).
     */
    public record OpenFile(int fd, String path, long offset, boolean read, boolean write, boolean append, Long size, String crc32c) {
        public OpenFile(int fd, String path, long offset, boolean read, boolean write, boolean append) {
            this(fd, path, offset, read, write, append, null, null);
        }
    }

    /** A host directory the guest sees at an absolute path (--mount HOST_DIR:GUEST_DIR). */
    public record Mount(Path host, String guest) {
        public Mount {
            host = host.toAbsolutePath().normalize();
            guest = Path.of(guest).normalize().toString();
            if (!guest.startsWith("/")) throw new IllegalArgumentException("--mount " + host + ":" + guest + ": the guest directory must be an absolute path");
        }

        /** HOST_DIR:GUEST_DIR, or HOST_DIR alone for the same path in the guest. */
        public static Mount parse(String spec) {
            int colon = spec.lastIndexOf(':');
            String host = colon < 0 ? spec : spec.substring(0, colon), guest = colon < 0 ? spec : spec.substring(colon + 1);
            if (host.isEmpty() || guest.isEmpty()) throw new IllegalArgumentException("--mount " + spec + " is not of the form HOST_DIR:GUEST_DIR");
            if (colon < 0 && !Path.of(host).isAbsolute()) {
                throw new IllegalArgumentException("--mount " + spec + ": give HOST_DIR:GUEST_DIR, or an absolute directory to see at the same path");
            }
            if (!Files.isDirectory(Path.of(host))) throw new IllegalArgumentException("--mount " + spec + ": " + host + " is not a directory");
            return new Mount(Path.of(host), guest);
        }
    }

    /** Where a guest path is on the host (under base, the directory it is confined to), and how a checkpoint names it. */
    private record Resolved(Path host, String recorded, Path base) {
        String relative() { return base.relativize(host).toString(); }
    }

    private record Entry(String path, Resolved where, FileChannel channel, boolean read, boolean write, boolean append) {
        Path host() { return where.host(); }
    }

    /** Linux's limit on symbolic links followed while resolving one path (MAXSYMLINKS). */
    private static final int MAX_SYMLINKS = 40;

    private final Path workdir;
    private final Path realWorkdir;
    private final List<Mount> mounts;
    private final Consumer<String> notices;
    private final TreeMap<Integer, Entry> open = new TreeMap<>();

    public GuestFiles(Path workdir, Consumer<String> notices) throws IOException {
        this(workdir, List.of(), notices);
    }

    public GuestFiles(Path workdir, List<Mount> mounts, Consumer<String> notices) throws IOException {
        this.workdir = workdir.toAbsolutePath().normalize();
        this.realWorkdir = this.workdir.toRealPath();
        this.mounts = List.copyOf(mounts);
        this.notices = notices;
    }

    public Path workdir() { return workdir; }

    /** The host path for a guest path, or null (after telling the user) if no directory the guest may use holds it. */
    Path resolve(String guestPath) throws IOException {
        Resolved r = resolveFully(guestPath);
        return r == null ? null : r.host();
    }

    private Resolved resolveFully(String guestPath) throws IOException {
        try {
            if (!guestPath.startsWith("/")) return inside(workdir, realWorkdir, workdir.resolve(guestPath).normalize(), guestPath, true);
            Path absolute = Path.of(guestPath).normalize();
            Mount mount = mountOf(absolute);
            if (mount != null) {
                Path host = mount.host().resolve(Path.of(mount.guest()).relativize(absolute).toString()).normalize();
                return inside(mount.host(), mount.host().toRealPath(), host, guestPath, false) == null ? null
                        : new Resolved(host, absolute.toString(), mount.host());
            }
            if (absolute.startsWith(workdir) || absolute.startsWith(realWorkdir)) {
                Path base = absolute.startsWith(workdir) ? workdir : realWorkdir;
                return inside(workdir, realWorkdir, workdir.resolve(base.relativize(absolute).toString()).normalize(), guestPath, true);
            }
            notices.accept("hexo: the guest tried to open " + guestPath + ", which is outside its working directory " + workdir
                    + ": refused (map its directory with --mount HOST_DIR:" + parentOf(absolute) + ")");
            return null;
        } catch (java.nio.file.InvalidPathException e) {
            notices.accept("hexo: the guest asked for a file name that is not a valid path (" + e.getReason() + "): refused");
            return null;
        }
    }

    private static String parentOf(Path absolute) {
        Path parent = absolute.getParent();
        return parent == null ? "/" : parent.toString();
    }

    /** The mount with the longest guest directory that holds the path, or null. */
    private Mount mountOf(Path absolute) {
        Mount best = null;
        for (Mount m : mounts) {
            if (absolute.startsWith(m.guest()) && (best == null || m.guest().length() > best.guest().length())) best = m;
        }
        return best;
    }

    /** p if it lies inside root (symbolic links followed), else null after one notice. */
    private Resolved inside(Path root, Path realRoot, Path p, String guestPath, boolean isWorkdir) throws IOException {
        boolean ok = p.startsWith(root);
        if (ok) {
            // Symbolic links: the nearest existing ancestor must really be inside.
            Path existing = nearestExisting(p);
            if (existing != null) ok = reallyInside(existing, realRoot, 0);
        }
        if (!ok) {
            notices.accept("hexo: the guest tried to open " + guestPath + ", which is outside its " + (isWorkdir ? "working directory " : "mounted directory ")
                    + root + ": refused (" + (isWorkdir ? "use --workdir to give it another directory, or --mount HOST_DIR:GUEST_DIR" : "mount the directory it is in") + ")");
            return null;
        }
        return new Resolved(p, root.relativize(p).toString(), root);
    }

    private static Path nearestExisting(Path p) {
        while (p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) p = p.getParent();
        return p;
    }

    /**
     * Whether an existing path really lies inside the working directory. A link whose target does not exist
     * (yet) is judged by where it points, since opening it with O_CREAT creates that target: inside is
     * fine, anywhere else is refused. Chains of such links are followed up to the kernel's own limit.
     */
    private static boolean reallyInside(Path existing, Path realRoot, int links) throws IOException {
        if (Files.exists(existing)) return existing.toRealPath().startsWith(realRoot);
        if (links >= MAX_SYMLINKS || !Files.isSymbolicLink(existing)) return false;
        Path target = existing.getParent().toRealPath().resolve(Files.readSymbolicLink(existing)).normalize();
        Path next = nearestExisting(target);
        return next != null && reallyInside(next, realRoot, links + 1);
    }

    public long open(String guestPath, long flags, long fdflags) throws IOException {
        if (open.size() >= MAX_OPEN) return -Abi.EMFILE;
        Resolved r = resolveFully(guestPath);
        if (r == null) return -Abi.ENOTCAPABLE;
        Path p = r.host();
        boolean read = (flags & Abi.OPEN_READ) != 0, write = (flags & Abi.OPEN_WRITE) != 0;
        boolean append = (fdflags & Abi.FD_APPEND) != 0;
        if (!read && !write) read = true;
        if ((flags & Abi.O_DIRECTORY) != 0 || Files.isDirectory(p)) {
            return Files.isDirectory(p) ? -Abi.EISDIR : -Abi.ENOTDIR;
        }
        Beneath.Mode mode = new Beneath.Mode(read, write, (flags & Abi.O_CREAT) != 0, (flags & Abi.O_EXCL) != 0, (flags & Abi.O_TRUNC) != 0);
        try {
            // The checks above give the user a sentence; the kernel's confinement is what holds.
            FileChannel ch = openBeneath(r, mode);
            return add(nextFd(), new Entry(r.recorded(), r, ch, read, write, append));
        } catch (Beneath.Refused e) {
            return -refused(guestPath, e);
        } catch (IOException e) {
            return -errno(e);
        }
    }

    /**
     * Opens a resolved path with the kernel keeping it under its directory. openat2's RESOLVE_BENEATH
     * refuses every absolute symbolic link, even one that points inside (`ln -s $PWD/data/in input`);
     * for those, the link is followed here and the kernel opens its target, refusing any link on the way,
     * so a link planted in between is still refused.
     */
    private FileChannel openBeneath(Resolved r, Beneath.Mode mode) throws IOException {
        try {
            return Beneath.open(r.base(), r.relative(), mode, Beneath.Links.INSIDE);
        } catch (Beneath.Refused e) {
            if (!e.escapes()) throw e;
            Path realBase = r.base().toRealPath(), target = followLinks(r.host());
            if (target == null || !target.startsWith(realBase)) throw e;
            return Beneath.open(realBase, realBase.relativize(target).toString(), mode, Beneath.Links.NONE);
        }
    }

    /** Where a path leads once every symbolic link is followed (also a dangling last one), or null. */
    private static Path followLinks(Path p) throws IOException {
        for (int links = 0; links <= MAX_SYMLINKS; links++) {
            if (Files.exists(p)) return p.toRealPath();
            if (!Files.isSymbolicLink(p)) {
                Path parent = p.getParent();
                return parent == null || !Files.isDirectory(parent) ? null : parent.toRealPath().resolve(p.getFileName());
            }
            p = p.getParent().toRealPath().resolve(Files.readSymbolicLink(p)).normalize();
        }
        return null;
    }

    /** A WASI errno for what the kernel refused, with a notice where the user should know. */
    private int refused(String guestPath, Beneath.Refused e) {
        if (e.notRegular() || e.errno() == Beneath.ENXIO) {
            notices.accept("hexo: the guest tried to open " + guestPath + ", which is not a regular file (a FIFO, device or socket): refused");
            return Abi.ENOTCAPABLE;
        }
        if (e.escapes()) {
            notices.accept("hexo: the guest tried to open " + guestPath + ", which leads outside its directory: refused");
            return Abi.ENOTCAPABLE;
        }
        return switch (e.errno()) {
            case Beneath.ENOENT -> Abi.ENOENT;
            case Beneath.EEXIST -> Abi.EEXIST;
            case Beneath.EACCES -> Abi.EACCES;
            case Beneath.ENOTDIR -> Abi.ENOTDIR;
            case Beneath.EISDIR -> Abi.EISDIR;
            case Beneath.ENAMETOOLONG -> Abi.ENAMETOOLONG;
            default -> Abi.EIO;
        };
    }

    private int nextFd() {
        int fd = FIRST_FD;
        while (open.containsKey(fd)) fd++;
        return fd;
    }

    private int add(int fd, Entry e) {
        open.put(fd, e);
        return fd;
    }

    /** The channel of an open file, or null. */
    public FileChannel channel(long fd) {
        Entry e = fd >= FIRST_FD && fd <= Integer.MAX_VALUE ? open.get((int) fd) : null;
        return e == null ? null : e.channel;
    }

    public boolean canRead(long fd) { Entry e = open.get((int) fd); return e != null && e.read; }

    public boolean canWrite(long fd) { Entry e = open.get((int) fd); return e != null && e.write; }

    public boolean appends(long fd) { Entry e = open.get((int) fd); return e != null && e.append; }

    public long close(long fd) throws IOException {
        Entry e = fd >= FIRST_FD && fd <= Integer.MAX_VALUE ? open.remove((int) fd) : null;
        if (e == null) return -Abi.EBADF;
        e.channel.close();
        return 0;
    }

    public long unlink(String guestPath) throws IOException {
        Path p = resolve(guestPath);
        if (p == null) return -Abi.ENOTCAPABLE;
        try {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return -Abi.EISDIR;
            Files.delete(p);
            return 0;
        } catch (IOException e) {
            return -errno(e);
        }
    }

    /** Attributes of a guest path, or an errno (negative) in the returned holder. */
    public BasicFileAttributes stat(String guestPath) throws IOException {
        Path p = resolve(guestPath);
        if (p == null) throw new AccessDeniedException(guestPath);
        return Files.readAttributes(p, BasicFileAttributes.class);
    }

    public BasicFileAttributes stat(long fd) throws IOException {
        Entry e = open.get((int) fd);
        if (e == null) throw new NoSuchFileException("fd " + fd);
        return Files.readAttributes(e.host(), BasicFileAttributes.class);
    }

    public static int errno(IOException e) {
        if (e instanceof NoSuchFileException) return Abi.ENOENT;
        if (e instanceof FileAlreadyExistsException) return Abi.EEXIST;
        if (e instanceof AccessDeniedException) return Abi.EACCES;
        if (e instanceof NotDirectoryException) return Abi.ENOTDIR;
        if (e instanceof DirectoryNotEmptyException) return Abi.EPERM;
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null && f.getReason().contains("name too long")) return Abi.ENAMETOOLONG;
        return Abi.EIO;
    }

    /** What a checkpoint records: every open file with its current offset, size and checksum. */
    public List<OpenFile> snapshot() throws IOException {
        List<OpenFile> files = new ArrayList<>();
        for (var e : open.entrySet()) {
            Entry f = e.getValue();
            try (FileChannel content = f.read ? null : openBeneath(f.where, Beneath.Mode.READ)) { // a write-only channel cannot be read
                FileChannel ch = f.read ? f.channel : content;
                files.add(new OpenFile(e.getKey(), f.path, f.channel.position(), f.read, f.write, f.append, ch.size(), crcOf(ch)));
            }
        }
        return files;
    }

    private String contentCrc(Resolved r) throws IOException {
        try (FileChannel ch = openBeneath(r, Beneath.Mode.READ)) {
            return crcOf(ch);
        }
    }

    private static String crcOf(FileChannel ch) throws IOException {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(1 << 20);
        long at = 0;
        for (int n; (n = ch.read(b, at)) > 0; at += n) {
            b.flip();
            crc.update(b);
            b.clear();
        }
        return java.util.HexFormat.of().toHexDigits((int) crc.getValue());
    }

    /** Reopens the files of a checkpoint, at their offsets, under this working directory and these mounts. */
    public void restore(List<OpenFile> files) throws IOException {
        for (OpenFile f : files) {
            if (f.fd() < FIRST_FD || open.containsKey(f.fd())) throw new IOException("the checkpoint lists descriptor " + f.fd() + " twice or out of range");
            if (f.path().startsWith("/") && mountOf(Path.of(f.path()).normalize()) == null) {
                throw new IOException("the program had " + f.path() + " open, from a mounted directory: resume it with --mount HOST_DIR:"
                        + parentOf(Path.of(f.path()).normalize()));
            }
            Resolved r = resolveFully(f.path());
            if (r == null) throw new AccessDeniedException(f.path());
            FileChannel ch = openBeneath(r, new Beneath.Mode(f.read(), f.write(), false, false, false));
            long size = ch.size();
            if (f.size() != null && (size != f.size() || !contentCrc(r).equals(f.crc32c()))) {
                ch.close();
                throw new IOException("the program had " + f.path() + " open with " + f.size() + " bytes at the checkpoint, and it has changed since ("
                        + size + " bytes now): restore that file, or take a new checkpoint");
            }
            ch.position(f.offset());
            add(f.fd(), new Entry(f.path(), r, ch, f.read(), f.write(), f.append()));
        }
    }

    @Override
    public void close() {
        for (Entry e : open.values()) {
            try {
                e.channel.close();
            } catch (IOException ignored) {
                // closing at exit: nothing left to tell the guest
            }
        }
        open.clear();
    }
}
