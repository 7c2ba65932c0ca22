package org.uring4j.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.Fd;
import org.uring4j.ring.Opcode;
import org.uring4j.ring.Probe;
import org.uring4j.ring.Sqe;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.Await;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.RuntimeClosedException;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Scopes;

/**
 * The io_uring backend of an {@link AsyncFile}: the file's ops go to the {@link EventLoop} that
 * opened it.
 *
 * <p>One opened through the ring sits in that loop's registered file table as well as holding a
 * plain descriptor: I/O goes through the fixed slot (seed 002), while {@link #fd()} and
 * {@link #stat()} use the descriptor. One opened on the caller's thread by the cached-lookup fast
 * path has its descriptor only ({@link #fixedSlot()} is -1). Closing waits until the operations
 * already started have completed (counted in flight until their memory is released), then
 * empties the slot and closes the descriptor.
 */
final class RingFile implements FileIo {
    private final EventLoop loop;
    private final String path;
    private final int slot;
    private final Fd io;
    private volatile int fd;
    private final CloseGate gate;
    /** Set when the last op has ended and the close proper begins (see {@link CancelOp}). */
    private volatile boolean closeStarted;
    /**
     * How this file's transfers are made, learned at its first transfer (UNKNOWN until then).
     * The caller's path is tried first, as the kernel tries every io_uring request nonblocking
     * before it punts it to a worker: a read the page cache can serve is a preadv2(RWF_NOWAIT) on
     * the calling thread, with no hand-off to the loop and no wake-up; only what would wait goes
     * to the ring, where a virtual thread parks instead of blocking its carrier.
     */
    private volatile int kind;
    private static final int UNKNOWN = 0;
    /** A regular file on tmpfs or ramfs: a transfer is a memory copy that never waits (io_uring punts them all to io-wq). */
    private static final int IN_MEMORY = 1;
    /** A regular file through the page cache: RWF_NOWAIT first. */
    private static final int BUFFERED = 2;
    /** O_DIRECT, or O_SYNC/O_DSYNC writes: every transfer waits for the device. */
    private static final int DEVICE_BOUND = 3;
    /** Anything else (FIFOs, devices, sockets, a direct descriptor without a plain fd): always the ring. */
    private static final int RING_ONLY = 4;
    /** O_SYNC or O_DSYNC: reads are buffered, writes wait for the device. */
    private volatile boolean syncWrites;
    /**
     * The open flags to restore with F_SETFL (clearing the O_NONBLOCK a cached open set) before
     * the file's first ring op or {@link #fd()}; -1 once done or never needed. io_uring returns
     * EAGAIN instead of waiting for an O_NONBLOCK file, and a descriptor handed out should carry
     * the flags its opener asked for.
     */
    private volatile int flagsToRestore = -1;
    /** Cleared when the file system answers RWF_NOWAIT with EOPNOTSUPP (procfs, some network file systems). */
    private volatile boolean readNowait = true;
    /** Cleared likewise for writes (ext4 has no nonblocking buffered write). */
    private volatile boolean writeNowait = true;
    private static final int F_SETFL = 4;
    private static final long TMPFS_MAGIC = 0x01021994L;
    private static final long RAMFS_MAGIC = 0x858458f6L;
    private static final long INLINE_MAX = 1 << 20;
    /**
     * The largest buffered write made on a thread that should not wait (a virtual thread, an
     * asynchronous call) where the file system has no nonblocking write: a page-cache copy that
     * waits only briefly, as FileChannel makes it; larger ones go to the ring.
     */
    private static final long INLINE_WRITE_MAX = 64 * 1024;
    /** What {@link #inline} returns for a transfer that must go to the ring. */
    private static final long TO_RING = Long.MIN_VALUE;
    private static final int EAGAIN = Errno.EAGAIN.number();
    private static final int EOPNOTSUPP = Errno.EOPNOTSUPP.number();

    RingFile(EventLoop loop, String path, int fd, int slot) {
        this.loop = loop;
        this.path = path;
        this.fd = fd;
        this.slot = slot;
        this.io = slot >= 0 ? Fd.fixed(slot) : Fd.raw(fd);
        this.kind = fd >= 0 ? UNKNOWN : RING_ONLY;
        this.gate = new CloseGate(path, this::startClose);
    }

