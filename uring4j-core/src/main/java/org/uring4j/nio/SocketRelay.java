package org.uring4j.nio;

import java.io.IOException;
import java.nio.channels.AsynchronousChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Delivers a socket channel operation's outcome as the JDK's channels do: to a plain
 * {@link Future} ({@link ChannelFuture}), or to a {@link CompletionHandler} on a virtual thread
 * of its own, never on the event loop that completed it (a handler may block) nor on the caller's
 * thread.
 */
final class SocketRelay {
    private SocketRelay() {
    }

    private static final ExecutorService HANDLERS =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("uring4j-net-handler-", 0).factory());

    /**
     * Relays {@code op}; {@code onFailure} sees each failure first (to mark a timed-out channel).
     * Returns the Future, or null with a handler. Cancelling the Future runs {@code onCancel}
     * (null: nothing) and cancels {@code underlying}, the socket operation {@code op} derives from.
     */
    static <V, A> Future<V> relay(AsynchronousChannel channel, CompletableFuture<V> op, Future<?> underlying,
                                  A attachment, CompletionHandler<V, ? super A> handler, Runnable done,
                                  Consumer<Throwable> onFailure, Runnable onCancel) {
        ChannelFuture<V> result = handler == null ? new ChannelFuture<>(channel, underlying, onCancel) : null;
        op.whenComplete((v, t) -> {
            Throwable exc = t == null ? null : failure(t);
            if (exc != null && onFailure != null) {
                onFailure.accept(exc);
            }
            done.run();
            if (result != null) {
                if (!result.set(exc == null ? v : null, exc) && v instanceof AutoCloseable c) {
                    closeQuietly(c); // an accepted channel that came after the cancel: nobody will take it
                }
            } else {
                invoke(handler, attachment, exc == null ? v : null, exc);
            }
        });
        return result;
    }

    /** An outcome known at once: to a Future, or to the handler on a virtual thread. */
    static <V, A> Future<V> immediate(AsynchronousChannel channel, V value, Throwable exc, A attachment,
                                      CompletionHandler<V, ? super A> handler) {
        if (handler == null) {
            ChannelFuture<V> f = new ChannelFuture<>(channel);
            f.set(value, exc);
            return f;
        }
        invoke(handler, attachment, value, exc);
        return null;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // it was never handed out
        }
    }

    /** The failure unwrapped; the socket layer already reports a close as AsynchronousCloseException. */
    private static Throwable failure(Throwable t) {
        if (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof IllegalStateException || t instanceof WrongThreadException) {
            return new IOException(t); // the buffer's memory is gone or not ours: the JDK says so with an IOException
        }
        return t instanceof IOException || t instanceof RuntimeException || t instanceof Error ? t : new IOException(t);
    }

    private static <V, A> void invoke(CompletionHandler<V, ? super A> handler, A attachment, V value, Throwable exc) {
        HANDLERS.execute(() -> {
            try {
                if (exc == null) {
                    handler.completed(value, attachment);
                } else {
                    handler.failed(exc, attachment);
                }
            } finally {
                Thread.interrupted();
            }
        });
    }
}
