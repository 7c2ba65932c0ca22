package org.uring4j.fs;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.uring4j.UringException;
import org.uring4j.UringUnavailableException;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.Await;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.runtime.UringRuntime;

/**
 * Files: opening {@link AsyncFile}s, and the path operations of {@link java.nio.file.Files} —
 * mkdir, delete, rename, links, stat, extended attributes, and whole-file reads and writes.
 *
 * <pre>{@code
 * try (UringFiles files = UringFiles.open();
 *      AsyncFile f = files.open(Path.of("data.bin"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
 *     f.writeFully("hello".getBytes(), 0);
 * }
 * }</pre>
 *
 * <p>It runs on io_uring where the kernel allows it, and on the {@link Backend#PORTABLE} backend
 * (java.nio on virtual threads) where it does not: {@link #backend()} says which, and
 * {@link #unavailability()} why io_uring was not used. Every operation has an {@code ...Async}
 * form returning a {@link CompletableFuture} and a blocking form. Failures on a path are the
 * exceptions {@code java.nio.file.Files} throws ({@link java.nio.file.NoSuchFileException} for
 * ENOENT, ...); on io_uring the reason names the op and errno and a {@link UringException} is
 * the cause, and {@link WouldBlockException} marks a {@link UringOpenOption#RESOLVE_CACHED}
 * lookup that would have had to wait.
 */
public final class UringFiles implements AutoCloseable {
    private final FilesBackend backend;
    private final UringUnavailableException unavailability;

    private UringFiles(FilesBackend backend, UringUnavailableException unavailability) {
        this.backend = backend;
        this.unavailability = unavailability;
    }

    /**
     * Files over a runtime of its own (one loop per processor), or on the portable backend where
     * io_uring is unavailable (see {@link Backend#PROPERTY}); closing this closes it.
     *
     * @throws UringException if io_uring was asked for with {@link Backend#PROPERTY} and cannot be set up
     */
    public static UringFiles open() throws UringException {
        return open(Runtime.getRuntime().availableProcessors(), new LoopOptions());
    }

    /**
     * Files over a runtime of {@code loops} loops with {@code options}, or on the portable backend
     * where io_uring is unavailable (see {@link Backend#PROPERTY}); closing this closes it.
     */
    public static UringFiles open(int loops, LoopOptions options) throws UringException {
        Backend wanted = Backend.requested();
        if (wanted == Backend.PORTABLE) {
            return new UringFiles(new PortableFiles(options.closeTimeout()), null);
        }
        try {
            return new UringFiles(new RingFiles(UringRuntime.open(loops, options), true), null);
        } catch (UringUnavailableException e) {
            if (wanted == Backend.IO_URING) {
                throw e;
            }
            return new UringFiles(new PortableFiles(options.closeTimeout()), e);
        }
    }

    /** Files on the portable backend, whatever the kernel offers. */
    public static UringFiles portable() {
        return new UringFiles(new PortableFiles(new LoopOptions().closeTimeout()), null);
    }

    /** Files over an existing runtime, which the caller keeps and closes. */
    public static UringFiles over(UringRuntime runtime) {
        return new UringFiles(new RingFiles(Objects.requireNonNull(runtime, "runtime"), false), null);
    }

    /** The backend these files run on. */
    public Backend backend() {
        return backend.backend();
    }

    /**
     * Why {@link #open()} fell back to the portable backend: the failure setting up io_uring
     * (its {@link UringUnavailableException#reason()} says sysctl, seccomp, kernel or memlock),
     * or null if it did not fall back.
     */
    public UringUnavailableException unavailability() {
        return unavailability;
    }

    /**
     * The runtime underneath.
     *
     * @throws UnsupportedOperationException on the portable backend
     */
    public UringRuntime runtime() {
        return ring("runtime()").runtime();
    }

    private RingFiles ring(String what) {
        if (backend instanceof RingFiles r) {
            return r;
        }
        throw new UnsupportedOperationException(what + " needs io_uring; these files run on the " + backend() + " backend"
                + (unavailability != null ? " (" + unavailability.getMessage() + ")" : ""));
    }

    // ------------------------------------------------------------------ open

