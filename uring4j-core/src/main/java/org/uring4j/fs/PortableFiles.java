package org.uring4j.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.uring4j.Errno;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.RuntimeClosedException;

/**
 * The portable backend of {@link UringFiles}: java.nio.file calls, each run as a blocking call on
 * a virtual thread of its own, where io_uring is unavailable. Only Java: it needs no native access.
 *
 * <p>Where io_uring has an option java.nio lacks, an option that only changes speed
 * (RESOLVE_CACHED, DIRECT_DESCRIPTOR, NOATIME) is accepted and ignored, and one that changes
 * meaning (RESOLVE_BENEATH and the other lookup restrictions, RENAME_EXCHANGE, xattrs outside the
 * {@code user.} namespace) is refused with UnsupportedOperationException rather than silently
 * not enforced. Failures are what the io_uring backend reports: a java.nio.file exception with
 * a {@link org.uring4j.UringException} cause naming the op and errno for a path (the errno read
 * back from the JDK's exception), a UringException for an open file.
 *
 * <p>Closing refuses new work, fails the reads and writes blocked on a pipe or other stream
 * (as closing a ring cancels them), waits for the calls in flight (at most
 * the close timeout), then closes every file still open.
 */
final class PortableFiles implements FilesBackend {
    /** How long {@link #close()} waits for calls in flight (a {@link org.uring4j.runtime.LoopOptions#closeTimeout}). */
    private final Duration closeTimeout;
    private static final int XATTR_CREATE = 1;
    private static final int XATTR_REPLACE = 2;
    private static final String USER_XATTR = "user.";
    private final ExecutorService threads =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("uring4j-portable-", 0).factory());
    /**
     * Platform threads for I/O on pipes and other streams: a FileChannel can abort a platform
     * thread blocked in read(2) when it is closed, but not a virtual one (its close would wait forever).
     */
    private final ExecutorService streams = Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().daemon().name("uring4j-portable-stream-", 0).factory());
    private final Set<PortableFile> open = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    PortableFiles(Duration closeTimeout) {
        this.closeTimeout = closeTimeout;
    }

    @Override
    public Backend backend() {
        return Backend.PORTABLE;
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Runs a file's call: on a virtual thread, or a platform thread for a stream. */
    void execute(Runnable task, boolean stream) {
        (stream ? streams : threads).execute(task);
    }

    void forget(PortableFile file) {
        open.remove(file);
    }

    /** Throws RuntimeClosedException once closed, as the io_uring backend does for a closed runtime. */
    void checkOpen(String op, Object path) {
        if (closed.get()) {
            throw new RuntimeClosedException(op + " " + path + ": the files were closed");
        }
    }

    /** A blocking java.nio call. */
    private interface Call<T> {
        T run() throws IOException;
    }

    /** {@code call} on a virtual thread; its java.nio failure as the io_uring backend reports it for {@code path} ({@code other}). */
    private <T> CompletableFuture<T> run(String op, Path path, Path other, Call<T> call) {
        checkOpen(op, path);
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return call.run();
                } catch (IOException e) {
                    throw new java.util.concurrent.CompletionException(translate(op, e, path, other));
                }
            }, threads);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new RuntimeClosedException(op + " " + path + ": the files were closed"));
        }
    }

    private <T> CompletableFuture<T> run(String op, Path path, Call<T> call) {
        return run(op, path, null, call);
    }

    // ------------------------------------------------------------------ errors

    /**
     * The errno a java.nio exception stands for, or 0 if it does not say: from its type
     * (NoSuchFileException is ENOENT, ...) or from its reason, the C library's message the JDK
     * put there (strerror(3): "Operation not permitted", "Is a directory", ...).
     */
    static int errnoOf(IOException e) {
        if (e instanceof NoSuchFileException) {
            return Errno.ENOENT.number();
        } else if (e instanceof FileAlreadyExistsException) {
            return Errno.EEXIST.number();
        } else if (e instanceof AccessDeniedException) {
            return Errno.EACCES.number();
        } else if (e instanceof NotDirectoryException) {
            return Errno.ENOTDIR.number();
        } else if (e instanceof DirectoryNotEmptyException) {
            return Errno.ENOTEMPTY.number();
        } else if (e instanceof FileSystemLoopException) {
            return Errno.ELOOP.number();
        }
        String reason = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (reason == null) {
            return 0;
        }
        Errno best = null;
        for (Errno n : Errno.values()) { // the longest message that starts the reason ("Too many open files in system")
            if (reason.startsWith(n.message()) && (best == null || n.message().length() > best.message().length())) {
                best = n;
            }
        }
        return best != null ? best.number() : 0;
    }

    /**
     * A path operation's java.nio failure as the io_uring backend reports it: the java.nio.file
     * exception for the errno, with a UringException cause, about {@code path} and {@code other}
     * (the names the io_uring backend gives); unchanged if its errno cannot be told.
     */
    static IOException translate(String op, IOException e, Path path, Path other) {
        if (e instanceof org.uring4j.UringException || e.getCause() instanceof org.uring4j.UringException) {
            return e; // already in the io_uring backend's form
        }
        int errno = errnoOf(e);
        if (errno == 0) {
            return e;
        }
        IOException t = FsErrors.forPath(op, -errno, path.toString(), other != null ? other.toString() : null);
        t.addSuppressed(e); // the JDK's own account, for the stack trace
        return t;
    }

    // ------------------------------------------------------------------ open

    @Override
    public CompletableFuture<FileIo> open(FileIo dir, Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) {
        checkOpen("open", path);
        if (dir != null && dir.isClosed()) {
            // As on io_uring: never resolve against a closed handle.
            ClosedChannelException e = new ClosedChannelException();
            e.initCause(new IOException(dir.path() + " is closed"));
            return CompletableFuture.failedFuture(e);
        }
        Path target = dir != null ? ((PortableFile) dir).file().resolve(path) : path;
        OpenSpec spec = OpenSpec.of(options, attrs); // the io_uring backend's argument checks, before anything runs
        Set<OpenOption> nio = new HashSet<>();
        boolean directory = false;
        for (OpenOption o : options) {
            if (o instanceof UringOpenOption u) {
                switch (u) {
                    case DIRECTORY -> directory = true;
                    case DIRECT -> nio.add(jdkDirect());
                    case DIRECT_DESCRIPTOR, RESOLVE_CACHED, NOATIME -> { } // speed, not meaning: nothing to do
                    default -> throw new UnsupportedOperationException(u + " (open " + target
                            + ") needs openat2(2); the portable backend cannot enforce it");
                }
            } else {
                nio.add(o); // what OpenSpec accepted: a StandardOpenOption, NOFOLLOW_LINKS or the JDK's DIRECT
            }
        }
        boolean dirHandle = directory;
        boolean writing = (spec.flags() & (Uapi.O_WRONLY | Uapi.O_RDWR)) != 0;
        return run("OPENAT2", target, () -> {
            PortableFile f;
            if (dirHandle) {
                if (!Files.isDirectory(target, nio.contains(LinkOption.NOFOLLOW_LINKS)
                        ? new LinkOption[] {LinkOption.NOFOLLOW_LINKS} : new LinkOption[0])) {
                    throw Files.exists(target, LinkOption.NOFOLLOW_LINKS) ? new NotDirectoryException(target.toString())
                            : new NoSuchFileException(target.toString());
                }
                if (writing) {
                    throw FsErrors.forPath("OPENAT2", -Errno.EISDIR.number(), target.toString(), null); // as open(2)
                }
                f = track(new PortableFile(this, target, null, false));
            } else {
                FileChannel ch = FileChannel.open(target, nio, attrs);
                f = track(new PortableFile(this, target, ch, isStream(ch)));
            }
            if (closed.get()) { // the files closed while this open ran: the file would reach nobody
                f.closeAsync();
                throw new RuntimeClosedException("open " + target + ": the files were closed");
            }
            return f;
        });
    }

    /** A pipe, FIFO or terminal: no positions (lseek(2) fails with ESPIPE), and a read may wait forever. */
    private static boolean isStream(FileChannel ch) {
        try {
            ch.position();
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private PortableFile track(PortableFile f) {
        open.add(f);
        return f;
    }

    /** The JDK's own O_DIRECT option (jdk.unsupported), found by name since this module does not require it. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static OpenOption jdkDirect() {
        try {
            return (OpenOption) Enum.valueOf((Class) Class.forName("com.sun.nio.file.ExtendedOpenOption"), "DIRECT");
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new UnsupportedOperationException("O_DIRECT: this JDK has no ExtendedOpenOption.DIRECT", e);
        }
    }

    // ------------------------------------------------------------------ path operations

    @Override
    public CompletableFuture<Void> createDirectory(Path dir, int mode) {
        return run("MKDIRAT", dir, () -> {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(permissions(mode)));
            } else {
                Files.createDirectory(dir);
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> deleteFile(Path file) {
        return run("UNLINKAT", file, () -> {
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                throw FsErrors.forPath("UNLINKAT", -Errno.EISDIR.number(), file.toString(), null); // unlink(2) never removes a directory
            }
            Files.delete(file);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> deleteDirectory(Path dir) {
        return run("UNLINKAT", dir, () -> {
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw FsErrors.forPath("UNLINKAT", -Errno.ENOTDIR.number(), dir.toString(), null); // as rmdir(2)
            }
            Files.delete(dir);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> rename(Path source, Path target, int flags) {
        if ((flags & Uapi.RENAME_EXCHANGE) != 0) {
            throw new UnsupportedOperationException("RENAME_EXCHANGE of " + source + " and " + target
                    + " needs renameat2(2); the portable backend has no atomic exchange");
        }
        return run("RENAMEAT", source, target, () -> {
            if ((flags & Uapi.RENAME_NOREPLACE) != 0 && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                // Checked, then renamed: unlike renameat2(2)'s flag this is not atomic.
                throw new FileAlreadyExistsException(target.toString());
            }
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE); // rename(2): replaces the target, never copies
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> createLink(Path link, Path existing) {
        return run("LINKAT", existing, link, () -> {
            Files.createLink(link, existing);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> createSymbolicLink(Path link, Path target) {
        return run("SYMLINKAT", link, target, () -> {
            Files.createSymbolicLink(link, target);
            return null;
        });
    }

    @Override
    public CompletableFuture<FileStat> stat(Path path, boolean followLinks) {
        return run("STATX", path, () -> statOf(path, followLinks, -1));
    }

    @Override
    public CompletableFuture<byte[]> getXattr(Path path, String name) {
        return run("GETXATTR", path, () -> readXattr("GETXATTR", path, name));
    }

    @Override
    public CompletableFuture<Void> setXattr(Path path, String name, byte[] value, int flags) {
        return run("SETXATTR", path, () -> {
            writeXattr("SETXATTR", path, name, value, flags);
            return null;
        });
    }

    @Override
    public CompletableFuture<byte[]> readAllBytes(Path path) {
        return run("OPENAT2+READ+CLOSE", path, () -> Files.readAllBytes(path));
    }

    @Override
    public CompletableFuture<Void> write(Path path, byte[] data) {
        return run("OPENAT2+WRITE+CLOSE", path, () -> {
            Files.write(path, data);
            return null;
        });
    }

    /**
     * Refuses new work, fails the calls blocked on streams (pipes, FIFOs: a read with no writer
     * would never end), waits for the calls in flight (at most the close timeout), then
     * closes every file still open. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        threads.shutdown();
        streams.shutdown();
        for (PortableFile f : open) {
            if (f.isStream()) {
                f.abort();
            }
        }
        long deadline = System.nanoTime() + closeTimeout.toNanos();
        if (!(awaitTermination(threads, deadline) & awaitTermination(streams, deadline))) {
            // Something still blocks (an open of a FIFO with no writer, say): interrupt and give up on it;
            // a file such an open still returns is closed at once (see open).
            threads.shutdownNow();
            streams.shutdownNow();
        }
        for (PortableFile f : open) {
            f.closeAsync(); // at once for a file with nothing in flight
        }
    }

    private static boolean awaitTermination(ExecutorService executor, long deadline) {
        try {
            return executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // keep the interrupt, stop waiting
            return false;
        }
    }

    // ------------------------------------------------------------------ attributes

    /**
     * A FileStat from java.nio's "unix" attributes (Linux, macOS), or the basic and POSIX ones
     * elsewhere; {@code size} if not negative overrides the path's. Fields java.nio does not give
     * (blocks, block size, mount id, O_DIRECT alignment, birth time) are 0 or null and out of the mask.
     */
    static FileStat statOf(Path path, boolean followLinks, long size) throws IOException {
        LinkOption[] links = followLinks ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("unix")) {
            Map<String, Object> a = Files.readAttributes(path, "unix:*", links);
            long dev = (Long) a.get("dev");
            long rdev = (Long) a.get("rdev");
            return new FileStat(Uapi.STATX_BASIC_STATS & ~Uapi.STATX_BLOCKS, (Integer) a.get("mode"),
                    size >= 0 ? size : (Long) a.get("size"), 0, 0, (Integer) a.get("nlink"), (Integer) a.get("uid"),
                    (Integer) a.get("gid"), (Long) a.get("ino"), major(dev), minor(dev), major(rdev), minor(rdev),
                    instant(a.get("lastAccessTime")), instant(a.get("lastModifiedTime")), instant(a.get("ctime")), null,
                    0, 0, 0, 0);
        }
        BasicFileAttributes b = Files.readAttributes(path, BasicFileAttributes.class, links);
        int mode = b.isDirectory() ? Uapi.S_IFDIR : b.isSymbolicLink() ? Uapi.S_IFLNK : b.isRegularFile() ? Uapi.S_IFREG : 0;
        int mask = Uapi.STATX_TYPE | Uapi.STATX_SIZE | Uapi.STATX_ATIME | Uapi.STATX_MTIME;
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            for (PosixFilePermission p : Files.getPosixFilePermissions(path, links)) {
                mode |= 0400 >> p.ordinal(); // the enum is in mode-bit order, owner read first
            }
            mask |= Uapi.STATX_MODE;
        }
        return new FileStat(mask, mode, size >= 0 ? size : b.size(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                b.lastAccessTime().toInstant(), b.lastModifiedTime().toInstant(), null, null, 0, 0, 0, 0);
    }

    /** The major number of a Linux dev_t (glibc's gnu_dev_major). */
    private static int major(long dev) {
        return (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
    }

    private static int minor(long dev) {
        return (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
    }

    private static Instant instant(Object time) {
        return ((FileTime) time).toInstant();
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (0400 >> p.ordinal())) != 0) {
                set.add(p);
            }
        }
        return set;
    }

    /** The user-defined attribute view's name for {@code name}: java.nio reaches only the {@code user.} namespace. */
    private static String userName(String name, Path path) {
        if (!name.startsWith(USER_XATTR)) {
            throw new UnsupportedOperationException("extended attribute " + name + " of " + path
                    + ": the portable backend reaches only the user. namespace");
        }
        return name.substring(USER_XATTR.length());
    }

    static byte[] readXattr(String op, Path path, String name) throws IOException {
        String n = userName(name, path);
        UserDefinedFileAttributeView view = Files.getFileAttributeView(path, UserDefinedFileAttributeView.class);
        if (view == null || !view.list().contains(n)) {
            if (!Files.exists(path)) {
                throw new NoSuchFileException(path.toString());
            }
            throw FsErrors.forPath(op, -Errno.ENODATA.number(), path.toString(), null);
        }
        ByteBuffer b = ByteBuffer.allocate(view.size(n));
        view.read(n, b);
        return b.array();
    }

    static void writeXattr(String op, Path path, String name, byte[] value, int flags) throws IOException {
        String n = userName(name, path);
        UserDefinedFileAttributeView view = Files.getFileAttributeView(path, UserDefinedFileAttributeView.class);
        if (view == null) {
            throw new UnsupportedOperationException("extended attributes on " + path);
        }
        if ((flags & (XATTR_CREATE | XATTR_REPLACE)) != 0) {
            // Checked, then written: unlike setxattr(2)'s flags this is not atomic.
            boolean exists = view.list().contains(n);
            if ((flags & XATTR_CREATE) != 0 && exists) {
                throw FsErrors.forPath(op, -Errno.EEXIST.number(), path.toString(), null);
            }
            if ((flags & XATTR_REPLACE) != 0 && !exists) {
                throw FsErrors.forPath(op, -Errno.ENODATA.number(), path.toString(), null);
            }
        }
        view.write(n, ByteBuffer.wrap(value));
    }
}
