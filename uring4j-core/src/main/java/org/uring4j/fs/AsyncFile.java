package org.uring4j.fs;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import org.uring4j.runtime.Await;
import org.uring4j.runtime.EventLoop;
import org.uring4j.sys.Scopes;

/**
 * An open file, read and written at explicit positions. Open one with {@link UringFiles#open}.
 *
 * <p>Every operation has two forms: {@code readAsync(...)} returns a {@link CompletableFuture},
 * and {@code read(...)} waits for it — parking a virtual thread without pinning its carrier, or
 * blocking a platform thread. Buffers may be native {@link MemorySegment}s and direct
 * {@link ByteBuffer}s, or heap arrays and buffers. A {@code ByteBuffer}'s position advances by
 * the bytes transferred, as with a FileChannel.
 *
 * <p>On the {@link Backend#IO_URING} backend the file belongs to the {@link EventLoop} that
 * opened it: a file opened through the ring sits in that loop's registered file table as well as
 * holding a plain descriptor, and does its I/O through the fixed slot (seed 002); native memory is
 * read and written by the kernel in place, heap memory is copied through the loop's registered
 * bounce buffers (READ_FIXED/WRITE_FIXED). On the {@link Backend#PORTABLE} backend it is a
 * {@link java.nio.channels.FileChannel} whose operations run on virtual threads.
 *
 * <p>Closing cancels the operations the kernel has not started (they fail with
 * {@link java.nio.channels.AsynchronousCloseException}, as with FileChannel: a read of an empty
 * FIFO, a write still queued), waits until those already running have completed, then closes the
 * file; operations started after close fail with {@link ClosedChannelException}. Memory of the
 * global or an automatic arena, of a direct buffer, or of a shared arena (copied through loop
 * memory) is safe under any pending operation; a confined arena's only with the blocking forms.
 * An interrupt of a thread blocked in a read or write cancels it in the kernel and waits for its
 * completion, so no byte moves unseen (see {@link Await}).
 */
public final class AsyncFile implements AutoCloseable {
    /** The most one READ or WRITE moves (Linux's MAX_RW_COUNT): readFully/writeFully split larger ones. */
    private static final long MAX_RW = 0x7ffff000L;
    private final FileIo io;

    AsyncFile(FileIo io) {
        this.io = io;
    }

    /** The backend this file runs on. */
    public Backend backend() {
        return io.backend();
    }

    /**
     * The loop this file belongs to.
     *
     * @throws UnsupportedOperationException on the portable backend, which has no loops
     */
    public EventLoop loop() {
        return ring("loop()").loop();
    }

    /** The path it was opened with (for messages). */
    public String path() {
        return io.path();
    }

    /** The registered-file slot it uses, or -1 if it is in no loop's table (always, on the portable backend). */
    public int fixedSlot() {
        return io instanceof RingFile r ? r.fixedSlot() : -1;
    }

    /** True once {@link #close()} has begun. */
    public boolean isClosed() {
        return io.isClosed();
    }

    /**
     * The plain file descriptor. A file opened as a {@link UringOpenOption#DIRECT_DESCRIPTOR}
     * has none until this installs one (IORING_OP_FIXED_FD_INSTALL); close still closes it.
     *
     * @throws UnsupportedOperationException on the portable backend, whose FileChannel keeps its descriptor to itself
     */
    public int fd() throws IOException {
        return io.fd();
    }

    FileIo io() {
        return io;
    }

    private RingFile ring(String what) {
        if (io instanceof RingFile r) {
            return r;
        }
        throw new UnsupportedOperationException(what + ": " + path() + " is on the " + backend() + " backend, which has no event loops");
    }

    // ------------------------------------------------------------------ read and write

    /** Reads into {@code dst} at {@code position}; the bytes read, -1 at end of file ({@code io_uring_prep_read}). */
    public CompletableFuture<Integer> readAsync(MemorySegment dst, long position) {
        return io.transfer(false, checked(false, Scopes.shareable(dst), position), null, position);
    }

    /** Reads into {@code dst}'s remaining bytes at {@code position}, advancing its position. */
    public CompletableFuture<Integer> readAsync(ByteBuffer dst, long position) {
        return io.transfer(false, Scopes.shareable(readTarget(dst, position)), dst, position);
    }

    /** Reads into {@code dst[off..off+len)} at {@code position}. */
    public CompletableFuture<Integer> readAsync(byte[] dst, int off, int len, long position) {
        return io.transfer(false, checked(false, slice(dst, off, len), position), null, position);
    }

