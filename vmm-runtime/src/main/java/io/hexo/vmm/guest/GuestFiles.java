package io.hexo.vmm.guest;

import io.hexo.vmm.abi.Abi;

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
 * The guest's open files: host files inside its working directory, and nothing else.
 *
 * <p>Paths come from the guest relative to the working directory ("." is WASI's preopen). A path that
 * leaves the directory, by ".." or through a symbolic link, is refused with ENOTCAPABLE and one notice
 * to the user. Descriptors start at 4 (0-2 are the console, 3 the preopen) and their state — path,
 * offset, mode — is what a checkpoint records so that the destination reopens them.
 */
public final class GuestFiles implements AutoCloseable {
    public static final int FIRST_FD = 4;
    private static final int MAX_OPEN = 1024;

    /** One open file as a checkpoint records it. */
    public record OpenFile(int fd, String path, long offset, boolean read, boolean write, boolean append) {}

    private record Entry(String path, FileChannel channel, boolean read, boolean write, boolean append) {}

    /** Linux's limit on symbolic links followed while resolving one path (MAXSYMLINKS). */
    private static final int MAX_SYMLINKS = 40;

    private final Path workdir;
    private final Path realWorkdir;
    private final Consumer<String> notices;
    private final TreeMap<Integer, Entry> open = new TreeMap<>();

    public GuestFiles(Path workdir, Consumer<String> notices) throws IOException {
        this.workdir = workdir.toAbsolutePath().normalize();
        this.realWorkdir = this.workdir.toRealPath();
        this.notices = notices;
    }

    public Path workdir() { return workdir; }

    /** The host path for a guest path, or null (after telling the user) if it is outside the working directory. */
    Path resolve(String guestPath) throws IOException {
        Path p;
        try {
            p = workdir.resolve(guestPath).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            notices.accept("hexo: the guest asked for a file name that is not a valid path (" + e.getReason() + "): refused");
            return null;
        }
        boolean inside = p.startsWith(workdir);
        if (inside) {
            // Symbolic links: the nearest existing ancestor must really be inside.
            Path existing = nearestExisting(p);
            if (existing != null) inside = reallyInside(existing, 0);
        }
        if (!inside) {
            notices.accept("hexo: the guest tried to open " + guestPath + ", which is outside its working directory "
                    + workdir + ": refused (use --workdir to give it another directory)");
            return null;
        }
        return p;
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
    private boolean reallyInside(Path existing, int links) throws IOException {
        if (Files.exists(existing)) return existing.toRealPath().startsWith(realWorkdir);
        if (links >= MAX_SYMLINKS || !Files.isSymbolicLink(existing)) return false;
        Path target = existing.getParent().toRealPath().resolve(Files.readSymbolicLink(existing)).normalize();
        Path next = nearestExisting(target);
        return next != null && reallyInside(next, links + 1);
    }

    public long open(String guestPath, long flags, long fdflags) throws IOException {
        if (open.size() >= MAX_OPEN) return -Abi.EMFILE;
        Path p = resolve(guestPath);
        if (p == null) return -Abi.ENOTCAPABLE;
        boolean read = (flags & Abi.OPEN_READ) != 0, write = (flags & Abi.OPEN_WRITE) != 0;
        boolean append = (fdflags & Abi.FD_APPEND) != 0;
        if (!read && !write) read = true;
        if ((flags & Abi.O_DIRECTORY) != 0 || Files.isDirectory(p)) {
            return Files.isDirectory(p) ? -Abi.EISDIR : -Abi.ENOTDIR;
        }
        Set<OpenOption> options = new java.util.HashSet<>();
        if (read) options.add(StandardOpenOption.READ);
        if (write) options.add(StandardOpenOption.WRITE);
        if ((flags & Abi.O_CREAT) != 0) options.add((flags & Abi.O_EXCL) != 0 ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE);
        if ((flags & Abi.O_TRUNC) != 0) options.add(StandardOpenOption.TRUNCATE_EXISTING);
        try {
            FileChannel ch = FileChannel.open(p, options);
            return add(nextFd(), new Entry(workdir.relativize(p).toString(), ch, read, write, append));
        } catch (IOException e) {
            return -errno(e);
        }
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
        return Files.readAttributes(workdir.resolve(e.path), BasicFileAttributes.class);
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

    /** What a checkpoint records: every open file with its current offset. */
    public List<OpenFile> snapshot() throws IOException {
        List<OpenFile> files = new ArrayList<>();
        for (var e : open.entrySet()) {
            Entry f = e.getValue();
            files.add(new OpenFile(e.getKey(), f.path, f.channel.position(), f.read, f.write, f.append));
        }
        return files;
    }

    /** Reopens the files of a checkpoint, at their offsets, under this working directory. */
    public void restore(List<OpenFile> files) throws IOException {
        for (OpenFile f : files) {
            if (f.fd() < FIRST_FD || open.containsKey(f.fd())) throw new IOException("the checkpoint lists descriptor " + f.fd() + " twice or out of range");
            Path p = resolve(f.path());
            if (p == null) throw new AccessDeniedException(f.path());
            Set<OpenOption> options = new java.util.HashSet<>();
            if (f.read()) options.add(StandardOpenOption.READ);
            if (f.write()) options.add(StandardOpenOption.WRITE);
            FileChannel ch = FileChannel.open(p, options);
            ch.position(f.offset());
            add(f.fd(), new Entry(f.path(), ch, f.read(), f.write(), f.append()));
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
