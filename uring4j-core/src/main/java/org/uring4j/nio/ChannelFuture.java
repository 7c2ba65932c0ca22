package org.uring4j.nio;

import java.io.IOException;
import java.nio.channels.AsynchronousChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Future of a channel operation, as the JDK's: a plain {@link Future} (not a
 * CompletableFuture, so no caller code can be chained onto the thread that completes it, which is
 * the event loop's); {@code cancel(true)} closes the channel, as AsynchronousChannel allows and
 * the JDK's implementation does.
 */
final class ChannelFuture<V> implements Future<V> {
    private final CompletableFuture<V> result = new CompletableFuture<>();
    private final AsynchronousChannel channel;

    ChannelFuture(AsynchronousChannel channel) {
        this.channel = channel;
    }

    /** Completes with {@code value}, or fails with {@code exc} if it is not null; false if already done (cancelled). */
    boolean set(V value, Throwable exc) {
        return exc == null ? result.complete(value) : result.completeExceptionally(exc);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = result.cancel(false);
        if (cancelled && mayInterruptIfRunning) {
            try {
                if (channel instanceof UringFileChannel u) {
                    u.closeWithoutWaiting(); // returns at once: the ops in flight end on their own
                } else {
                    channel.close();
                }
            } catch (IOException ignored) {
                // as the JDK: a forceful cancel closes the channel as best it can
            }
        }
        return cancelled;
    }

    @Override
    public boolean isCancelled() {
        return result.isCancelled();
    }

    @Override
    public boolean isDone() {
        return result.isDone();
    }

    @Override
    public V get() throws InterruptedException, ExecutionException {
        return result.get();
    }

    @Override
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        return result.get(timeout, unit);
    }

    @Override
    public String toString() {
        return "ChannelFuture[" + (result.isDone() ? result.isCancelled() ? "cancelled"
                : result.isCompletedExceptionally() ? "failed" : "completed" : "pending") + "]";
    }
}
