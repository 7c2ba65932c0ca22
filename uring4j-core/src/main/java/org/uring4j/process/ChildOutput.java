package org.uring4j.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import org.uring4j.runtime.Await;
import org.uring4j.sys.Scopes;

/**
 * This process's end of a pipe from a child's stdout or stderr, read through the ring. Every
 * read has an async form (a {@link CompletableFuture}) and a blocking one that parks a virtual
 * thread; {@link #asInputStream()} adapts it for code that wants a stream. Reads return -1 once
 * the child (and whoever else holds the pipe's write end) has closed it.
 */
public final class ChildOutput implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;
    private final PipeEnd end;

    ChildOutput(PipeEnd end) {
        this.end = end;
    }

    /** Reads what is there, up to {@code dst}'s size, waiting for at least one byte; -1 at end of stream. */
    public CompletableFuture<Integer> readAsync(MemorySegment dst) {
        return end.transfer(false, Scopes.shareable(dst), null);
    }

    /** Reads into {@code dst}'s remaining bytes, advancing its position; -1 at end of stream. */
    public CompletableFuture<Integer> readAsync(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        return end.transfer(false, Scopes.shareable(MemorySegment.ofBuffer(dst)), dst);
    }

    /** Reads into {@code dst[off..off+len)}; -1 at end of stream. */
    public CompletableFuture<Integer> readAsync(byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        return end.transfer(false, MemorySegment.ofArray(dst).asSlice(off, len), null);
    }

    /** As {@link #readAsync(MemorySegment)}, waiting: takes a confined arena's memory too. */
    public int read(MemorySegment dst) throws IOException {
        return Await.get(end.transfer(false, dst, null));
    }

    public int read(byte[] dst, int off, int len) throws IOException {
        return Await.get(readAsync(dst, off, len));
    }

    /** Everything until end of stream. */
    public CompletableFuture<byte[]> readAllBytesAsync() {
        return readRest(new ByteArrayOutputStream(), new byte[CHUNK]);
    }

    private CompletableFuture<byte[]> readRest(ByteArrayOutputStream out, byte[] chunk) {
        return readAsync(chunk, 0, chunk.length).thenCompose(n -> {
            if (n < 0) {
                return CompletableFuture.completedFuture(out.toByteArray());
            }
            out.write(chunk, 0, n);
            return readRest(out, chunk);
        });
    }

    /**
     * Everything until end of stream, waiting through an interrupt (the interrupt status is kept),
     * as the JDK's Process streams and the portable backend do: the reads already made cannot be
     * given back, and a call that threw would have left the rest of the chain reading on unseen —
     * what arrived before the interrupt was lost to the caller's next read. Closing the pipe (or
     * the Child) from another thread ends it.
     */
    public byte[] readAllBytes() throws IOException {
        CompletableFuture<byte[]> through = Await.throughInterrupt();
        readAllBytesAsync().whenComplete((all, failure) -> {
            if (failure != null) {
                through.completeExceptionally(failure instanceof java.util.concurrent.CompletionException c
                        && c.getCause() != null ? c.getCause() : failure);
            } else {
                through.complete(all);
            }
        });
        return Await.get(through);
    }

    /** A blocking InputStream over this pipe (closing it closes the pipe). */
    public InputStream asInputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                return len == 0 ? 0 : ChildOutput.this.read(b, off, len);
            }

            @Override
            public void close() throws IOException {
                ChildOutput.this.close();
            }
        };
    }

    /** Cancels the reads in flight and closes this end: the child gets SIGPIPE/EPIPE if it writes on. Idempotent. */
    public CompletableFuture<Void> closeAsync() {
        return end.closeAsync();
    }

    @Override
    public void close() throws IOException {
        Await.get(closeAsync());
    }

    @Override
    public String toString() {
        return "ChildOutput[" + end.name() + (end.isClosed() ? ", closed" : "") + "]";
    }
}