    /** This file's {@link #kind}: asked once, at the first transfer, not at open (most opens never need it). */
    private int kind() {
        int k = kind;
        if (k != UNKNOWN) {
            return k;
        }
        int f = fd;
        int flags = f < 0 ? -1 : org.uring4j.sys.Syscalls.fcntl(f, Uapi.F_GETFL, 0);
        if (flags < 0 || InlineCalls.fileType(f) != Uapi.S_IFREG) { // not a FIFO or device node, whose reads may wait
            k = RING_ONLY;
        } else {
            long fsType = org.uring4j.sys.Syscalls.fileSystemType(f);
            syncWrites = (flags & Uapi.O_DSYNC) != 0; // O_SYNC includes the O_DSYNC bit
            if ((flags & Uapi.O_DIRECT) != 0) {
                k = DEVICE_BOUND;
            } else if ((fsType == TMPFS_MAGIC || fsType == RAMFS_MAGIC) && !syncWrites) {
                k = IN_MEMORY;
            } else {
                k = BUFFERED;
            }
        }
        kind = k; // racing threads compute the same answer
        return k;
    }

    @Override
    public Backend backend() {
        return Backend.IO_URING;
    }

    /** The loop this file belongs to. */
    EventLoop loop() {
        return loop;
    }

    /** The path it was opened with (for messages). */
    @Override
    public String path() {
        return path;
    }

    /** The registered-file slot it uses, or -1 if it is not in the loop's table. */
    int fixedSlot() {
        return slot;
    }

    /** True once {@link #close()} has begun. */
    @Override
    public boolean isClosed() {
        return gate.isClosing();
    }

