package org.uring4j.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
 * not enforced. Closing waits for the calls in flight, then closes every file still open.
 */
final class PortableFiles implements FilesBackend {
    private static final int XATTR_CREATE = 1;
    private static final int XATTR_REPLACE = 2;
    private static final String USER_XATTR = "user.";
    private final ExecutorService threads =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("uring4j-portable-", 0).factory());
    private final Set<PortableFile> open = ConcurrentHashMap.newKeySet();

    @Override
    public Backend backend() {
        return Backend.PORTABLE;
    }

    void execute(Runnable task) {
        threads.execute(task);
    }

    void forget(PortableFile file) {
        open.remove(file);
    }

    /** A blocking java.nio call. */
    private interface Call<T> {
        T run() throws IOException;
    }

    private <T> CompletableFuture<T> run(String op, Path path, Call<T> call) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return call.run();
                } catch (IOException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, threads);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new RuntimeClosedException(op + " " + path + ": the files were closed"));
        }
    }

    // ------------------------------------------------------------------ open

    @Override
    public CompletableFuture<FileIo> open(FileIo dir, Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) {
        Path target = dir != null ? ((PortableFile) dir).file().resolve(path) : path;
        Set<OpenOption> nio = new HashSet<>();
        boolean directory = false;
        for (OpenOption o : options) {
            if (o instanceof UringOpenOption u) {
                switch (u) {
                    case DIRECTORY -> directory = true;
                    case DIRECT -> nio.add(jdkDirect());
                    case RESOLVE_CACHED, DIRECT_DESCRIPTOR, NOATIME -> { } // speed, not meaning: nothing to do
                    default -> throw new UnsupportedOperationException(u + " (open " + target
                            + ") needs openat2(2); the portable backend cannot enforce it");
                }
            } else if (o == StandardOpenOption.DELETE_ON_CLOSE) {
                throw new UnsupportedOperationException("DELETE_ON_CLOSE is not supported; delete the file after closing it");
            } else {
                nio.add(o);
            }
        }
        boolean dirHandle = directory;
        return run("OPENAT", target, () -> {
            if (dirHandle) {
                if (!Files.isDirectory(target)) {
                    throw Files.exists(target) ? new NotDirectoryException(target.toString()) : new NoSuchFileException(target.toString());
                }
                return track(new PortableFile(this, target, null));
            }
            FileChannel ch = FileChannel.open(target, nio, attrs);
            return track(new PortableFile(this, target, ch));
        });
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
        return run("RENAMEAT", source, () -> {
            if ((flags & Uapi.RENAME_NOREPLACE) != 0) {
                Files.move(source, target); // fails if the target exists
            } else {
                Files.move(source, target, StandardCopyOption.ATOMIC_MOVE); // rename(2): replaces the target
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> createLink(Path link, Path existing) {
        return run("LINKAT", link, () -> {
            Files.createLink(link, existing);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> createSymbolicLink(Path link, Path target) {
        return run("SYMLINKAT", link, () -> {
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
        return run("GETXATTR", path, () -> readXattr(path, name));
    }

    @Override
    public CompletableFuture<Void> setXattr(Path path, String name, byte[] value, int flags) {
        return run("SETXATTR", path, () -> {
            writeXattr(path, name, value, flags);
            return null;
        });
    }

    @Override
    public CompletableFuture<byte[]> readAllBytes(Path path) {
        return run("READ", path, () -> Files.readAllBytes(path));
    }

    @Override
    public CompletableFuture<Void> write(Path path, byte[] data) {
        return run("WRITE", path, () -> {
            Files.write(path, data);
            return null;
        });
    }

    /** Waits for the calls in flight, then closes every file still open. */
    @Override
    public void close() {
        threads.close();
        for (PortableFile f : open) {
            f.closeAsync().join();
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
    private static String userName(String name) {
        if (!name.startsWith(USER_XATTR)) {
            throw new UnsupportedOperationException("extended attribute " + name
                    + ": the portable backend reaches only the user. namespace");
        }
        return name.substring(USER_XATTR.length());
    }

    static byte[] readXattr(Path path, String name) throws IOException {
        String n = userName(name);
        UserDefinedFileAttributeView view = Files.getFileAttributeView(path, UserDefinedFileAttributeView.class);
        if (view == null || !view.list().contains(n)) {
            if (!Files.exists(path)) {
                throw new NoSuchFileException(path.toString());
            }
            throw FsErrors.forPath("GETXATTR", -Errno.ENODATA.number(), path.toString(), null);
        }
        ByteBuffer b = ByteBuffer.allocate(view.size(n));
        view.read(n, b);
        return b.array();
    }

    static void writeXattr(Path path, String name, byte[] value, int flags) throws IOException {
        String n = userName(name);
        UserDefinedFileAttributeView view = Files.getFileAttributeView(path, UserDefinedFileAttributeView.class);
        if (view == null) {
            throw new UnsupportedOperationException("extended attributes on " + path);
        }
        if ((flags & (XATTR_CREATE | XATTR_REPLACE)) != 0) {
            // Checked, then written: unlike setxattr(2)'s flags this is not atomic.
            boolean exists = view.list().contains(n);
            if ((flags & XATTR_CREATE) != 0 && exists) {
                throw FsErrors.forPath("SETXATTR", -Errno.EEXIST.number(), path.toString(), null);
            }
            if ((flags & XATTR_REPLACE) != 0 && !exists) {
                throw FsErrors.forPath("SETXATTR", -Errno.ENODATA.number(), path.toString(), null);
            }
        }
        view.write(n, ByteBuffer.wrap(value));
    }
}
