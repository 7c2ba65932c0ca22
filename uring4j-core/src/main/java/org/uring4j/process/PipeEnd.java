package org.uring4j.process;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * This process's end of a pipe to a child, as a backend serves it: {@link RingPipe} with ring
 * READ/WRITE, {@link StreamPipe} with a {@link Process}'s streams. {@link ChildInput} and
 * {@link ChildOutput} are its public faces.
 */
interface PipeEnd {
    /** For messages: "stdout of ls (pid 123)". */
    String name();

    boolean isClosed();

    /** One read or write: the bytes moved (possibly fewer than asked), -1 at end of stream for a read. */
    CompletableFuture<Integer> transfer(boolean write, MemorySegment target, ByteBuffer buffer);

    /** Ends the operations in flight and closes this end. Idempotent. */
    CompletableFuture<Void> closeAsync();

    /** The checks every transfer makes before it starts. */
    static void check(boolean write, MemorySegment target, String name) {
        if (!write && target.isReadOnly()) {
            throw new IllegalArgumentException("READ into a read-only segment");
        }
        if (target.byteSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": more than 2 GiB in one call");
        }
    }
}