    /**
     * Opens {@code path} with {@link StandardOpenOption}s, {@link LinkOption#NOFOLLOW_LINKS} and
     * {@link UringOpenOption}s; with no option, for reading. A created file gets mode 0666 less
     * the umask, or the permissions of a {@code PosixFilePermissions.asFileAttribute} attribute.
     *
     * <p>On io_uring, opens that create or truncate nothing first try the lookup on the calling
     * thread with RESOLVE_CACHED ({@code openat2(2)}, no ring round trip, seed 000); when the
     * lookup would have to wait for the disk they go to the ring, where the kernel retries it on
     * an io-wq worker.
     */
    public CompletableFuture<AsyncFile> openAsync(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) {
        return wrap(backend.open(null, path, options, attrs));
    }

    /**
     * As {@link #openAsync(Path, Set, FileAttribute[])}, on a loop of the caller's choosing.
     *
     * @throws UnsupportedOperationException on the portable backend
     */
    public CompletableFuture<AsyncFile> openAsync(EventLoop loop, Path path, Set<? extends OpenOption> options,
                                                  FileAttribute<?>... attrs) {
        return wrap(ring("open on a loop").open(loop, null, path, options, attrs));
    }

    /**
     * Opens {@code path} relative to the directory {@code dir} (opened with
     * {@link UringOpenOption#DIRECTORY}; on io_uring, on {@code dir}'s loop): with RESOLVE_BENEATH
     * or RESOLVE_IN_ROOT the lookup cannot leave it.
     */
    public CompletableFuture<AsyncFile> openAsync(AsyncFile dir, Path path, Set<? extends OpenOption> options,
                                                  FileAttribute<?>... attrs) {
        if (dir.backend() != backend()) {
            throw new IllegalArgumentException(dir + " is on the " + dir.backend() + " backend, these files on " + backend());
        }
        return wrap(backend.open(dir.io(), path, options, attrs));
    }

    private static CompletableFuture<AsyncFile> wrap(CompletableFuture<FileIo> opening) {
        return opening.thenApply(AsyncFile::new);
    }

    /** Opens and waits (see {@link #openAsync(Path, Set, FileAttribute[])}). */
    public AsyncFile open(Path path, OpenOption... options) throws IOException {
        return awaitOpen(openAsync(path, new HashSet<>(Arrays.asList(options))));
    }

    /** Opens and waits, with file attributes (permissions) for a created file. */
    public AsyncFile open(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        return awaitOpen(openAsync(path, options, attrs));
    }

    /** Opens on {@code loop} and waits. */
    public AsyncFile open(EventLoop loop, Path path, OpenOption... options) throws IOException {
        return awaitOpen(openAsync(loop, path, new HashSet<>(Arrays.asList(options))));
    }

    /** Opens relative to a directory handle and waits. */
    public AsyncFile open(AsyncFile dir, Path path, OpenOption... options) throws IOException {
        return awaitOpen(openAsync(dir, path, new HashSet<>(Arrays.asList(options))));
    }

    /** Waits for an open; if the caller is interrupted first, the file that still arrives reaches nobody: close it. */
    private static AsyncFile awaitOpen(CompletableFuture<AsyncFile> opening) throws IOException {
        try {
            return Await.get(opening);
        } catch (InterruptedIOException e) {
            opening.thenAccept(AsyncFile::closeAsync);
            throw e;
        }
    }

    // ------------------------------------------------------------------ path operations

    /** mkdir(2) with permission bits {@code mode} (less the umask). */
    public CompletableFuture<Void> createDirectoryAsync(Path dir, int mode) {
        return backend.createDirectory(dir, mode);
    }

    /** unlink(2) of a file or symbolic link. */
    public CompletableFuture<Void> deleteFileAsync(Path file) {
        return backend.deleteFile(file);
    }

    /** rmdir(2) of an empty directory. */
    public CompletableFuture<Void> deleteDirectoryAsync(Path dir) {
        return backend.deleteDirectory(dir);
    }

    /**
     * rename(2) with {@link RenameOption}s: NOREPLACE fails with FileAlreadyExistsException if
     * {@code target} exists, EXCHANGE swaps the two atomically (io_uring only).
     */
    public CompletableFuture<Void> renameAsync(Path source, Path target, RenameOption... options) {
        int flags = 0;
        for (RenameOption o : options) {
            flags |= o.flag;
        }
        return backend.rename(source, target, flags);
    }

