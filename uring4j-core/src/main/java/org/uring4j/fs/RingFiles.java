package org.uring4j.fs;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.Fd;
import org.uring4j.ring.Sqe;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.Await;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.FixedFileTable;
import org.uring4j.runtime.RuntimeClosedException;
import org.uring4j.runtime.UringRuntime;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Syscalls;

/**
 * The io_uring backend of {@link UringFiles}: opens through the cached-lookup fast path or the
 * ring, path operations as ring ops (MKDIRAT, UNLINKAT, RENAMEAT, LINKAT, SYMLINKAT, STATX,
 * xattrs), and whole-file reads and writes as one linked submission.
 */
final class RingFiles implements FilesBackend {
    private static final int XATTR_MAX = 64 * 1024;
    /**
     * The most one WRITE of a whole-file chain moves: Linux's MAX_RW_COUNT (INT_MAX rounded down to
     * a page). Tests lower it to exercise the continuation without writing 2 GiB.
     */
    static long maxRwCount = 0x7ffff000L;

    private final UringRuntime runtime;
    private final boolean ownsRuntime;
    /**
     * The files opened here, for {@link #close()} to close those still open (closed ones are
     * pruned as the set grows, so it stays about as large as the number open).
     */
    private final Set<RingFile> opened = ConcurrentHashMap.newKeySet();
    private final AtomicInteger pruneAt = new AtomicInteger(64);
    private volatile boolean closed;

    RingFiles(UringRuntime runtime, boolean ownsRuntime) {
        this.runtime = runtime;
        this.ownsRuntime = ownsRuntime;
    }

    @Override
    public Backend backend() {
        return Backend.IO_URING;
    }

    UringRuntime runtime() {
        return runtime;
    }

    // ------------------------------------------------------------------ open

    @Override
    public CompletableFuture<FileIo> open(FileIo dir, Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) {
        return open(dir != null ? ((RingFile) dir).loop() : runtime.nextLoop(), (RingFile) dir, path, options, attrs);
    }

    /**
     * Opens on {@code loop}. Opens that create or truncate nothing first try the lookup on the
     * calling thread with RESOLVE_CACHED ({@code openat2(2)}, no ring round trip, seed 000); when
     * the lookup would have to wait for the disk they go to the ring (OPENAT2,
     * {@code io_uring_prep_openat2}), where the kernel retries it on an io-wq worker.
     */
    CompletableFuture<FileIo> open(EventLoop loop, RingFile dir, Path path, Set<? extends OpenOption> options,
                                   FileAttribute<?>... attrs) {
        return openUntracked(loop, dir, path, options, attrs).thenApply(this::track);
    }

    /**
     * Remembers {@code io} for {@link #close()}. Added before {@code closed} is read (and close sets
     * it before it looks at the set): either close sees this file, or this sees close and closes it.
     */
    private FileIo track(FileIo io) {
        RingFile f = (RingFile) io;
        opened.add(f);
        int limit = pruneAt.get();
        if (opened.size() >= limit && pruneAt.compareAndSet(limit, Integer.MAX_VALUE)) {
            opened.removeIf(RingFile::isClosed);
            pruneAt.set(Math.max(64, 2 * opened.size()));
        }
        if (closed) {
            f.closeAsync();
        }
        return io;
    }