    /** Writes all of {@code src} at {@code position} (or fewer bytes: see {@link #writeFully}); the bytes written. */
    public CompletableFuture<Integer> writeAsync(MemorySegment src, long position) {
        return io.transfer(true, checked(true, Scopes.shareable(src), position), null, position);
    }

    /** Writes {@code src}'s remaining bytes at {@code position}, advancing its position. */
    public CompletableFuture<Integer> writeAsync(ByteBuffer src, long position) {
        return io.transfer(true, checked(true, Scopes.shareable(MemorySegment.ofBuffer(src)), position), src, position);
    }

    /** Writes {@code src[off..off+len)} at {@code position}. */
    public CompletableFuture<Integer> writeAsync(byte[] src, int off, int len, long position) {
        return io.transfer(true, checked(true, slice(src, off, len), position), null, position);
    }

    /**
     * Reads into {@code dst} at {@code position}, waiting for the result: the bytes read, -1 at
     * end of file. Data the page cache holds is read on the calling thread (preadv2 with
     * RWF_NOWAIT); a read that must wait is made on a virtual thread's carrier while few carriers
     * are waiting (as FileChannel makes it), else through the ring, where the thread parks
     * without holding its carrier.
     */
    public int read(MemorySegment dst, long position) throws IOException {
        return io.transferBlocking(false, checked(false, dst, position), null, position);
    }

    /** As {@link #read(MemorySegment, long)}, into {@code dst}'s remaining bytes, advancing its position. */
    public int read(ByteBuffer dst, long position) throws IOException {
        return io.transferBlocking(false, readTarget(dst, position), dst, position);
    }

    /** As {@link #read(MemorySegment, long)}, into {@code dst[off..off+len)}. */
    public int read(byte[] dst, int off, int len, long position) throws IOException {
        return io.transferBlocking(false, checked(false, slice(dst, off, len), position), null, position);
    }

    /**
     * Writes {@code src} at {@code position}, waiting for the result: the bytes written. A
     * write into the page cache is made on the calling thread, as FileChannel makes it.
     */
    public int write(MemorySegment src, long position) throws IOException {
        return io.transferBlocking(true, checked(true, src, position), null, position);
    }

    /** As {@link #write(MemorySegment, long)}, of {@code src}'s remaining bytes, advancing its position. */
    public int write(ByteBuffer src, long position) throws IOException {
        return io.transferBlocking(true, checked(true, MemorySegment.ofBuffer(src), position), src, position);
    }

    /** As {@link #write(MemorySegment, long)}, of {@code src[off..off+len)}. */
    public int write(byte[] src, int off, int len, long position) throws IOException {
        return io.transferBlocking(true, checked(true, slice(src, off, len), position), null, position);
    }

    private static MemorySegment slice(byte[] array, int off, int len) {
        Objects.checkFromIndexSize(off, len, array.length);
        return MemorySegment.ofArray(array).asSlice(off, len);
    }

