package org.uring4j.fs;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * An open file as a backend implements it: {@link RingFile} through io_uring,
 * {@link PortableFile} through a FileChannel. {@link AsyncFile} checks every argument before it
 * calls one of these, so implementations only do the work.
 */
interface FileIo {
    Backend backend();

    /** The path it was opened with (for messages). */
    String path();

    boolean isClosed();

    /** The plain descriptor (installing one for a direct descriptor). */
    int fd() throws IOException;

    /**
     * One READ or WRITE of {@code target} at {@code position}; advances {@code buffer}'s position
     * when the target is a ByteBuffer's memory. Completes with the bytes moved, -1 at end of file.
     */
    CompletableFuture<Integer> transfer(boolean write, MemorySegment target, ByteBuffer buffer, long position);

    /** {@link #transfer}'s blocking form, for a caller that waits for the result anyway. */
    default int transferBlocking(boolean write, MemorySegment target, ByteBuffer buffer, long position)
            throws IOException {
        return org.uring4j.runtime.Await.get(transfer(write, target, buffer, position));
    }

    /** A vectored READ or WRITE of the buffers' remaining bytes (a copy of the caller's array), advancing their positions. */
    CompletableFuture<Long> transfer(boolean write, ByteBuffer[] buffers, long position);

    /** fsync(2) if {@code metadata}, else fdatasync(2). */
    CompletableFuture<Void> sync(boolean metadata);

    CompletableFuture<Void> allocate(long position, long length, int mode);

    CompletableFuture<Void> truncate(long size);

    CompletableFuture<Void> advise(long position, long length, int advice);

    CompletableFuture<FileStat> stat();

    /** The file's size, waiting for it. */
    default long sizeBlocking() throws IOException {
        return org.uring4j.runtime.Await.get(stat()).size();
    }

    CompletableFuture<byte[]> getXattr(String name);

    CompletableFuture<Void> setXattr(String name, byte[] value, int flags);

    /** Cancels the operations not yet started (AsynchronousCloseException), closes once the running ones have completed; idempotent. */
    CompletableFuture<Void> closeAsync();
}
