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

import org.uring4j.runtime.EventLoop;

/**
 * Delivers a socket channel operation's outcome as the JDK's channels do: to a plain
 * {@link Future} ({@link ChannelFuture}), or to a {@link CompletionHandler} where the channel's
 * {@link HandlerThreads} say: on a virtual thread of its own, or on the event loop that completed
 * the operation. As the JDK's channel groups do, an operation started by a handler that completes
 * at once has its handler called directly on that handler's thread, at most {@link #MAX_DIRECT}
 * deep; any other caller's thread is never used.
 */
final class SocketRelay {
    private SocketRelay() {
    }

    private static final ExecutorService HANDLERS =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("uring4j-net-handler-", 0).factory());
    /** Handlers called directly within one another on a handler thread, at most (the JDK's default too). */
    static final int MAX_DIRECT = 16;
    /** Set on virtual handler threads, and on loop threads running handlers: how deep direct calls are nested there. */
    private static final ThreadLocal<int[]> DIRECT_DEPTH = new ThreadLocal<>();

    /** The channel's choice of handler threads. */
    private static HandlerThreads threads(AsynchronousChannel channel) {
        if (channel instanceof UringAsynchronousSocketChannel c) {
            return c.handlerThreads();
        }
        if (channel instanceof UringAsynchronousServerSocketChannel s) {
            return s.handlerThreads();
        }
        return HandlerThreads.VIRTUAL;
    }

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
                invoke(threads(channel), handler, attachment, exc == null ? v : null, exc);
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
        invoke(threads(channel), handler, attachment, value, exc);
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

    private static <V, A> void invoke(HandlerThreads threads, CompletionHandler<V, ? super A> handler, A attachment,
                                      V value, Throwable exc) {
        int[] depth = DIRECT_DEPTH.get(); // null but on a handler thread: never on a caller's thread
        boolean onLoop = EventLoop.onLoopThread();
        if (depth == null && threads == HandlerThreads.EVENT_LOOP && onLoop) {
            depth = new int[1];
            DIRECT_DEPTH.set(depth); // a loop thread, once: from now on it runs such handlers
        }
        if (depth != null && depth[0] < MAX_DIRECT && (threads == HandlerThreads.EVENT_LOOP || !onLoop)) {
            depth[0]++;
            try {
                call(handler, attachment, value, exc);
            } catch (Throwable t) {
                // As if it had run on a thread of its own: reported there, not thrown into the caller's call.
                Thread me = Thread.currentThread();
                me.getUncaughtExceptionHandler().uncaughtException(me, t);
            } finally {
                depth[0]--;
                Thread.interrupted();
            }
            return;
        }
        HANDLERS.execute(() -> {
            DIRECT_DEPTH.set(new int[1]);
            try {
                call(handler, attachment, value, exc);
            } finally {
                Thread.interrupted();
            }
        });
    }

    private static <V, A> void call(CompletionHandler<V, ? super A> handler, A attachment, V value, Throwable exc) {
        if (exc == null) {
            handler.completed(value, attachment);
        } else {
            handler.failed(exc, attachment);
        }
    }
}
