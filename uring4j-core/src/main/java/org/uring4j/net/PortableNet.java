package org.uring4j.net;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.uring4j.fs.Backend;

/**
 * Sockets without io_uring: each a blocking {@link SocketChannel} or {@link ServerSocketChannel},
 * each asynchronous operation a blocking call on a virtual thread of its own, each blocking call
 * made on the caller's thread.
 */
final class PortableNet implements NetBackend {
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("uring4j-net-", 0).factory());

    @Override
    public Backend backend() {
        return Backend.PORTABLE;
    }

    ExecutorService threads() {
        return threads;
    }

    @Override
    public CompletableFuture<SocketIo> openSocket(ProtocolFamily family) {
        try {
            return CompletableFuture.completedFuture(new PortableSocket(this, SocketChannel.open(family), family));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<ServerIo> openServer(ProtocolFamily family) {
        try {
            return CompletableFuture.completedFuture(new PortableServer(this, ServerSocketChannel.open(family), family));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @FunctionalInterface
    interface Call<T> {
        T call() throws IOException;
    }

    /** Runs a blocking call on a virtual thread; its IOException fails the future as it is. */
    <T> CompletableFuture<T> async(Call<T> call) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            threads.execute(() -> {
                try {
                    T v = call.call();
                    if (!f.complete(v) && v instanceof SocketIo s) {
                        s.close(); // an accept whose future was cancelled: nobody will take it
                    }
                } catch (java.nio.channels.ClosedChannelException e) {
                    // Closed before this thread reached the channel: from the caller's side the
                    // operation was pending, and the JDK fails a pending one so.
                    f.completeExceptionally(e instanceof java.nio.channels.AsynchronousCloseException ? e : NetErrors.asyncClosed());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            IOException closed = NetErrors.closed();
            closed.initCause(e);
            f.completeExceptionally(closed);
        }
        return f;
    }

    @Override
    public void close() {
        threads.shutdown();
    }
}
