package org.uring4j.process;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import org.uring4j.runtime.Await;
import org.uring4j.sys.Scopes;

/**
 * This process's end of the pipe to a child's stdin, written through the ring. Close it to give
 * the child end of file. A write to a child that has exited fails with EPIPE.
 */
public final class ChildInput implements AutoCloseable {
    private final PipeEnd end;

    ChildInput(PipeEnd end) {
        this.end = end;
    }

    /** Writes some of {@code src} (a pipe may take less than all; heap memory at most 1 MiB per call); the bytes written. */
    public CompletableFuture<Integer> writeAsync(MemorySegment src) {
        return end.transfer(true, Scopes.shareable(src), null);
    }

    /** Writes {@code src}'s remaining bytes, advancing its position. */
    public CompletableFuture<Integer> writeAsync(ByteBuffer src) {
        return end.transfer(true, Scopes.shareable(MemorySegment.ofBuffer(src)), src);
    }

    /** Writes all of {@code src}, issuing further writes after short ones. */
    public CompletableFuture<Void> writeFullyAsync(MemorySegment src) {
        Scopes.shareable(src);
        if (src.byteSize() == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return writeAsync(src).thenCompose(n -> writeFullyAsync(src.asSlice(n)));
    }

    /**
     * As {@link #writeFullyAsync}, waiting: takes a confined arena's memory too. An interrupt ends
     * it with an InterruptedIOException whose {@code bytesTransferred} says how much was written.
     */
    public void writeFully(MemorySegment src) throws IOException {
        long done = 0;
        try {
            while (done < src.byteSize()) {
                done += Await.get(end.transfer(true, src.asSlice(done), null));
            }
        } catch (java.io.InterruptedIOException e) {
            e.bytesTransferred = (int) Math.min(done, Integer.MAX_VALUE);
            throw e;
        }
    }

    public void writeFully(byte[] src) throws IOException {
        writeFully(MemorySegment.ofArray(src));
    }

    /** A blocking OutputStream over this pipe (closing it closes the pipe). */
    public OutputStream asOutputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                writeFully(new byte[] {(byte) b});
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                writeFully(MemorySegment.ofArray(b).asSlice(off, len));
            }

            @Override
            public void close() throws IOException {
                ChildInput.this.close();
            }
        };
    }

    /** Cancels the writes in flight and closes this end: the child reads end of file. Idempotent. */
    public CompletableFuture<Void> closeAsync() {
        return end.closeAsync();
    }

    @Override
    public void close() throws IOException {
        Await.get(closeAsync());
    }

    @Override
    public String toString() {
        return "ChildInput[" + end.name() + (end.isClosed() ? ", closed" : "") + "]";
    }
}
