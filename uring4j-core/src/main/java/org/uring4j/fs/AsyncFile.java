package org.uring4j.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.Fd;
import org.uring4j.ring.Sqe;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.Await;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.NativeMemoryPool;
import org.uring4j.runtime.RuntimeClosedException;
import org.uring4j.sys.Layouts;

/**
 * An open file, read and written at explicit positions through io_uring. Open one with
 * {@link UringFiles#open}.
 *
 * <p>Every operation has two forms: {@code readAsync(...)} returns a {@link CompletableFuture},
 * and {@code read(...)} waits for it — parking a virtual thread without pinning its carrier, or
 * blocking a platform thread. Buffers may be native {@link MemorySegment}s and direct
 * {@link ByteBuffer}s (the kernel reads and writes them in place), or heap arrays and buffers
 * (copied through the loop's registered bounce buffers, READ_FIXED/WRITE_FIXED). A
 * {@code ByteBuffer}'s position advances by the bytes transferred, as with a FileChannel.
 *
 * <p>A file belongs to the {@link EventLoop} that opened it. One opened through the ring sits in
 * that loop's registered file table as well as holding a plain descriptor: I/O goes through the
 * fixed slot (seed 002), while {@link #fd()} and {@link #stat()} use the descriptor. One opened on
 * the caller's thread by the cached-lookup fast path has its descriptor only
 * ({@link #fixedSlot()} is -1). Closing waits until the
 * operations already started on the file have completed, then empties the slot and closes the
 * descriptor; operations started after close fail with {@link ClosedChannelException}. A native
 * segment handed to an operation must stay alive until that operation's future completes — or,
 * if you cancel it, until this file's {@link #close()} returns.
 */
public final class AsyncFile implements AutoCloseable {
    /** The most one READ or WRITE moves (Linux's MAX_RW_COUNT): readFully/writeFully split larger ones. */
    private static final long MAX_RW = 0x7ffff000L;
    private final EventLoop loop;
    private final String path;
    private final int slot;
    private final Fd io;
    private volatile int fd;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean closing;
    /**
     * Whether the file is a regular file on tmpfs or ramfs (UNKNOWN until the first transfer asks).
     * io_uring has no nonblocking path for their buffered I/O and hands every read and write to an
     * io-wq worker: twice the CPU of a plain pread for the same rate (docs/benchmarks.md).
     * Transfers of up to {@link #INLINE_MAX} bytes on such a file are a memory copy that never
     * waits, so they are done with pread/pwrite on the calling thread.
     */
    private volatile int memoryKind;
    private static final int UNKNOWN = 0;
    private static final int IN_MEMORY = 1;
    private static final int NOT_IN_MEMORY = 2;
    private static final long TMPFS_MAGIC = 0x01021994L;
    private static final long RAMFS_MAGIC = 0x858458f6L;
    private static final long INLINE_MAX = 1 << 20;

    AsyncFile(EventLoop loop, String path, int fd, int slot) {
        this.loop = loop;
        this.path = path;
        this.fd = fd;
        this.slot = slot;
        this.io = slot >= 0 ? Fd.fixed(slot) : Fd.raw(fd);
        this.memoryKind = fd >= 0 ? UNKNOWN : NOT_IN_MEMORY;
    }

    /** Whether the file is a regular file on tmpfs or ramfs; asked once, at the first transfer, not at open. */
    private boolean inMemory() {
        int k = memoryKind;
        if (k == UNKNOWN) {
            long fsType = org.uring4j.sys.Syscalls.fileSystemType(fd);
            k = (fsType == TMPFS_MAGIC || fsType == RAMFS_MAGIC) && isRegularFile(fd) ? IN_MEMORY : NOT_IN_MEMORY;
            memoryKind = k; // racing threads compute the same answer
        }
        return k == IN_MEMORY;
    }