    /**
     * The plain file descriptor. A file opened as a {@link UringOpenOption#DIRECT_DESCRIPTOR}
     * has none until this installs one (IORING_OP_FIXED_FD_INSTALL); close still closes it.
     */
    @Override
    public int fd() throws IOException {
        if (gate.isClosing()) {
            throw gate.closedException(); // the number may already belong to another file
        }
        int f = fd;
        if (f >= 0) {
            if (flagsToRestore >= 0) {
                // Inside the gate: a close racing with this must not let F_SETFL reach a reused number.
                if (!gate.enter()) {
                    throw gate.closedException();
                }
                try {
                    restoreFlags();
                } finally {
                    gate.exit();
                }
            }
            return f;
        }
        UringException none = noDescriptor("fd()");
        if (none != null) {
            throw none;
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

    /** Marks the descriptor as opened with an O_NONBLOCK its opener did not ask for; {@code flags} are theirs. */
    void nonblockToClear(int flags) {
        flagsToRestore = flags & ~Uapi.O_NONBLOCK;
    }

    /** Restores the opener's flags if a cached open left O_NONBLOCK on the descriptor. */
    private void restoreFlags() {
        int flags = flagsToRestore;
        if (flags >= 0) {
            // F_SETFL changes only O_APPEND, O_NONBLOCK, O_DIRECT and O_NOATIME; racing callers set the same.
            org.uring4j.sys.Syscalls.fcntl(fd, F_SETFL, flags);
            flagsToRestore = -1;
        }
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

    /**
     * A READ or WRITE ({@code io_uring_prep_read}/{@code io_uring_prep_write}) for an asynchronous
     * call: made on the calling thread when it cannot wait (a page-cache hit, a file in memory, a
     * small write to a file system without nonblocking writes, as FileChannel makes it), else
     * through the ring.
     */
    @Override
    public CompletableFuture<Integer> transfer(boolean write, MemorySegment target, ByteBuffer buffer, long position) {
        if (!gate.enter()) {
            return CompletableFuture.failedFuture(gate.closedException());
        }
        long r;
        try {
            r = inline(write, target, position, false, !EventLoop.onLoopThread());
        } catch (UringException | IllegalStateException | WrongThreadException e) {
            // (The last two: the caller's segment was freed, or belongs to another thread.) An
            // asynchronous call reports through its future, whichever path served it.
            return CompletableFuture.failedFuture(e);
        } finally {
            gate.exit();
        }
        if (r == TO_RING) {
            return run(new RwOp(this, write, target, buffer, position));
        }
        return CompletableFuture.completedFuture(done(write, target, buffer, r));
    }

    /**
     * The blocking form of {@link #transfer}: inline when the data is at hand; else a virtual
     * thread parks on the ring (its carrier stays free), and a platform thread makes the call
     * itself, since it blocks either way (as FileChannel does; a hand-off would only add two
     * wake-ups).
     */
    @Override
    public int transferBlocking(boolean write, MemorySegment target, ByteBuffer buffer, long position)
            throws IOException {
        if (!gate.enter()) {
            throw gate.closedException();
        }
        long r;
        // A virtual thread's read of a buffered file, while its carrier may wait (CarrierWaits):
        // a plain pread, as FileChannel's, hit or miss. It costs the kernel less than preadv2's
        // iovec (about 8% of a cached 4 KiB read), and a miss waits where it would have anyway.
        boolean carrierWaits = false;
        try {
            // A loop thread must never wait in a system call: its whole ring would stall (and a
            // blocking call there that needs the ring fails with BlockingOperationException).
            boolean onLoop = EventLoop.onLoopThread();
            boolean virtual = Thread.currentThread().isVirtual();
            carrierWaits = virtual && !onLoop && !write && kind == BUFFERED && CarrierWaits.tryAcquire();
            r = inline(write, target, position, (!virtual || carrierWaits) && !onLoop, !onLoop);
            if (r == TO_RING && virtual && !onLoop && !carrierWaits) {
                r = onCarrier(write, target, position);
            }
        } finally {
            if (carrierWaits) {
                CarrierWaits.release();
            }
            gate.exit();
        }
        if (r == TO_RING) {
            return Await.get(run(new RwOp(this, write, target, buffer, position)));
        }
        return done(write, target, buffer, r);
    }

    /**
     * A transfer that waits (O_DIRECT, a page-cache miss), made on the calling virtual thread's
     * carrier if {@link CarrierWaits} has a permit free, else {@link #TO_RING}. Not for what may
     * wait without end (FIFOs, devices: {@link #RING_ONLY}). Must run inside the close gate.
     */
    private long onCarrier(boolean write, MemorySegment target, long position) throws UringException {
        int k = kind;
        if ((k != BUFFERED && k != DEVICE_BOUND && k != IN_MEMORY) || loop.isClosed() || !CarrierWaits.tryAcquire()) {
            return TO_RING;
        }
        try {
            return checked(write, viaNative(write, target, position, false));
        } finally {
            CarrierWaits.release();
        }
    }

    /** The result of a transfer made inline, as the ring's completion would give it. */
    private static int done(boolean write, MemorySegment target, ByteBuffer buffer, long r) {
        if (buffer != null) {
            buffer.position(buffer.position() + (int) r);
        }
        return !write && r == 0 && target.byteSize() > 0 ? -1 : (int) r;
    }

    /**
     * The transfer made on this thread, or {@link #TO_RING} if it would wait and {@code mayWait}
     * is false (or the file is one only the ring serves). {@code mayWait}: the caller is a
     * platform thread in a blocking call. {@code mayPause}: the thread may spend a brief wait
     * in the kernel (a page-cache write where the file system has no nonblocking one, the first
     * transfer's fcntl/statx/fstatfs), which a loop thread may not. Must run inside the close gate.
     */
    private long inline(boolean write, MemorySegment target, long position, boolean mayWait, boolean mayPause)
            throws UringException {
        if (loop.isClosed() || (!mayPause && kind == UNKNOWN)) {
            return TO_RING; // a closed runtime fails the op as it fails every op
        }
        long size = target.byteSize();
        switch (kind()) {
            case IN_MEMORY -> {
                if (size > INLINE_MAX) {
                    return mayWait && target.isNative() ? checked(write, plain(write, target, position)) : TO_RING;
                }
                return checked(write, write ? org.uring4j.sys.Syscalls.pwriteCritical(fd, target, position)
                        : org.uring4j.sys.Syscalls.preadCritical(fd, target, position));
            }
            case BUFFERED -> {
                if (mayWait) {
                    // A platform thread blocks whether the data is cached or not, as FileChannel's
                    // does: a plain pread/pwrite, one system call on the kernel's cheapest path.
                    return checked(write, viaNative(write, target, position, false));
                }
                if (write && syncWrites) {
                    return TO_RING;
                }
                if (write ? writeNowait : readNowait) {
                    long r = viaNative(write, target, position, true);
                    if (r > 0 && r < size) {
                        r = nowaitRest(write, target, position, r);
                    }
                    if (r != -EAGAIN && r != -EOPNOTSUPP) {
                        return r == TO_RING ? TO_RING : checked(write, r);
                    }
                    if (r == -EOPNOTSUPP) {
                        if (write) {
                            writeNowait = false;
                        } else {
                            readNowait = false;
                        }
                    }
                    if (r == -EAGAIN) {
                        return TO_RING;
                    }
                }
                // The file system has no nonblocking write (ext4): a buffered write is made here,
                // as FileChannel makes it (io_uring would hand it to an io-wq worker that blocks
                // the same way, at the cost of two wake-ups). A read waits only on the ring.
                if (write && mayPause && size <= INLINE_WRITE_MAX) {
                    return checked(true, viaNative(true, target, position, false));
                }
                return TO_RING;
            }
            case DEVICE_BOUND -> {
                return mayWait ? checked(write, viaNative(write, target, position, false)) : TO_RING;
            }
            default -> {
                return TO_RING;
            }
        }
    }

    /**
     * After a short RWF_NOWAIT transfer of {@code done} bytes: the rest, also without waiting,
     * until the end of the file (a read of 0) or all of it; {@link #TO_RING} when part of it would
     * wait, for the ring to make the whole transfer again (the bytes are the same), so that a
     * regular file's read comes back short only at its end, as FileChannel's does, and never
     * because the page cache held only part of the range.
     */
    private long nowaitRest(boolean write, MemorySegment target, long position, long done) {
        long size = target.byteSize();
        while (done < size) {
            long r = viaNative(write, target.asSlice(done), position + done, true);
            if (r == 0 && !write) {
                return done; // end of file
            }
            if (r <= 0) {
                return TO_RING;
            }
            done += r;
        }
        return done;
    }

    /**
     * preadv2/pwritev2 with RWF_NOWAIT ({@code nowait}), or pread/pwrite, of {@code target}:
     * native memory in place, heap memory through an {@link InlineBounce} buffer: the result, or
     * a negative errno.
     */
    private long viaNative(boolean write, MemorySegment target, long position, boolean nowait) {
        if (target.isNative()) {
            return plainOrNowait(write, target, position, nowait);
        }
        // Heap memory larger than a bounce buffer moves in buffer-sized steps, until a step
        // comes up short (end of file, or RWF_NOWAIT found the rest uncached: a short transfer).
        MemorySegment bounce = InlineBounce.take();
        try {
            long size = target.byteSize();
            long done = 0;
            do {
                long n = Math.min(size - done, InlineBounce.MAX);
                MemorySegment b = bounce.asSlice(0, n);
                if (write) {
                    MemorySegment.copy(target, done, b, 0, n);
                }
                long r = plainOrNowait(write, b, position + done, nowait);
                if (r < 0) {
                    return done > 0 ? done : r;
                }
                if (!write && r > 0) {
                    MemorySegment.copy(b, 0, target, done, r);
                }
                done += r;
                if (r < n) {
                    break;
                }
            } while (done < size);
            return done;
        } finally {
            InlineBounce.give(bounce);
        }
    }

    private long plainOrNowait(boolean write, MemorySegment target, long position, boolean nowait) {
        if (nowait) {
            return write ? org.uring4j.sys.Syscalls.pwritev2(fd, target, position, Uapi.RWF_NOWAIT)
                    : org.uring4j.sys.Syscalls.preadv2(fd, target, position, Uapi.RWF_NOWAIT);
        }
        return plain(write, target, position);
    }

    private long plain(boolean write, MemorySegment target, long position) {
        return write ? org.uring4j.sys.Syscalls.pwrite(fd, target, position)
                : org.uring4j.sys.Syscalls.pread(fd, target, position);
    }

    /** {@code r}, or the error it stands for, named as the ring's op would name it. */
    private long checked(boolean write, long r) throws UringException {
        if (r < 0) {
            throw error(write ? "WRITE" : "READ", (int) r);
        }
        return r;
    }

    /** READV/WRITEV ({@code io_uring_prep_readv}) for direct buffers, one bounced READ/WRITE for heap ones. */
    @Override
    public CompletableFuture<Long> transfer(boolean write, ByteBuffer[] buffers, long position) {
        return run(new VectorOp(this, write, buffers, position));
    }

    // ------------------------------------------------------------------ metadata and space

    /** FSYNC ({@code io_uring_prep_fsync}), with IORING_FSYNC_DATASYNC unless {@code metadata}. */
    @Override
    public CompletableFuture<Void> sync(boolean metadata) {
        int flags = metadata ? 0 : Uapi.IORING_FSYNC_DATASYNC;
        return run(new FdOp(this, "FSYNC", s -> s.prepFsync(io, flags))).thenApply(r -> null);
    }

    /** FALLOCATE ({@code io_uring_prep_fallocate}). */
    @Override
    public CompletableFuture<Void> allocate(long position, long length, int mode) {
        return run(new FdOp(this, "FALLOCATE", s -> s.prepFallocate(io, mode, position, length))).thenApply(r -> null);
    }

    /**
     * FTRUNCATE ({@code io_uring_prep_ftruncate}, Linux 6.9+); on an older kernel ftruncate(2),
     * as UringFileChannel does, on the calling thread (or the loop's, after an install).
     */
    @Override
    public CompletableFuture<Void> truncate(long size) {
        if (Probe.kernelSupports(Opcode.FTRUNCATE)) {
            return run(new FdOp(this, "FTRUNCATE", s -> s.prepFtruncate(io, size))).thenApply(r -> null);
        }
        return descriptor("truncate()").thenCompose(f -> {
            if (!gate.enter()) {
                return CompletableFuture.failedFuture(gate.closedException());
            }
            try {
                int r = org.uring4j.sys.Syscalls.ftruncate(f, size);
                return r < 0 ? CompletableFuture.failedFuture(new UringException("ftruncate", -r, f, path))
                        : CompletableFuture.<Void>completedFuture(null);
            } finally {
                gate.exit();
            }
        });
    }

    /** The plain descriptor: this file's, or one FIXED_FD_INSTALL makes for a direct-only file; for {@code what} fails. */
    private CompletableFuture<Integer> descriptor(String what) {
        if (fd >= 0) {
            return CompletableFuture.completedFuture(fd);
        }
        UringException none = noDescriptor(what);
        return none != null ? CompletableFuture.failedFuture(none) : run(new InstallOp(this)).thenApply(this::adoptInstalled);
    }

    /** FADVISE ({@code io_uring_prep_fadvise}). */
    @Override
    public CompletableFuture<Void> advise(long position, long length, int advice) {
        return run(new FdOp(this, "FADVISE", s -> s.prepFadvise(io, position, length, advice))).thenApply(r -> null);
    }

    /**
     * The size alone, by a statx(2) on the calling thread that asks for STATX_SIZE only (the full
     * stat also asks for what costs the file system more, such as DIO alignment), as
     * FileChannel.size() makes one fstat.
     */
    @Override
    public long sizeBlocking() throws IOException {
        if (fd < 0 || loop.isClosed() || EventLoop.onLoopThread()) {
            return FileIo.super.sizeBlocking();
        }
        if (!gate.enter()) {
            throw gate.closedException();
        }
        try {
            return InlineCalls.fstatxSize(this, fd);
        } finally {
            gate.exit();
        }
    }

    /**
     * statx(2) of the open file on the calling thread (IORING_OP_STATX always goes to an io-wq
     * worker); a direct descriptor is first installed as a plain one
     * ({@code io_uring_prep_statx} with AT_EMPTY_PATH on that).
     */
    @Override
    public CompletableFuture<FileStat> stat() {
        if (fd >= 0 && !loop.isClosed() && !EventLoop.onLoopThread()) {
            if (!gate.enter()) {
                return CompletableFuture.failedFuture(gate.closedException());
            }
            try {
                return CompletableFuture.completedFuture(InlineCalls.fstatx(this, fd));
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            } finally {
                gate.exit();
            }
        }
        return descriptor("stat() and size()")
                .thenCompose(f -> run(new RingFiles.StatxOp(f, CString.of(""), Uapi.AT_EMPTY_PATH, path)));
    }

    /** FGETXATTR ({@code io_uring_prep_fgetxattr}). */
    @Override
    public CompletableFuture<byte[]> getXattr(String name) {
        return run(new RingFiles.XattrGetOp(this, null, CString.of(name)));
    }

    /** FSETXATTR ({@code io_uring_prep_fsetxattr}). */
    @Override
    public CompletableFuture<Void> setXattr(String name, byte[] value, int flags) {
        return run(new RingFiles.XattrSetOp(this, null, CString.of(name), value, flags));
    }

    // ------------------------------------------------------------------ lifecycle

    /** Runs an op on this file's loop, counting it in flight so close waits for it. */
    <T> CompletableFuture<T> run(FileOperation<T> op) {
        if (!gate.enter()) {
            return CompletableFuture.failedFuture(gate.closedException());
        }
        restoreFlags();
        op.owner = this;
        try {
            CompletableFuture<T> f = loop.submit(op);
            if (gate.isClosing()) {
                cancelInFlight(); // close began while this was submitted: its cancel may have gone first
            }
            return f;
        } catch (RuntimeClosedException e) {
            endOp();
            return CompletableFuture.failedFuture(closedByRuntime(e));
        }
    }

    /** What an op of this file fails with once its loop is closed: ClosedChannelException, as for a closed file. */
    java.nio.channels.ClosedChannelException closedByRuntime(RuntimeClosedException cause) {
        java.nio.channels.ClosedChannelException e = new java.nio.channels.ClosedChannelException();
        e.initCause(new IOException(path + ": " + cause.getMessage(), cause));
        return e;
    }

    /** An op of this file has released its memory: the last one lets a pending close go ahead. */
    void endOp() {
        gate.exit();
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
    @Override
    public CompletableFuture<Void> closeAsync() {
        boolean first = !gate.isClosing();
        CompletableFuture<Void> closed = gate.close();
        if (first && !closed.isDone()) {
            cancelInFlight();
        }
        return closed;
    }

    /**
     * ASYNC_CANCEL of every request on this file ({@code io_uring_prep_cancel_fd} with
     * IORING_ASYNC_CANCEL_ALL): what the kernel has not started (a read waiting on an empty FIFO,
     * a write queued for an io-wq worker) ends at once with -ECANCELED, which its op reports as
     * AsynchronousCloseException, as FileChannel does for a read it closes under; what is already
     * running completes. The close then goes ahead once their completions are in.
     */
    private void cancelInFlight() {
        try {
            loop.submit(new CancelOp(this));
        } catch (RuntimeClosedException e) {
            // the loop's own close cancels everything
        }
    }

    /** A failed op on this file: AsynchronousCloseException if its close cancelled it, else {@link #error}. */
    IOException failure(String op, int res) {
        if (gate.isClosing() && (res == -Errno.ECANCELED.number() || res == -Errno.EINTR.number())) {
            java.nio.channels.AsynchronousCloseException e = new java.nio.channels.AsynchronousCloseException();
            e.initCause(error(op, res));
            return e;
        }
        return error(op, res);
    }

    /** The gate's closer: runs once, with no op of this file in flight. */
    private void startClose(CompletableFuture<Void> closed) {
        closeStarted = true; // a cancel not yet prepared now targets nothing: the slot or number may soon be another file's
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
                    closeAfterLoop(closed);
                } else if (t != null) {
                    closed.completeExceptionally(t);
                } else {
                    closed.complete(null);
                }
            });
        } catch (RuntimeClosedException e) {
            closeAfterLoop(closed);
        }
    }