    private static MemorySegment readTarget(ByteBuffer dst, long position) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        return checked(false, MemorySegment.ofBuffer(dst), position);
    }

    /** One READ or WRITE for the asynchronous calls that build on it (readFully, writeFully). */
    private CompletableFuture<Integer> transfer(boolean write, MemorySegment target, ByteBuffer buffer, long position) {
        return io.transfer(write, checked(write, target, position), buffer, position);
    }

    /** {@code target}, once the arguments of a transfer are known to be valid. */
    private static MemorySegment checked(boolean write, MemorySegment target, long position) {
        requirePosition(position);
        if (!write && target.isReadOnly()) {
            throw new IllegalArgumentException("READ into a read-only segment");
        }
        if (target.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException((write ? "WRITE" : "READ") + ": " + target.byteSize()
                    + " bytes at once; the kernel moves at most 2 GiB per call (use readFully/writeFully)");
        }
        return target;
    }

    /**
     * Reads until {@code dst} is full, issuing further reads after short ones.
     *
     * @throws EOFException (in the future) if the file ends first
     */
    public CompletableFuture<Void> readFullyAsync(MemorySegment dst, long position) {
        return readFullyFrom(Scopes.shareable(dst), position, 0);
    }

    private CompletableFuture<Void> readFullyFrom(MemorySegment dst, long position, long done) {
        if (done == dst.byteSize()) {
            return CompletableFuture.completedFuture(null);
        }
        return transfer(false, dst.asSlice(done, Math.min(dst.byteSize() - done, MAX_RW)), null, position + done).thenCompose(n -> {
            if (n < 0) {
                return CompletableFuture.failedFuture(new EOFException(path() + ": end of file at " + (position + done)
                        + " with " + (dst.byteSize() - done) + " bytes still to read"));
            }
            return readFullyFrom(dst, position, done + n);
        });
    }

    /** Writes all of {@code src}, issuing further writes after short ones. */
    public CompletableFuture<Void> writeFullyAsync(MemorySegment src, long position) {
        return writeFullyFrom(Scopes.shareable(src), position, 0);
    }

    private CompletableFuture<Void> writeFullyFrom(MemorySegment src, long position, long done) {
        if (done == src.byteSize()) {
            return CompletableFuture.completedFuture(null);
        }
        return transfer(true, src.asSlice(done, Math.min(src.byteSize() - done, MAX_RW)), null, position + done)
                .thenCompose(n -> writeFullyFrom(src, position, done + n));
    }

    /**
     * Reads until {@code dst} is full, on the caller's path as {@link #read(MemorySegment, long)}.
     *
     * @throws EOFException if the file ends first
     */
    public void readFully(MemorySegment dst, long position) throws IOException {
        requirePosition(position);
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("READ into a read-only segment");
        }
        long done = 0;
        try {
            while (done < dst.byteSize()) {
                int n = io.transferBlocking(false, dst.asSlice(done, Math.min(dst.byteSize() - done, MAX_RW)), null,
                        position + done);
                if (n < 0) {
                    throw new EOFException(path() + ": end of file at " + (position + done) + " with "
                            + (dst.byteSize() - done) + " bytes still to read");
                }
                done += n;
            }
        } catch (java.io.InterruptedIOException e) {
            throw transferred(e, done);
        }
    }

    /**
     * {@code e} saying in {@code bytesTransferred} how much of a readFully or writeFully moved
     * before the interrupt, as the JDK's streams say it: for a FIFO or a device, where a position
     * means nothing, the caller's only way to go on without losing or repeating bytes.
     */
    private static java.io.InterruptedIOException transferred(java.io.InterruptedIOException e, long done) {
        e.bytesTransferred = (int) Math.min(done, Integer.MAX_VALUE);
        return e;
    }

    public void readFully(byte[] dst, long position) throws IOException {
        readFully(MemorySegment.ofArray(dst), position);
    }

    /** Writes all of {@code src}, on the caller's path as {@link #write(MemorySegment, long)}. */
    public void writeFully(MemorySegment src, long position) throws IOException {
        requirePosition(position);
        long done = 0;
        try {
            while (done < src.byteSize()) {
                done += io.transferBlocking(true, src.asSlice(done, Math.min(src.byteSize() - done, MAX_RW)), null,
                        position + done);
            }
        } catch (java.io.InterruptedIOException e) {
            throw transferred(e, done);
        }
    }

    public void writeFully(byte[] src, long position) throws IOException {
        writeFully(MemorySegment.ofArray(src), position);
    }

    /**
     * Reads into the buffers in order, at {@code position} (on io_uring: READV for direct buffers,
     * one bounce read for heap ones); advances their positions.
     *
     * @return bytes read, -1 at end of file
     */
    public CompletableFuture<Long> readAsync(ByteBuffer[] dsts, long position) {
        for (ByteBuffer b : dsts) {
            if (b.isReadOnly()) {
                throw new IllegalArgumentException("Read-only buffer");
            }
        }
        return vector(false, dsts, position);
    }

    /** Writes the buffers' remaining bytes in order at {@code position}; advances their positions. */
    public CompletableFuture<Long> writeAsync(ByteBuffer[] srcs, long position) {
        return vector(true, srcs, position);
    }

    private CompletableFuture<Long> vector(boolean write, ByteBuffer[] buffers, long position) {
        requirePosition(position);
        ByteBuffer[] copy = buffers.clone(); // the caller may reuse the array while the op runs
        long total = 0;
        for (ByteBuffer b : copy) {
            total += Objects.requireNonNull(b, "buffer").remaining();
            Scopes.shareable(MemorySegment.ofBuffer(b));
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("more than 2 GiB in one vectored call");
        }
        return io.transfer(write, copy, position);
    }

    public long read(ByteBuffer[] dsts, long position) throws IOException {
        for (ByteBuffer b : dsts) {
            if (b.isReadOnly()) {
                throw new IllegalArgumentException("Read-only buffer");
            }
        }
        return gathered(dsts) ? Await.get(vector(false, dsts, position)) : scattered(false, dsts, position);
    }

    public long write(ByteBuffer[] srcs, long position) throws IOException {
        return gathered(srcs) ? Await.get(vector(true, srcs, position)) : scattered(true, srcs, position);
    }

    /** True if every buffer is direct and of no confined arena: the op takes them as they are (READV/WRITEV). */
    private static boolean gathered(ByteBuffer[] buffers) {
        for (ByteBuffer b : buffers) {
            if (!Objects.requireNonNull(b, "buffer").isDirect() || Scopes.confined(MemorySegment.ofBuffer(b))) {
                return false;
            }
        }
        return true;
    }

    /**
     * A blocking vectored call with heap or confined buffers, as FileChannel takes them: gathered
     * into one array (or scattered from it) on the caller's thread — the only one that may touch a
     * confined buffer — around one plain transfer.
     */
    private long scattered(boolean write, ByteBuffer[] buffers, long position) throws IOException {
        requirePosition(position);
        long total = 0;
        for (ByteBuffer b : buffers) {
            total += b.remaining();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("more than 2 GiB in one vectored call");
        }
        byte[] all = new byte[(int) total];
        if (write) {
            int at = 0;
            for (ByteBuffer b : buffers) {
                int n = b.remaining();
                b.get(b.position(), all, at, n);
                at += n;
            }
        }
        int n = io.transferBlocking(write, checked(write, MemorySegment.ofArray(all), position), null, position);
        int at = 0;
        for (ByteBuffer b : buffers) {
            int k = Math.min(Math.max(n, 0) - at, b.remaining());
            if (k <= 0) {
                break;
            }
            if (!write) {
                b.put(b.position(), all, at, k);
            }
            b.position(b.position() + k);
            at += k;
        }
        return n;
    }

    // ------------------------------------------------------------------ metadata and space

    /** fsync(2): data and metadata reach the disk ({@code io_uring_prep_fsync}). */
    public CompletableFuture<Void> syncAsync() {
        return io.sync(true);
    }

    /** fdatasync(2): data (and the metadata needed to read it) reach the disk. */
    public CompletableFuture<Void> dataSyncAsync() {
        return io.sync(false);
    }

    /**
     * fallocate(2) with FALLOC_FL_* {@code mode} (0: allocate and extend; {@code io_uring_prep_fallocate}).
     * The portable backend extends the file for mode 0, ignores FALLOC_FL_KEEP_SIZE (a
     * preallocation hint) and refuses the other modes with UnsupportedOperationException.
     */
    public CompletableFuture<Void> allocateAsync(long position, long length, int mode) {
        requirePosition(position);
        if (length <= 0) {
            throw new IllegalArgumentException("length must be positive: " + length);
        }
        return io.allocate(position, length, mode);
    }

    /** ftruncate(2) to {@code size} bytes, shrinking or extending with zeros (Linux 6.9+ on io_uring). */
    public CompletableFuture<Void> truncateAsync(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        return io.truncate(size);
    }

    /** posix_fadvise(2) POSIX_FADV_* {@code advice} for a range (length 0: to the end); a no-op on the portable backend. */
    public CompletableFuture<Void> adviseAsync(long position, long length, int advice) {
        requirePosition(position);
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        return io.advise(position, length, advice);
    }

    /** statx(2) of the open file. */
    public CompletableFuture<FileStat> statAsync() {
        return io.stat();
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

    /** The file's size: on io_uring a statx of the size alone, on the calling thread. */
    public long size() throws IOException {
        return io.sizeBlocking();
    }

    /** Reads extended attribute {@code name} (e.g. "user.mime"); at most 64 KiB. */
    public CompletableFuture<byte[]> getXattrAsync(String name) {
        return io.getXattr(Objects.requireNonNull(name, "name"));
    }

    /** Sets extended attribute {@code name} to {@code value}; XATTR_CREATE/XATTR_REPLACE {@code flags}. */
    public CompletableFuture<Void> setXattrAsync(String name, byte[] value, int flags) {
        return io.setXattr(Objects.requireNonNull(name, "name"), value.clone(), flags);
    }

    public byte[] getXattr(String name) throws IOException {
        return Await.get(getXattrAsync(name));
    }

    public void setXattr(String name, byte[] value, int flags) throws IOException {
        Await.get(setXattrAsync(name, value, flags));
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Closes the file: cancels the operations the kernel has not started (they fail with
     * AsynchronousCloseException), then, once those already running have completed, closes it (on
     * io_uring: empties its fixed slot and closes its descriptor). Idempotent.
     */
    public CompletableFuture<Void> closeAsync() {
        return io.closeAsync();
    }

    /** Closes the file and waits for it (see {@link #closeAsync()}). */
    @Override
    public void close() throws IOException {
        Await.get(closeAsync());
    }

    @Override
    public String toString() {
        return io.toString();
    }

    static void requirePosition(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
    }
}