    /** A regular file (not a FIFO or device node that lives on tmpfs, whose reads may wait). */
    private static boolean isRegularFile(int fd) {
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment stx = a.allocate(Layouts.STATX.byteSize(), 8);
            int r = org.uring4j.sys.Syscalls.statx(fd, a.allocateFrom(""), Uapi.AT_EMPTY_PATH, Uapi.STATX_TYPE, stx);
            return r == 0 && (Short.toUnsignedInt(stx.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 28)) & Uapi.S_IFMT)
                    == Uapi.S_IFREG;
        }
    }

    /** The loop this file belongs to. */
    public EventLoop loop() {
        return loop;
    }

    /** The path it was opened with (for messages). */
    public String path() {
        return path;
    }

    /** The registered-file slot it uses, or -1 if it is not in the loop's table. */
    public int fixedSlot() {
        return slot;
    }

    /** True once {@link #close()} has begun. */
    public boolean isClosed() {
        return closing;
    }

    /**
     * The plain file descriptor. A file opened as a {@link UringOpenOption#DIRECT_DESCRIPTOR}
     * has none until this installs one (IORING_OP_FIXED_FD_INSTALL); close still closes it.
     */
    public int fd() throws IOException {
        if (closing) {
            throw closedException(); // the number may already belong to another file
        }
        int f = fd;
        if (f >= 0) {
            return f;
        }
        CompletableFuture<Integer> installing = run(new InstallOp(this));
        try {
            adoptInstalled(Await.get(installing));
        } catch (java.io.InterruptedIOException e) {
            installing.thenAccept(this::adoptInstalled); // the descriptor still arrives: keep it, or close a duplicate
            throw e;
        }
        return fd;
    }

    /** Keeps an installed descriptor as this file's, or closes it if another install won. */
    private synchronized int adoptInstalled(int installed) {
        if (fd < 0) {
            fd = installed;
        } else if (installed != fd) {
            org.uring4j.sys.Syscalls.close(installed);
        }
        return fd;
    }

    // ------------------------------------------------------------------ read and write

    /** Reads into {@code dst} at {@code position}; the bytes read, -1 at end of file ({@code io_uring_prep_read}). */
    public CompletableFuture<Integer> readAsync(MemorySegment dst, long position) {
        return transfer(false, dst, null, position);
    }

    /** Reads into {@code dst}'s remaining bytes at {@code position}, advancing its position. */
    public CompletableFuture<Integer> readAsync(ByteBuffer dst, long position) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        return transfer(false, MemorySegment.ofBuffer(dst), dst, position);
    }

    /** Reads into {@code dst[off..off+len)} at {@code position}. */
    public CompletableFuture<Integer> readAsync(byte[] dst, int off, int len, long position) {
        Objects.checkFromIndexSize(off, len, dst.length);
        return transfer(false, MemorySegment.ofArray(dst).asSlice(off, len), null, position);
    }

    /** Writes all of {@code src} at {@code position} (or fewer bytes: see {@link #writeFully}); the bytes written. */
    public CompletableFuture<Integer> writeAsync(MemorySegment src, long position) {
        return transfer(true, src, null, position);
    }

    /** Writes {@code src}'s remaining bytes at {@code position}, advancing its position. */
    public CompletableFuture<Integer> writeAsync(ByteBuffer src, long position) {
        return transfer(true, MemorySegment.ofBuffer(src), src, position);
    }

    /** Writes {@code src[off..off+len)} at {@code position}. */
    public CompletableFuture<Integer> writeAsync(byte[] src, int off, int len, long position) {
        Objects.checkFromIndexSize(off, len, src.length);
        return transfer(true, MemorySegment.ofArray(src).asSlice(off, len), null, position);
    }

    /** A READ or WRITE: through the ring, or inline for a small transfer on a file in memory. */
    private CompletableFuture<Integer> transfer(boolean write, MemorySegment target, ByteBuffer buffer, long position) {
        checkTransfer(write, target, position);
        if (target.byteSize() > INLINE_MAX || !inMemory()) {
            return run(new RwOp(this, write, target, buffer, position));
        }
        if (closing) {
            return CompletableFuture.failedFuture(closedException());
        }
        inFlight.incrementAndGet();
        try {
            if (closing) {
                return CompletableFuture.failedFuture(closedException());
            }
            long r = write ? org.uring4j.sys.Syscalls.pwriteCritical(fd, target, position)
                    : org.uring4j.sys.Syscalls.preadCritical(fd, target, position);
            if (r < 0) {
                return CompletableFuture.failedFuture(error(write ? "pwrite" : "pread", (int) r));
            }
            if (buffer != null) {
                buffer.position(buffer.position() + (int) r);
            }
            return CompletableFuture.completedFuture(!write && r == 0 && target.byteSize() > 0 ? -1 : (int) r);
        } finally {
            endOp();
        }
    }

    /** The checks every READ/WRITE makes before it starts. */
    private static void checkTransfer(boolean write, MemorySegment target, long position) {
        requirePosition(position);
        if (!write && target.isReadOnly()) {
            throw new IllegalArgumentException("READ into a read-only segment");
        }
        if (target.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException((write ? "WRITE" : "READ") + ": " + target.byteSize()
                    + " bytes at once; the kernel moves at most 2 GiB per call (use readFully/writeFully)");
        }
    }

    public int read(MemorySegment dst, long position) throws IOException {
        return Await.get(readAsync(dst, position));
    }

    public int read(ByteBuffer dst, long position) throws IOException {
        return Await.get(readAsync(dst, position));
    }

    public int read(byte[] dst, int off, int len, long position) throws IOException {
        return Await.get(readAsync(dst, off, len, position));
    }

    public int write(MemorySegment src, long position) throws IOException {
        return Await.get(writeAsync(src, position));
    }

    public int write(ByteBuffer src, long position) throws IOException {
        return Await.get(writeAsync(src, position));
    }

    public int write(byte[] src, int off, int len, long position) throws IOException {
        return Await.get(writeAsync(src, off, len, position));
    }

    /**
     * Reads until {@code dst} is full, issuing further reads after short ones.
     *
     * @throws EOFException (in the future) if the file ends first
     */
    public CompletableFuture<Void> readFullyAsync(MemorySegment dst, long position) {
        return readFullyFrom(dst, position, 0);
    }

    private CompletableFuture<Void> readFullyFrom(MemorySegment dst, long position, long done) {
        if (done == dst.byteSize()) {
            return CompletableFuture.completedFuture(null);
        }
        return readAsync(dst.asSlice(done, Math.min(dst.byteSize() - done, MAX_RW)), position + done).thenCompose(n -> {
            if (n < 0) {
                return CompletableFuture.failedFuture(new EOFException(path + ": end of file at " + (position + done)
                        + " with " + (dst.byteSize() - done) + " bytes still to read"));
            }
            return readFullyFrom(dst, position, done + n);
        });
    }

    /** Writes all of {@code src}, issuing further writes after short ones. */
    public CompletableFuture<Void> writeFullyAsync(MemorySegment src, long position) {
        return writeFullyFrom(src, position, 0);
    }

    private CompletableFuture<Void> writeFullyFrom(MemorySegment src, long position, long done) {
        if (done == src.byteSize()) {
            return CompletableFuture.completedFuture(null);
        }
        return writeAsync(src.asSlice(done, Math.min(src.byteSize() - done, MAX_RW)), position + done)
                .thenCompose(n -> writeFullyFrom(src, position, done + n));
    }

    public void readFully(MemorySegment dst, long position) throws IOException {
        Await.get(readFullyAsync(dst, position));
    }

    public void readFully(byte[] dst, long position) throws IOException {
        readFully(MemorySegment.ofArray(dst), position);
    }

    public void writeFully(MemorySegment src, long position) throws IOException {
        Await.get(writeFullyAsync(src, position));
    }

    public void writeFully(byte[] src, long position) throws IOException {
        writeFully(MemorySegment.ofArray(src), position);
    }

    /**
     * Reads into the buffers in order, at {@code position} (READV for direct buffers, one
     * bounce read for heap ones); advances their positions.
     *
     * @return bytes read, -1 at end of file
     */
    public CompletableFuture<Long> readAsync(ByteBuffer[] dsts, long position) {
        for (ByteBuffer b : dsts) {
            if (b.isReadOnly()) {
                throw new IllegalArgumentException("Read-only buffer");
            }
        }
        return run(new VectorOp(this, false, dsts.clone(), position));
    }

    /** Writes the buffers' remaining bytes in order at {@code position}; advances their positions. */
    public CompletableFuture<Long> writeAsync(ByteBuffer[] srcs, long position) {
        return run(new VectorOp(this, true, srcs.clone(), position));
    }

    public long read(ByteBuffer[] dsts, long position) throws IOException {
        return Await.get(readAsync(dsts, position));
    }

    public long write(ByteBuffer[] srcs, long position) throws IOException {
        return Await.get(writeAsync(srcs, position));
    }

    // ------------------------------------------------------------------ metadata and space

    /** fsync(2): data and metadata reach the disk. */
    public CompletableFuture<Void> syncAsync() {
        return run(new FdOp(this, "FSYNC", s -> s.prepFsync(io, 0))).thenApply(r -> null);
    }

    /** fdatasync(2): data (and the metadata needed to read it) reach the disk. */
    public CompletableFuture<Void> dataSyncAsync() {
        return run(new FdOp(this, "FSYNC", s -> s.prepFsync(io, Uapi.IORING_FSYNC_DATASYNC))).thenApply(r -> null);
    }

    /** fallocate(2) with FALLOC_FL_* {@code mode} (0: allocate and extend). */
    public CompletableFuture<Void> allocateAsync(long position, long length, int mode) {
        requirePosition(position);
        if (length <= 0) {
            throw new IllegalArgumentException("length must be positive: " + length);
        }
        return run(new FdOp(this, "FALLOCATE", s -> s.prepFallocate(io, mode, position, length))).thenApply(r -> null);
    }

    /** ftruncate(2) to {@code size} bytes (Linux 6.9+). */
    public CompletableFuture<Void> truncateAsync(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        return run(new FdOp(this, "FTRUNCATE", s -> s.prepFtruncate(io, size))).thenApply(r -> null);
    }

    /** posix_fadvise(2) POSIX_FADV_* {@code advice} for a range (length 0: to the end). */
    public CompletableFuture<Void> adviseAsync(long position, long length, int advice) {
        requirePosition(position);
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        return run(new FdOp(this, "FADVISE", s -> s.prepFadvise(io, position, length, advice))).thenApply(r -> null);
    }

    /** statx(2) of the open file. */
    public CompletableFuture<FileStat> statAsync() {
        CompletableFuture<Integer> descriptor = fd >= 0 ? CompletableFuture.completedFuture(fd)
                : run(new InstallOp(this)).thenApply(this::adoptInstalled);
        return descriptor.thenCompose(f -> run(new UringFiles.StatxOp(f, CString.of(""), Uapi.AT_EMPTY_PATH, path)));
    }

    /** The file's size, from statx. */
    public CompletableFuture<Long> sizeAsync() {
        return statAsync().thenApply(FileStat::size);
    }

    public void sync() throws IOException {
        Await.get(syncAsync());
    }

    public void dataSync() throws IOException {
        Await.get(dataSyncAsync());
    }

    public void allocate(long position, long length, int mode) throws IOException {
        Await.get(allocateAsync(position, length, mode));
    }

    public void truncate(long size) throws IOException {
        Await.get(truncateAsync(size));
    }

    public void advise(long position, long length, int advice) throws IOException {
        Await.get(adviseAsync(position, length, advice));
    }

    public FileStat stat() throws IOException {
        return Await.get(statAsync());
    }

    public long size() throws IOException {
        return Await.get(sizeAsync());
    }

    /** Reads extended attribute {@code name} (e.g. "user.mime"); at most 64 KiB. */
    public CompletableFuture<byte[]> getXattrAsync(String name) {
        return run(new UringFiles.XattrGetOp(this, null, CString.of(name)));
    }

    /** Sets extended attribute {@code name} to {@code value}; XATTR_CREATE/XATTR_REPLACE {@code flags}. */
    public CompletableFuture<Void> setXattrAsync(String name, byte[] value, int flags) {
        return run(new UringFiles.XattrSetOp(this, null, CString.of(name), value.clone(), flags));
    }

    public byte[] getXattr(String name) throws IOException {
        return Await.get(getXattrAsync(name));
    }

    public void setXattr(String name, byte[] value, int flags) throws IOException {
        Await.get(setXattrAsync(name, value, flags));
    }

    // ------------------------------------------------------------------ lifecycle

    /** Runs an op on this file's loop, counting it in flight so close waits for it. */
    <T> CompletableFuture<T> run(FileOperation<T> op) {
        if (closing) {
            return CompletableFuture.failedFuture(closedException());
        }
        op.owner = this;
        inFlight.incrementAndGet();
        if (closing) {
            endOp();
            return CompletableFuture.failedFuture(closedException());
        }
        try {
            return loop.submit(op);
        } catch (RuntimeClosedException e) {
            endOp();
            return CompletableFuture.failedFuture(e);
        }
    }

    private ClosedChannelException closedException() {
        ClosedChannelException e = new ClosedChannelException();
        e.initCause(new IOException(path + " is closed"));
        return e;
    }

    /** An op of this file has released its memory: the last one lets a pending close go ahead. */
    void endOp() {
        if (inFlight.decrementAndGet() == 0 && closing) {
            startClose();
        }
    }

    Fd io() {
        return io;
    }

    int rawFd() {
        return fd;
    }

    /**
     * Closes the file once the operations already started have completed: empties its fixed slot
     * and closes its descriptor. Idempotent.
     */
    public CompletableFuture<Void> closeAsync() {
        closing = true;
        if (inFlight.get() == 0) {
            startClose();
        }
        return closed;
    }

    private void startClose() {
        if (!closeStarted.compareAndSet(false, true)) {
            return;
        }
        if (slot < 0) {
            // A plain descriptor the ring holds no reference to (a cached-open fast-path file) and no
            // op of ours in flight: close(2) it on this thread, as FileChannel does, rather than
            // paying a loop round trip for IORING_OP_CLOSE.
            int r = org.uring4j.sys.Syscalls.close(fd);
            if (r < 0 && r != -Errno.EBADF.number()) {
                closed.completeExceptionally(error("close", r));
            } else {
                closed.complete(null);
            }
            return;
        }
        try {
            loop.submit(new CloseOp(this, slot, fd)).whenComplete((r, t) -> {
                if (t instanceof RuntimeClosedException) {
                    // Queued, but the loop shut down before running it: the CLOSE never happened.
                    closeAfterLoop();
                } else if (t != null) {
                    closed.completeExceptionally(t);
                } else {
                    closed.complete(null);
                }
            });
        } catch (RuntimeClosedException e) {
            closeAfterLoop();
        }
    }

    /** The loop closed first: its close already dropped the table and the kernel's references; the descriptor is ours. */
    private void closeAfterLoop() {
        int f = fd;
        if (f >= 0) {
            org.uring4j.sys.Syscalls.close(f);
        }
        closed.complete(null);
    }

    /** Closes the file and waits for it (see {@link #closeAsync()}). */
    @Override
    public void close() throws IOException {
        Await.get(closeAsync());
    }

    @Override
    public String toString() {
        return "AsyncFile[" + path + (slot >= 0 ? ", slot " + slot : "") + (fd >= 0 ? ", fd " + fd : "")
                + (closing ? ", closed" : "") + "]";
    }

    static void requirePosition(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
    }

    // ------------------------------------------------------------------ operations

    /** A failed op on this file, as a UringException naming the op, path, and fd or fixed slot. */
    UringException error(String op, int res) {
        return slot >= 0 ? new UringException(op, -res, UringException.NO_FD, path, "through fixed slot " + slot)
                : new UringException(op, -res, fd, path);
    }

    /** Base of the ops on an open file (run through {@link #run}, which counts them in flight). */
    abstract static class OnFile<T> extends FileOperation<T> {
        final AsyncFile file;

        OnFile(AsyncFile file) {
            this.file = file;
        }
    }

    /** READ/WRITE (or READ_FIXED/WRITE_FIXED through a registered bounce buffer). */
    static final class RwOp extends OnFile<Integer> {
        private final boolean write;
        private final MemorySegment target;
        private final ByteBuffer buffer;
        private final long position;
        private MemorySegment bounce;

        RwOp(AsyncFile file, boolean write, MemorySegment target, ByteBuffer buffer, long position) {
            super(file); // its arguments were checked by transfer(), its only caller
            this.write = write;
            this.target = target;
            this.buffer = buffer;
            this.position = position;
        }

        @Override
        protected String name() {
            return write ? "WRITE" : "READ";
        }

        @Override
        protected void prepare(Sqe sqe) {
            Fd io = file.io();
            if (target.isNative()) {
                if (write) {
                    sqe.prepWrite(io, target, position);
                } else {
                    sqe.prepRead(io, target, position);
                }
                return;
            }
            bounce = bounce(target.byteSize());
            if (write) {
                MemorySegment.copy(target, 0, bounce, 0, bounce.byteSize());
            }
            prepTransfer(sqe, io, bounce, position, write);
        }

        @Override
        protected Integer complete(int res, int flags) throws UringException {
            if (res < 0) {
                throw file.error(name(), res);
            }
            if (!write && bounce != null && res > 0) {
                MemorySegment.copy(bounce, 0, target, 0, res);
            }
            if (buffer != null) {
                buffer.position(buffer.position() + res);
            }
            return !write && res == 0 && target.byteSize() > 0 ? -1 : res;
        }
    }

    /** READV/WRITEV of direct buffers, or one bounced READ/WRITE for heap ones. */
    static final class VectorOp extends OnFile<Long> {
        private final boolean write;
        private final ByteBuffer[] buffers;
        private final long position;
        private final long total;
        private MemorySegment bounce;

        VectorOp(AsyncFile file, boolean write, ByteBuffer[] buffers, long position) {
            super(file);
            requirePosition(position);
            long t = 0;
            for (ByteBuffer b : buffers) {
                t += Objects.requireNonNull(b, "buffer").remaining();
            }
            if (t > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("more than 2 GiB in one vectored call");
            }
            this.write = write;
            this.buffers = buffers;
            this.position = position;
            this.total = t;
        }

        @Override
        protected String name() {
            return write ? "WRITEV" : "READV";
        }

        @Override
        protected void prepare(Sqe sqe) {
            boolean allDirect = true;
            for (ByteBuffer b : buffers) {
                allDirect &= b.isDirect();
            }
            if (allDirect && buffers.length <= 1024) {
                MemorySegment iov = borrow(Layouts.IOVEC.byteSize() * Math.max(1, buffers.length));
                for (int i = 0; i < buffers.length; i++) {
                    MemorySegment s = MemorySegment.ofBuffer(buffers[i]);
                    iov.set(JAVA_LONG, 16L * i, s.address());
                    iov.set(JAVA_LONG, 16L * i + 8, s.byteSize());
                }
                if (write) {
                    sqe.prepWritev(file.io(), iov, buffers.length, position, 0);
                } else {
                    sqe.prepReadv(file.io(), iov, buffers.length, position, 0);
                }
                return;
            }
            bounce = bounce(total);
            if (write) {
                long at = 0;
                for (ByteBuffer b : buffers) {
                    MemorySegment s = MemorySegment.ofBuffer(b);
                    MemorySegment.copy(s, 0, bounce, at, s.byteSize());
                    at += s.byteSize();
                }
            }
            prepTransfer(sqe, file.io(), bounce, position, write);
        }

        @Override
        protected Long complete(int res, int flags) throws UringException {
            if (res < 0) {
                throw file.error(name(), res);
            }
            long left = res;
            long at = 0;
            for (ByteBuffer b : buffers) {
                int n = (int) Math.min(left, b.remaining());
                if (!write && bounce != null && n > 0) {
                    MemorySegment.copy(bounce, at, MemorySegment.ofBuffer(b), 0, n);
                }
                b.position(b.position() + n);
                left -= n;
                at += n;
            }
            return !write && res == 0 && total > 0 ? -1L : (long) res;
        }
    }

    /** An op on the file that needs no memory (fsync, fallocate, ftruncate, fadvise). */
    static final class FdOp extends OnFile<Integer> {
        private final String name;
        private final java.util.function.Consumer<Sqe> prep;

        FdOp(AsyncFile file, String name, java.util.function.Consumer<Sqe> prep) {
            super(file);
            this.name = name;
            this.prep = prep;
        }

        @Override
        protected String name() {
            return name;
        }

        @Override
        protected void prepare(Sqe sqe) {
            prep.accept(sqe);
        }

        @Override
        protected Integer complete(int res, int flags) throws UringException {
            if (res < 0) {
                throw file.error(name, res);
            }
            return res;
        }
    }

    /** FIXED_FD_INSTALL: a plain descriptor for a direct-only file. */
    static final class InstallOp extends OnFile<Integer> {
        InstallOp(AsyncFile file) {
            super(file);
        }

        @Override
        protected String name() {
            return "FIXED_FD_INSTALL";
        }

        @Override
        protected void prepare(Sqe sqe) {
            sqe.prepFixedFdInstall(file.slot, 0);
        }

        @Override
        protected Integer complete(int res, int flags) throws UringException {
            if (res < 0) {
                throw file.error(name(), res);
            }
            return res;
        }
    }

    /**
     * Closes a file: empties its fixed slot (synchronously on the loop thread, so the kernel's
     * reference is gone before the slot is reused) and closes its descriptor with IORING_OP_CLOSE.
     */
    static final class CloseOp extends FileOperation<Void> {
        private final AsyncFile file;
        private final int slot;
        private final int fd;

        CloseOp(AsyncFile file, int slot, int fd) {
            this.file = file;
            this.slot = slot;
            this.fd = fd;
        }

        @Override
        protected String name() {
            return "CLOSE";
        }

        @Override
        protected void prepare(Sqe sqe) throws UringException {
            if (slot >= 0 && fd >= 0) {
                loop().ring().registerFilesUpdate(slot, -1);
                loop().fixedFiles().free(slot);
                sqe.prepClose(Fd.raw(fd));
            } else if (slot >= 0) {
                sqe.prepClose(Fd.fixed(slot));
            } else {
                sqe.prepClose(Fd.raw(fd));
            }
        }

        @Override
        protected Void complete(int res, int flags) throws UringException {
            if (slot >= 0 && fd < 0) {
                loop().fixedFiles().free(slot);
            }
            int installed = file.rawFd();
            if (fd < 0 && installed >= 0) {
                org.uring4j.sys.Syscalls.close(installed); // a descriptor fd() installed later
            }
            if (res < 0 && res != -Errno.EBADF.number()) {
                throw file.error(name(), res);
            }
            return null;
        }
    }

    /** Copies {@code n} bytes of native memory into a new array. */
    static byte[] toArray(MemorySegment seg, int n) {
        byte[] out = new byte[n];
        MemorySegment.copy(seg, JAVA_BYTE, 0, out, 0, n);
        return out;
    }
}