    /** The loop closed first: its close already dropped the table and the kernel's references; the descriptor is ours. */
    private void closeAfterLoop(CompletableFuture<Void> closed) {
        int f = fd;
        if (f >= 0) {
            org.uring4j.sys.Syscalls.close(f);
        }
        closed.complete(null);
    }

    @Override
    public String toString() {
        return "AsyncFile[" + path + (slot >= 0 ? ", slot " + slot : "") + (fd >= 0 ? ", fd " + fd : "")
                + (gate.isClosing() ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ operations

    /**
     * A failed op on this file, as a UringException naming the op, path, and fd or fixed slot, and
     * for an EINVAL of an op this kernel lacks, the Linux release that has it.
     */
    UringException error(String op, int res) {
        String lacking = res == -Errno.EINVAL.number() ? Probe.kernelLacks(op) : null;
        if (slot >= 0) {
            return new UringException(op, -res, UringException.NO_FD, path,
                    "through fixed slot " + slot + (lacking != null ? "; " + lacking : ""));
        }
        return new UringException(op, -res, fd, path, lacking);
    }

    /**
     * Null if this file has a plain descriptor or the kernel can install one (FIXED_FD_INSTALL,
     * Linux 6.8+); else why {@code what} cannot be done on it, naming the op and the release.
     */
    private UringException noDescriptor(String what) {
        if (fd >= 0 || Probe.kernelSupports(Opcode.FIXED_FD_INSTALL)) {
            return null;
        }
        return new UringException("FIXED_FD_INSTALL", Errno.EOPNOTSUPP.number(), UringException.NO_FD, path,
                Probe.kernelLacks("FIXED_FD_INSTALL") + ", so this DIRECT_DESCRIPTOR file has no plain descriptor for "
                        + what + "; open it without DIRECT_DESCRIPTOR");
    }

    /** Base of the ops on an open file (run through {@link #run}, which counts them in flight). */
    abstract static class OnFile<T> extends FileOperation<T> {
        final RingFile file;

        OnFile(RingFile file) {
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

        RwOp(RingFile file, boolean write, MemorySegment target, ByteBuffer buffer, long position) {
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

        /** A read or write must not go on unseen once its caller has left: an interrupt cancels it in the kernel. */
        @Override
        protected boolean cancelledOnInterrupt() {
            return true;
        }

        @Override
        protected void prepare(Sqe sqe) {
            Fd io = file.io();
            if (target.isNative() && Scopes.usableInPlace(target)) { // else a shared arena's: through loop memory
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
        protected Integer complete(int res, int flags) throws IOException {
            if (res < 0) {
                throw file.failure(name(), res);
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

        VectorOp(RingFile file, boolean write, ByteBuffer[] buffers, long position) {
            super(file); // its arguments were checked by AsyncFile
            long t = 0;
            for (ByteBuffer b : buffers) {
                t += b.remaining();
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

        /** A read or write must not go on unseen once its caller has left: an interrupt cancels it in the kernel. */
        @Override
        protected boolean cancelledOnInterrupt() {
            return true;
        }

        @Override
        protected void prepare(Sqe sqe) {
            boolean allDirect = true;
            for (ByteBuffer b : buffers) {
                allDirect &= b.isDirect() && Scopes.usableInPlace(MemorySegment.ofBuffer(b)); // a shared arena's: bounced
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
        protected Long complete(int res, int flags) throws IOException {
            if (res < 0) {
                throw file.failure(name(), res);
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

        FdOp(RingFile file, String name, java.util.function.Consumer<Sqe> prep) {
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
        protected Integer complete(int res, int flags) throws IOException {
            if (res < 0) {
                throw file.failure(name, res);
            }
            return res;
        }
    }

    /** FIXED_FD_INSTALL: a plain descriptor for a direct-only file. */
    static final class InstallOp extends OnFile<Integer> {
        InstallOp(RingFile file) {
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
     * ASYNC_CANCEL of all requests on a file (fixed slot or descriptor); nobody waits for its count.
     * Prepared as a NOP once the file's close proper has begun: every op it was meant for has
     * ended, and the slot or descriptor number may already name another file.
     */
    static final class CancelOp extends FileOperation<Integer> {
        private final RingFile file;

        CancelOp(RingFile file) {
            this.file = file;
        }

        @Override
        protected String name() {
            return "ASYNC_CANCEL";
        }

        @Override
        protected void prepare(Sqe sqe) {
            if (file.closeStarted) {
                sqe.prepNop();
            } else {
                sqe.prepCancelFd(file.io(), Uapi.IORING_ASYNC_CANCEL_ALL);
            }
        }

        @Override
        protected Integer complete(int res, int flags) {
            return res; // how many were cancelled, or -ENOENT if none was left to cancel
        }
    }

    /**
     * Closes a file: empties its fixed slot (synchronously on the loop thread, so the kernel's
     * reference is gone before the slot is reused) and closes its descriptor with IORING_OP_CLOSE.
     */
    static final class CloseOp extends FileOperation<Void> {
        private final RingFile file;
        private final int slot;
        private final int fd;

        CloseOp(RingFile file, int slot, int fd) {
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
