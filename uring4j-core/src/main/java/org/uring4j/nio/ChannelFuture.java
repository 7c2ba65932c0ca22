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
 * the event loop's). {@code cancel} runs the channel's cancel hook (which refuses further reads or
 * writes, as the JDK's channels do, since the operation may have moved bytes nobody will see) and
 * cancels the socket operation underneath, so it does not stay in the kernel; {@code cancel(true)}
 * also closes the channel, as AsynchronousChannel allows and the JDK's implementation does.
 */
final class ChannelFuture<V> implements Future<V> {
    private final CompletableFuture<V> result = new CompletableFuture<>();
    private final AsynchronousChannel channel;
    private final Future<?> operation;
    private final Runnable onCancel;

    ChannelFuture(AsynchronousChannel channel) {
        this(channel, null, null);
    }

    /** {@code operation} (null: none) is cancelled with this future, after {@code onCancel} (null: none) has run. */
    ChannelFuture(AsynchronousChannel channel, Future<?> operation, Runnable onCancel) {
        this.channel = channel;
        this.operation = operation;
        this.onCancel = onCancel;
    }

    /**
     * A future done when made, for an operation served on the caller's path (a page-cache hit):
     * no completion stage to allocate and complete; cancelling it does nothing, as cancelling a
     * done future does.
     */
    static <V> Future<V> done(V value) {
        return new Done<>(value);
    }

    private static final class Done<V> implements Future<V> {
        private final V value;

        Done(V value) {
            this.value = value;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public V get() {
            return value;
        }

        @Override
        public V get(long timeout, TimeUnit unit) {
            return value;
        }

        @Override
        public V resultNow() {
            return value;
        }

        @Override
        public State state() {
            return State.SUCCESS;
        }

        @Override
        public String toString() {
            return "ChannelFuture[completed]";
        }
    }

    /** Completes with {@code value}, or fails with {@code exc} if it is not null; false if already done (cancelled). */
    boolean set(V value, Throwable exc) {
        return exc == null ? result.complete(value) : result.completeExceptionally(exc);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = result.cancel(false);
        if (!cancelled) {
            return false;
        }
        if (onCancel != null) {
            onCancel.run(); // before the operation's end lets another one start
        }
        if (operation != null) {
            operation.cancel(false);
        }
        if (mayInterruptIfRunning) {
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
        return true;
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
        checkNotLoop();
        return result.get();
    }

    @Override
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        checkNotLoop();
        return result.get(timeout, unit);
    }

    /** A handler on an event loop ({@link HandlerThreads#EVENT_LOOP}) waiting here would wait for itself. */
    private void checkNotLoop() {
        if (!result.isDone() && org.uring4j.runtime.EventLoop.onLoopThread()) {
            throw new IllegalStateException("Future.get() on an event-loop thread would wait for itself: "
                    + "a handler running on the loop (HandlerThreads.EVENT_LOOP) must not block");
        }
    }

    @Override
    public String toString() {
        return "ChannelFuture[" + (result.isDone() ? result.isCancelled() ? "cancelled"
                : result.isCompletedExceptionally() ? "failed" : "completed" : "pending") + "]";
    }
}
