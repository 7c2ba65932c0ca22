package org.uring4j.process;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

import org.uring4j.runtime.Await;
import org.uring4j.sys.Scopes;

/**
 * The portable backend's end of a pipe to a child: a {@link Process}'s stream, each read or write
 * a blocking call on a virtual thread, one after another in the order they were asked for.
 *
 * <p>A blocking call on a pipe cannot be cancelled: closing fails the futures of the calls in
 * flight at once, but a call already blocked (a read from a child that writes nothing) goes on
 * until the child writes or exits, its result dropped, and the close of a stdin whose write is
 * blocked completes only then.
 */
final class StreamPipe implements PipeEnd {
    /** The most one call moves: a pipe takes or gives at most its capacity per call anyway. */
    private static final int CHUNK = 64 * 1024;
    private static final Executor THREADS = r -> Thread.ofVirtual().name("uring4j-pipe").start(r);

    private final String name;
    private final InputStream in;
    private final OutputStream out;
    private final java.util.Set<CompletableFuture<Integer>> pending = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null); // guarded by this
    private CompletableFuture<Void> closed; // guarded by this
    private volatile boolean closing;

    private StreamPipe(String name, InputStream in, OutputStream out) {
        this.name = name;
        this.in = in;
        this.out = out;
    }

    static StreamPipe reading(String name, InputStream in) {
        return new StreamPipe(name, in, null);
    }

    static StreamPipe writing(String name, OutputStream out) {
        return new StreamPipe(name, null, out);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isClosed() {
        return closing;
    }

    @Override
    public CompletableFuture<Integer> transfer(boolean write, MemorySegment target, ByteBuffer buffer) {
        PipeEnd.check(write, target, name);
        if (write != (out != null)) {
            throw new IllegalStateException(name + " is not open for " + (write ? "writing" : "reading"));
        }
        if (closing) {
            return CompletableFuture.failedFuture(closedException());
        }
        int n = (int) Math.min(target.byteSize(), CHUNK);
        if (Scopes.confined(target)) {
            return confined(write, target.asSlice(0, n), buffer);
        }
        return queue(() -> {
            byte[] chunk = new byte[n];
            int moved;
            if (write) {
                MemorySegment.copy(target, 0, MemorySegment.ofArray(chunk), 0, n);
                out.write(chunk, 0, n);
                out.flush();
                moved = n;
            } else {
                moved = n == 0 ? 0 : in.read(chunk, 0, n);
                if (moved > 0) {
                    MemorySegment.copy(MemorySegment.ofArray(chunk), 0, target, 0, moved);
                }
            }
            if (buffer != null && moved > 0) {
                buffer.position(buffer.position() + moved);
            }
            return moved;
        });
    }

    /**
     * Memory confined to the caller's thread, which the virtual thread cannot touch: through a
     * heap copy, and a read waits for its call before it copies back on this thread.
     */
    private CompletableFuture<Integer> confined(boolean write, MemorySegment target, ByteBuffer buffer) {
        MemorySegment copy = MemorySegment.ofArray(new byte[(int) target.byteSize()]);
        if (write) {
            MemorySegment.copy(target, 0, copy, 0, copy.byteSize());
        }
        CompletableFuture<Integer> done = transfer(write, copy, null);
        try {
            int n = done.join();
            if (!write && n > 0) {
                MemorySegment.copy(copy, 0, target, 0, n);
            }
            if (buffer != null && n > 0) {
                buffer.position(buffer.position() + n);
            }
            return CompletableFuture.completedFuture(n);
        } catch (CompletionException e) {
            return CompletableFuture.failedFuture(e.getCause());
        }
    }

    /** A blocking call on the stream. */
    private interface Call {
        int run() throws IOException;
    }

    private synchronized CompletableFuture<Integer> queue(Call call) {
        CompletableFuture<Integer> f = tail.handle((v, t) -> null).thenApplyAsync(v -> {
            if (closing) {
                throw new CompletionException(closedException());
            }
            try {
                return call.run();
            } catch (IOException e) {
                throw new CompletionException(closing ? closedException() : e);
            }
        }, THREADS);
        tail = f;
        pending.add(f);
        // A blocked stream call cannot be cancelled: a caller's interrupt is waited through, as the
        // JDK's Process streams do, so that no byte read goes unseen.
        CompletableFuture<Integer> result = Await.throughInterrupt();
        f.whenComplete((v, t) -> {
            pending.remove(f);
            if (t != null) {
                result.completeExceptionally(t instanceof CompletionException c && c.getCause() != null ? c.getCause() : t);
            } else {
                result.complete(v);
            }
        });
        return result;
    }

    private ClosedChannelException closedException() {
        ClosedChannelException e = new ClosedChannelException();
        e.initCause(new IOException(name + " is closed"));
        return e;
    }

    /** Fails the calls still queued, and closes the stream (once a call blocked on it has ended). */
    @Override
    public synchronized CompletableFuture<Void> closeAsync() {
        if (closed == null) {
            closing = true;
            for (CompletableFuture<Integer> f : pending) {
                // As the io_uring backend's and a file's ops closed under: AsynchronousCloseException.
                java.nio.channels.AsynchronousCloseException e = new java.nio.channels.AsynchronousCloseException();
                e.initCause(new IOException(name + " was closed during the call"));
                f.completeExceptionally(e);
            }
            Closeable stream = in != null ? in : out;
            // An InputStream closes at once; a stdin whose write is blocked closes when the write ends.
            closed = CompletableFuture.runAsync(() -> {
                try {
                    stream.close();
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }, THREADS);
        }
        return closed;
    }
}