    private CompletableFuture<FileIo> openUntracked(EventLoop loop, RingFile dir, Path path, Set<? extends OpenOption> options,
                                                    FileAttribute<?>... attrs) {
        if (loop.isClosed()) {
            // Else the caller-thread fast path would hand out a file on a loop that can never run its I/O.
            throw new RuntimeClosedException("open " + path + ": " + loop.name() + " is closed");
        }
        OpenSpec spec = OpenSpec.of(options, attrs);
        CString p = CString.of(path);
        int dirfd;
        try {
            dirfd = dir == null ? Uapi.AT_FDCWD : dir.fd();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (spec.fastPathAllowed()) {
            RingFile fast = tryCachedOpen(loop, dirfd, p, spec);
            if (fast != null) {
                return CompletableFuture.completedFuture(fast);
            }
        }
        CompletableFuture<FileIo> opening = loop.submit(new OpenOp(dirfd, p, spec, false));
        if ((spec.flags() & 3) != Uapi.O_WRONLY || (spec.flags() & Uapi.O_NONBLOCK) != 0
                || (spec.resolve() & Uapi.RESOLVE_CACHED) != 0) {
            return opening;
        }
        // The kernel makes an OPENAT2 first with O_NONBLOCK, which a FIFO opened for writing with
        // no reader yet answers with ENXIO instead of waiting for one, as open(2) and FileChannel
        // do: once more on an io-wq worker (IOSQE_ASYNC), where the open is made as asked and waits.
        return opening.exceptionallyCompose(t -> enxio(t)
                ? loop.submit(new OpenOp(dirfd, p, spec, true))
                : CompletableFuture.failedFuture(t));
    }

    private static boolean enxio(Throwable t) {
        for (; t != null; t = t.getCause()) {
            if (t instanceof UringException u) {
                return u.errno() == Errno.ENXIO.number();
            }
        }
        return false;
    }

    /** openat2(RESOLVE_CACHED) on this thread: the file, or null if the lookup would block. */
    private static RingFile tryCachedOpen(EventLoop loop, int dirfd, CString p, OpenSpec spec) {
        // O_NONBLOCK, as io_uring's own inline attempt does: opening a FIFO or a device, or
        // breaking a lease, must not wait on the caller's thread. It is left on the descriptor
        // (it changes nothing for the regular file's reads and writes made inline) until the file's
        // first ring op or fd() needs it gone: most cached opens never pay the fcntl.
        int fd = InlineCalls.openat2(dirfd, p, spec.flags() | Uapi.O_NONBLOCK, spec.mode(), spec.resolve() | Uapi.RESOLVE_CACHED);
        if (fd < 0) {
            return null; // any error: let the ring op report it
        }
        RingFile f = new RingFile(loop, p.text, fd, -1);
        if ((spec.flags() & Uapi.O_NONBLOCK) == 0) {
            f.nonblockToClear(spec.flags());
        }
        return f;
    }

    // ------------------------------------------------------------------ path operations

    /** MKDIRAT ({@code io_uring_prep_mkdirat}). */
    @Override
    public CompletableFuture<Void> createDirectory(Path dir, int mode) {
        CString p = CString.of(dir);
        return runtime.submit(new PathOp("MKDIRAT", p, null, (op, s) -> s.prepMkdirat(Uapi.AT_FDCWD, op.p1, mode)));
    }

    /** UNLINKAT ({@code io_uring_prep_unlinkat}). */
    @Override
    public CompletableFuture<Void> deleteFile(Path file) {
        CString p = CString.of(file);
        return runtime.submit(new PathOp("UNLINKAT", p, null, (op, s) -> s.prepUnlinkat(Uapi.AT_FDCWD, op.p1, 0)));
    }

    /** UNLINKAT with AT_REMOVEDIR. */
    @Override
    public CompletableFuture<Void> deleteDirectory(Path dir) {
        CString p = CString.of(dir);
        return runtime.submit(new PathOp("UNLINKAT", p, null,
                (op, s) -> s.prepUnlinkat(Uapi.AT_FDCWD, op.p1, Uapi.AT_REMOVEDIR)));
    }

    /** RENAMEAT ({@code io_uring_prep_renameat}). */
    @Override
    public CompletableFuture<Void> rename(Path source, Path target, int f) {
        return runtime.submit(new PathOp("RENAMEAT", CString.of(source), CString.of(target),
                (op, s) -> s.prepRenameat(Uapi.AT_FDCWD, op.p1, Uapi.AT_FDCWD, op.p2, f)));
    }

    /** LINKAT ({@code io_uring_prep_linkat}). */
    @Override
    public CompletableFuture<Void> createLink(Path link, Path existing) {
        return runtime.submit(new PathOp("LINKAT", CString.of(existing), CString.of(link),
                (op, s) -> s.prepLinkat(Uapi.AT_FDCWD, op.p1, Uapi.AT_FDCWD, op.p2, 0)));
    }

    /** SYMLINKAT ({@code io_uring_prep_symlinkat}). */
    @Override
    public CompletableFuture<Void> createSymbolicLink(Path link, Path target) {
        return runtime.submit(new PathOp("SYMLINKAT", CString.of(target), CString.of(link), // the target's own bytes, as Files does
                (op, s) -> s.prepSymlinkat(op.p1, Uapi.AT_FDCWD, op.p2)));
    }

    /**
     * statx(2) on the calling thread. The kernel always hands IORING_OP_STATX
     * ({@code io_uring_prep_statx}) to an io-wq worker: three thread hops for a few hundred
     * nanoseconds of work, which the caller's thread does faster (as the JDK does).
     */
    @Override
    public CompletableFuture<FileStat> stat(Path path, boolean followLinks) {
        if (EventLoop.onLoopThread()) {
            // A cold lookup may read the disk (or the network): never on a loop thread.
            requireOpen("STATX", path);
            CString p = CString.of(path);
            return runtime.submit(new StatxOp(Uapi.AT_FDCWD, p, followLinks ? 0 : Uapi.AT_SYMLINK_NOFOLLOW, p.text));
        }
        try {
            return CompletableFuture.completedFuture(statBlocking(path, followLinks));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public FileStat statBlocking(Path path, boolean followLinks) throws IOException {
        requireOpen("STATX", path);
        CString p = CString.of(path);
        return InlineCalls.statx(Uapi.AT_FDCWD, p, followLinks ? 0 : Uapi.AT_SYMLINK_NOFOLLOW, p.text);
    }

    /** Refuses work once the runtime is closed, as its loops refuse ops. */
    private void requireOpen(String op, Path path) {
        EventLoop loop = runtime.nextLoop();
        if (loop.isClosed()) {
            throw new RuntimeClosedException(op + " " + path + ": " + loop.name() + " is closed");
        }
    }

    /** GETXATTR ({@code io_uring_prep_getxattr}). */
    @Override
    public CompletableFuture<byte[]> getXattr(Path path, String name) {
        return runtime.submit(new XattrGetOp(null, CString.of(path), CString.of(name)));
    }

    /** SETXATTR ({@code io_uring_prep_setxattr}). */
    @Override
    public CompletableFuture<Void> setXattr(Path path, String name, byte[] value, int flags) {
        return runtime.submit(new XattrSetOp(null, CString.of(path), CString.of(name), value, flags));
    }

    // ------------------------------------------------------------------ whole files

    /**
     * Reads a whole file. A small file whose lookup and data are cached is read on the calling
     * thread (openat2 with RESOLVE_CACHED, preadv2 with RWF_NOWAIT until a read returns 0, close:
     * four system calls, the JDK makes five). Anything else is opened (through the ring if the
     * lookup would wait) and read until a read returns end of file, with one right-sized read for
     * an ordinary file; the asynchronous form does that on a virtual thread of its own, whose
     * reads park on the ring.
     */
    @Override
    public CompletableFuture<byte[]> readAllBytes(Path path) {
        requireOpen("readAllBytes", path);
        CString p = CString.of(path);
        int fd = openCachedForRead(p);
        byte[] quick = readWholeAndClose(fd);
        if (quick != null) {
            return CompletableFuture.completedFuture(quick);
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return readOpened(path, p, fd);
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, WHOLE_FILE_READERS);
    }

    private static final int READ_FLAGS = Uapi.O_RDONLY | Uapi.O_CLOEXEC;
    private static final java.util.concurrent.Executor WHOLE_FILE_READERS = java.util.concurrent.Executors
            .newThreadPerTaskExecutor(Thread.ofVirtual().name("uring4j-readAllBytes").factory());

    @Override
    public byte[] readAllBytesBlocking(Path path) throws IOException {
        requireOpen("readAllBytes", path);
        CString p = CString.of(path);
        int fd = openCachedForRead(p);
        byte[] quick = readWholeAndClose(fd);
        return quick != null ? quick : readOpened(path, p, fd);
    }

    /** openat2 for reading with RESOLVE_CACHED on this thread (O_NONBLOCK: a FIFO's open must not wait): a descriptor or -errno. */
    private static int openCachedForRead(CString p) {
        return InlineCalls.openat2(Uapi.AT_FDCWD, p, READ_FLAGS | Uapi.O_NONBLOCK, 0, Uapi.RESOLVE_CACHED);
    }

    /** The whole file at {@code fd} read on this thread without waiting, then closed; else null, with {@code fd} left open. */
    private static byte[] readWholeAndClose(int fd) {
        byte[] quick = fd >= 0 ? InlineCalls.readWhole(fd) : null;
        if (quick != null) {
            Syscalls.close(fd);
        }
        return quick;
    }

    /**
     * Reads to the end the file a cached open left at {@code fd} (or, if that open failed,
     * opens it again: through the ring when the lookup would wait, which also reports errors),
     * then closes it.
     */
    private byte[] readOpened(Path path, CString p, int fd) throws IOException {
        FileIo io;
        if (fd >= 0 && InlineCalls.fileType(fd) == Uapi.S_IFIFO) {
            // A FIFO opened without waiting has perhaps no writer yet, and its read would say end
            // of file at once. Open it again through the ring, which waits for a writer as
            // open(2) and the JDK do; only then let go of this reader, so that a writer that came
            // meanwhile never finds the FIFO without one.
            try {
                io = Await.get(runtime.nextLoop().submit(new OpenOp(Uapi.AT_FDCWD, p, OpenSpec.of(Set.of(StandardOpenOption.READ)), false)));
            } finally {
                Syscalls.close(fd);
            }
        } else if (fd >= 0) {
            RingFile f;
            try {
                f = new RingFile(runtime.nextLoop(), p.text, fd, -1);
            } catch (RuntimeException e) {
                Syscalls.close(fd);
                throw e;
            }
            f.nonblockToClear(READ_FLAGS);
            io = f;
        } else {
            io = Await.get(open(runtime.nextLoop(), null, path, Set.of(StandardOpenOption.READ)));
        }
        try (AsyncFile f = new AsyncFile(io)) {
            return InlineCalls.readToEnd(f);
        }
    }

    /**
     * Writes {@code data} as the whole content of {@code path} (created with mode 0666 less the
     * umask, or truncated): open into a fixed slot, write and close as one linked submission.
     */
    @Override
    public CompletableFuture<Void> write(Path path, byte[] data) {
        EventLoop loop = runtime.nextLoop();
        return loop.submit(new WriteWholeOp(CString.of(path), data)).thenCompose(written -> written == data.length
                ? CompletableFuture.completedFuture(null) : writeRest(loop, path, data, written));
    }

    /**
     * The rest of a whole-file write the chain did not finish, on a plain descriptor: after a
     * short WRITE (one moves at most MAX_RW_COUNT, 2,147,479,552 bytes) from where it stopped, or
     * all of it when the loop's table had no slot for the chain ({@code written} -1: nothing opened).
     */
    private CompletableFuture<Void> writeRest(EventLoop loop, Path path, byte[] data, int written) {
        Set<StandardOpenOption> options = written < 0
                ? Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)
                : Set.of(StandardOpenOption.WRITE);
        long from = Math.max(0, written);
        return open(loop, null, path, options).thenCompose(io -> {
            AsyncFile f = new AsyncFile(io);
            CompletableFuture<Void> rest = f.writeFullyAsync(MemorySegment.ofArray(data).asSlice(from), from);
            // Done only once the file is closed: no descriptor outlives the call.
            return rest.handle((v, failure) -> f.closeAsync().handle((c, closeFailure) -> {
                Throwable t = failure != null ? failure : closeFailure;
                if (t != null) {
                    throw t instanceof java.util.concurrent.CompletionException e ? e : new java.util.concurrent.CompletionException(t);
                }
                return (Void) null;
            })).thenCompose(java.util.function.Function.identity());
        });
    }

    /**
     * Closes the runtime if this instance opened it, then the files still open, as the portable
     * backend does: their ops already fail as on a closed file, and their descriptors would
     * otherwise stay open until each file's own close. (Files of a runtime this instance does not
     * own go on working on it, and stay open.)
     */
    @Override
    public void close() throws UringException {
        if (ownsRuntime) {
            UringException failure = null;
            try {
                runtime.close(); // on a loop's own thread it refuses (IllegalStateException), and nothing closes
            } catch (UringException e) {
                failure = e; // a loop failed or timed out: closed even so
            }
            closed = true;
            for (RingFile f : opened) {
                f.closeAsync(); // the loops are gone: closes the plain descriptor at once
            }
            opened.clear();
            if (failure != null) {
                throw failure;
            }
        }
    }

    // ------------------------------------------------------------------ operations

    /** OPENAT2 into a plain descriptor (then also registered in the loop's table), or straight into a slot. */
    static final class OpenOp extends FileOperation<FileIo> {
        private final int dirfd;
        private final CString path;
        private final OpenSpec spec;
        private static final int ERESTARTSYS = 512;
        /** Straight to an io-wq worker (IOSQE_ASYNC): no nonblocking first attempt. */
        private final boolean async;
        private int slot = -1;
        private int extraSlot = -1;

        OpenOp(int dirfd, CString path, OpenSpec spec, boolean async) {
            this.dirfd = dirfd;
            this.path = path;
            this.spec = spec;
            this.async = async;
        }

        @Override
        protected String name() {
            return "OPENAT2";
        }

        @Override
        protected void prepare(Sqe sqe) throws UringException {
            if (spec.directDescriptor()) {
                slot = loop().fixedFiles().allocate();
                if (slot < 0) {
                    throw new UringException(name(), Errno.ENFILE.number(), UringException.NO_FD, path.text,
                            "the loop's registered file table is full (" + loop().fixedFiles().size() + " slots)");
                }
            }
            sqe.prepOpenat2(dirfd, borrow(path), openHow(spec.flags(), spec.mode(), spec.resolve()));
            if (slot >= 0) {
                sqe.directSlot(slot);
            }
            if (async) {
                sqe.async();
            }
        }

        @Override
        protected FileIo complete(int res, int flags) throws IOException {
            if (res < 0) {
                freeSlot();
                // An open waiting on an io-wq worker (a FIFO's, for its reader) that a cancel
                // interrupts completes with the kernel-internal ERESTARTSYS (512): report EINTR.
                throw FsErrors.forPath(name(), res == -ERESTARTSYS ? -Errno.EINTR.number() : res, path.text, null);
            }
            if (slot >= 0) {
                return new RingFile(loop(), path.text, -1, slot);
            }
            FixedFileTable table = loop().fixedFiles();
            extraSlot = table.allocate();
            if (extraSlot >= 0) {
                try {
                    loop().ring().registerFilesUpdate(extraSlot, res);
                } catch (UringException e) {
                    table.free(extraSlot);
                    extraSlot = -1;
                }
            }
            return new RingFile(loop(), path.text, res, extraSlot);
        }

        @Override
        protected void abandoned(int res, int flags) {
            if (res < 0) {
                freeSlot();
                return;
            }
            try {
                if (slot >= 0) {
                    loop().ring().registerFilesUpdate(slot, -1);
                } else {
                    if (extraSlot >= 0) {
                        loop().ring().registerFilesUpdate(extraSlot, -1);
                        loop().fixedFiles().free(extraSlot);
                    }
                    Syscalls.close(res);
                }
            } catch (UringException ignored) {
                // the loop's close drops the whole table anyway
            }
            freeSlot();
        }

        private void freeSlot() {
            if (slot >= 0) {
                loop().fixedFiles().free(slot);
                slot = -1;
            }
        }
    }

    /** One path operation (mkdir, unlink, rename, link, symlink) that completes with nothing. */
    static final class PathOp extends FileOperation<Void> {
        interface Prep {
            void prepare(PathOp op, Sqe sqe);
        }

        private final String name;
        private final CString path1;
        private final CString path2;
        private final Prep prep;
        MemorySegment p1;
        MemorySegment p2;

        PathOp(String name, CString path1, CString path2, Prep prep) {
            this.name = name;
            this.path1 = path1;
            this.path2 = path2;
            this.prep = prep;
        }

        @Override
        protected String name() {
            return name;
        }

        @Override
        protected void prepare(Sqe sqe) {
            p1 = borrow(path1);
            p2 = path2 == null ? null : borrow(path2);
            prep.prepare(this, sqe);
        }

        @Override
        protected Void complete(int res, int flags) throws IOException {
            if (res < 0) {
                // For symlink the interesting name is the link (path2); for the others path1.
                boolean linkFirst = name.equals("SYMLINKAT");
                throw FsErrors.forPath(name, res, (linkFirst ? path2 : path1).text,
                        path2 == null ? null : (linkFirst ? path1 : path2).text);
            }
            return null;
        }
    }

    /** STATX of a path relative to a directory fd (or of an fd itself with AT_EMPTY_PATH). */
    static final class StatxOp extends FileOperation<FileStat> {
        private final int dirfd;
        private final CString path;
        private final int flags;
        private final String display;
        private MemorySegment buf;

        StatxOp(int dirfd, CString path, int flags, String display) {
            this.dirfd = dirfd;
            this.path = path;
            this.flags = flags;
            this.display = display;
        }

        @Override
        protected String name() {
            return "STATX";
        }

        @Override
        protected void prepare(Sqe sqe) {
            buf = borrow(Layouts.STATX.byteSize());
            sqe.prepStatx(dirfd, borrow(path), flags, FileStat.MASK, buf);
        }

        @Override
        protected FileStat complete(int res, int f) throws IOException {
            if (res < 0) {
                throw FsErrors.forPath(name(), res, display, null);
            }
            return FileStat.of(buf);
        }
    }

    /** FGETXATTR (file) or GETXATTR (path). */
    static final class XattrGetOp extends FileOperation<byte[]> {
        private final RingFile file;
        private final CString path;
        private final CString attr;
        private MemorySegment value;

        XattrGetOp(RingFile file, CString path, CString attr) {
            this.file = file;
            this.path = path;
            this.attr = attr;
        }

        @Override
        protected String name() {
            return file != null ? "FGETXATTR" : "GETXATTR";
        }

        @Override
        protected void prepare(Sqe sqe) {
            value = borrow(XATTR_MAX).asSlice(0, XATTR_MAX);
            if (file != null) {
                sqe.prepFgetxattr(file.io(), borrow(attr), value);
            } else {
                sqe.prepGetxattr(borrow(path), borrow(attr), value);
            }
        }

        @Override
        protected byte[] complete(int res, int flags) throws IOException {
            if (res < 0) {
                if (file != null) {
                    throw file.error(name() + " " + attr, res);
                }
                throw FsErrors.forPath(name() + " " + attr, res, path.text, null);
            }
            return RingFile.toArray(value, res);
        }
    }

    /** FSETXATTR (file) or SETXATTR (path). */
    static final class XattrSetOp extends FileOperation<Void> {
        private final RingFile file;
        private final CString path;
        private final CString attr;
        private final byte[] data;
        private final int flags;

        XattrSetOp(RingFile file, CString path, CString attr, byte[] data, int flags) {
            this.file = file;
            this.path = path;
            this.attr = attr;
            this.data = data;
            this.flags = flags;
        }

        @Override
        protected String name() {
            return file != null ? "FSETXATTR" : "SETXATTR";
        }

        @Override
        protected void prepare(Sqe sqe) {
            MemorySegment v = borrow(Math.max(1, data.length)).asSlice(0, data.length);
            MemorySegment.copy(MemorySegment.ofArray(data), 0, v, 0, data.length);
            if (file != null) {
                sqe.prepFsetxattr(file.io(), borrow(attr), v, flags);
            } else {
                sqe.prepSetxattr(borrow(path), borrow(attr), v, flags);
            }
        }

        @Override
        protected Void complete(int res, int f) throws IOException {
            if (res < 0) {
                if (file != null) {
                    throw file.error(name() + " " + attr, res);
                }
                throw FsErrors.forPath(name() + " " + attr, res, path.text, null);
            }
            return null;
        }
    }

    /**
     * A whole-file op as one submission of three linked entries: OPENAT2 into a fixed slot of our
     * choosing, one READ or WRITE through that slot (hard-linked, so the close runs even if it
     * fails), and CLOSE of the slot. (No O_CLOEXEC: a direct descriptor is in no fd table, and the
     * kernel refuses the flag for one.) The slot is given back once the chain's CLOSE has completed.
     */
    abstract static class WholeFileOp<T> extends FileOperation<T> {
        final CString path;
        int slot = -1;
        /** The loop's table had no slot: the chain was NOPs, and the caller falls back on plain descriptors. */
        boolean noSlot;
        int openRes;
        int ioRes;

        WholeFileOp(CString path) {
            this.path = path;
        }

        /** Open flags (without O_CLOEXEC). */
        abstract int openFlags();

        /** The transfer's buffer, filled for a write. */
        abstract MemorySegment buffer();

        abstract boolean writes();

        @Override
        protected int chainLength() {
            return 3;
        }

        @Override
        protected void prepare(Sqe sqe) {
            throw new AssertionError("prepared as a chain");
        }

        @Override
        protected void prepareChain(Sqe[] sqes) throws UringException {
            slot = loop().fixedFiles().allocate();
            if (slot < 0) {
                // The table is full for now (or inactive): never fail for that. Three NOPs complete
                // the op at once, and the caller goes on with plain descriptors instead.
                noSlot = true;
                for (Sqe sqe : sqes) {
                    sqe.prepNop();
                }
                return;
            }
            int flags = openFlags();
            long mode = (flags & Uapi.O_CREAT) != 0 ? OpenSpec.DEFAULT_MODE : 0; // a mode without O_CREAT is EINVAL
            sqes[0].prepOpenat2(Uapi.AT_FDCWD, borrow(path), openHow(flags, mode, 0)).directSlot(slot).link();
            prepTransfer(sqes[1], Fd.fixed(slot), buffer(), 0, writes()).hardLink();
            sqes[2].prepClose(Fd.fixed(slot));
        }

        @Override
        protected void chainCompletion(int index, int res, int flags) {
            if (index == 0) {
                openRes = res;
            } else if (index == 1) {
                ioRes = res;
            }
        }

        /** Throws for a failed open or transfer. */
        void check() throws IOException {
            if (openRes < 0) {
                throw FsErrors.forPath("OPENAT2", openRes, path.text, null);
            }
            if (ioRes < 0) {
                throw new UringException(writes() ? "WRITE" : "READ", -ioRes, UringException.NO_FD, path.text,
                        "through fixed slot " + slot);
            }
        }

        @Override
        protected void release() {
            super.release();
            if (slot >= 0) {
                loop().fixedFiles().free(slot);
                slot = -1;
            }
        }
    }

    /** Creates or truncates a file and writes {@code data} as all of it. */
    static final class WriteWholeOp extends WholeFileOp<Integer> {
        private final byte[] data;

        WriteWholeOp(CString path, byte[] data) {
            super(path);
            this.data = data;
        }

        @Override
        protected String name() {
            return "OPENAT2+WRITE+CLOSE";
        }

        @Override
        int openFlags() {
            return Uapi.O_WRONLY | Uapi.O_CREAT | Uapi.O_TRUNC;
        }

        @Override
        boolean writes() {
            return true;
        }

        @Override
        MemorySegment buffer() {
            int n = (int) Math.min(data.length, maxRwCount);
            MemorySegment buf = bounce(n);
            MemorySegment.copy(MemorySegment.ofArray(data), 0, buf, 0, n);
            return buf;
        }

        @Override
        protected Integer complete(int res, int flags) throws IOException {
            if (noSlot) {
                return -1;
            }
            check();
            if (res < 0) {
                throw new UringException("CLOSE", -res, UringException.NO_FD, path.text, "fixed slot " + slot);
            }
            return ioRes; // short (MAX_RW_COUNT, or a full disk): the caller writes the rest, or hears why not
        }
    }
}