    /** link(2): a new name {@code link} for the existing file {@code existing}. */
    public CompletableFuture<Void> createLinkAsync(Path link, Path existing) {
        return backend.createLink(link, existing);
    }

    /** symlink(2): {@code link} pointing at {@code target} (which need not exist). */
    public CompletableFuture<Void> createSymbolicLinkAsync(Path link, Path target) {
        if (target.getFileSystem() != link.getFileSystem()) {
            throw new ProviderMismatchException();
        }
        return backend.createSymbolicLink(link, target);
    }

    /** statx(2) of {@code path}; with {@link LinkOption#NOFOLLOW_LINKS}, of a symbolic link itself. */
    public CompletableFuture<FileStat> statAsync(Path path, LinkOption... options) {
        return backend.stat(path, followLinks(options));
    }

    private static boolean followLinks(LinkOption... options) {
        boolean follow = true;
        for (LinkOption o : options) {
            follow &= o != LinkOption.NOFOLLOW_LINKS;
        }
        return follow;
    }

    /** Reads extended attribute {@code name} of {@code path} (at most 64 KiB). */
    public CompletableFuture<byte[]> getXattrAsync(Path path, String name) {
        return backend.getXattr(path, Objects.requireNonNull(name, "name"));
    }

    /** Sets extended attribute {@code name} of {@code path}; XATTR_CREATE/XATTR_REPLACE {@code flags}. */
    public CompletableFuture<Void> setXattrAsync(Path path, String name, byte[] value, int flags) {
        return backend.setXattr(path, Objects.requireNonNull(name, "name"), value.clone(), flags);
    }

    public void createDirectory(Path dir, int mode) throws IOException {
        Await.get(createDirectoryAsync(dir, mode));
    }

    public void deleteFile(Path file) throws IOException {
        Await.get(deleteFileAsync(file));
    }

    public void deleteDirectory(Path dir) throws IOException {
        Await.get(deleteDirectoryAsync(dir));
    }

    public void rename(Path source, Path target, RenameOption... options) throws IOException {
        Await.get(renameAsync(source, target, options));
    }

    public void createLink(Path link, Path existing) throws IOException {
        Await.get(createLinkAsync(link, existing));
    }

    public void createSymbolicLink(Path link, Path target) throws IOException {
        Await.get(createSymbolicLinkAsync(link, target));
    }

    public FileStat stat(Path path, LinkOption... options) throws IOException {
        Objects.requireNonNull(path, "path");
        return backend.statBlocking(path, followLinks(options));
    }

    public byte[] getXattr(Path path, String name) throws IOException {
        return Await.get(getXattrAsync(path, name));
    }

    public void setXattr(Path path, String name, byte[] value, int flags) throws IOException {
        Await.get(setXattrAsync(path, name, value, flags));
    }

    // ------------------------------------------------------------------ whole files

    /**
     * Reads a whole file. On io_uring a file of up to 64 KiB takes one submission of three linked
     * entries — open into a fixed slot, read, close — and one completion round trip; a larger one
     * falls back to open, stat and read.
     */
    public CompletableFuture<byte[]> readAllBytesAsync(Path path) {
        return backend.readAllBytes(path);
    }

    /**
     * Writes {@code data} as the whole content of {@code path} (created with mode 0666 less the
     * umask, or truncated); on io_uring open into a fixed slot, write and close as one linked submission.
     */
    public CompletableFuture<Void> writeAsync(Path path, byte[] data) {
        return backend.write(path, data.clone());
    }

    public byte[] readAllBytes(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        return backend.readAllBytesBlocking(path);
    }

    public void write(Path path, byte[] data) throws IOException {
        Await.get(writeAsync(path, data));
    }

    /** Closes the runtime if this instance opened it (the portable backend's threads end with their work). */
    @Override
    public void close() throws UringException {
        backend.close();
    }

    @Override
    public String toString() {
        return "UringFiles[" + backend() + "]";
    }

    /** How {@link #renameAsync} treats an existing target. */
    public enum RenameOption {
        /** RENAME_NOREPLACE: fail if the target exists. */
        NOREPLACE(Uapi.RENAME_NOREPLACE),
        /** RENAME_EXCHANGE: swap source and target atomically; both must exist (io_uring only). */
        EXCHANGE(Uapi.RENAME_EXCHANGE);

        final int flag;

        RenameOption(int flag) {
            this.flag = flag;
        }
    }
}
