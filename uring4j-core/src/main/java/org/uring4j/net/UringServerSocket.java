package org.uring4j.net;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.uring4j.fs.Backend;
import org.uring4j.runtime.Await;

/**
 * A listening stream socket. Make one with {@link UringNet#listen} (bound) or
 * {@link UringNet#openServer} (set options, then {@link #bind}). On io_uring one multishot
 * ACCEPT serves every waiting {@link #accept()}, and accepted sockets are spread over the
 * runtime's loops.
 */
public final class UringServerSocket implements AutoCloseable {
    private static final int DEFAULT_BACKLOG = 50;
    private final UringNet net;
    private final ServerIo io;
    private volatile boolean bound;
    private volatile boolean closed;

    UringServerSocket(UringNet net, ServerIo io) {
        this.net = net;
        this.io = io;
    }

    public Backend backend() {
        return net.backend();
    }

    public ProtocolFamily family() {
        return io.family();
    }

    public boolean isOpen() {
        return !closed;
    }

    /** True once {@link #bind} has succeeded. */
    public boolean isBound() {
        return bound;
    }

    /** Binds to {@code local} (null: the wildcard address and a free port) and listens with the default backlog. */
    public UringServerSocket bind(SocketAddress local) throws IOException {
        return bind(local, 0);
    }

    /**
     * Binds and listens ({@code io_uring_prep_bind}, {@code io_uring_prep_listen} where the kernel
     * has them); a {@code backlog} below 1 takes the default.
     *
     * @throws AlreadyBoundException  if bound already
     * @throws java.net.BindException if the address is in use
     */
    public synchronized UringServerSocket bind(SocketAddress local, int backlog) throws IOException {
        checkOpen();
        if (bound) {
            throw new AlreadyBoundException();
        }
        io.bind(local != null ? local : UringSocket.defaultLocal(io.family()), backlog < 1 ? DEFAULT_BACKLOG : backlog);
        bound = true;
        return this;
    }

    /** The next connection, waiting for one. */
    public UringSocket accept() throws IOException {
        if (net.onLoopThread()) {
            throw new IllegalStateException("a blocking accept on an event-loop thread would wait for itself");
        }
        try {
            return Await.get(acceptAsync());
        } catch (InterruptedIOException e) {
            close();
            ClosedByInterruptException c = new ClosedByInterruptException();
            c.initCause(e);
            throw c;
        }
    }

    /**
     * The next connection ({@code io_uring_prep_multishot_accept}). Cancelling the future gives
     * up the wait: a connection that arrives afterwards goes to the next accept (on io_uring), or
     * is closed, never left open unseen.
     *
     * @throws NotYetBoundException if not bound
     */
    public CompletableFuture<UringSocket> acceptAsync() {
        if (closed) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        if (!bound) {
            throw new NotYetBoundException();
        }
        CompletableFuture<SocketIo> waiter = io.accept();
        ChainedFuture<UringSocket> result = new ChainedFuture<>(waiter);
        waiter.whenComplete((conn, t) -> {
            if (t != null) {
                result.completeExceptionally(t instanceof CompletionException && t.getCause() != null ? t.getCause() : t);
                return;
            }
            UringSocket s;
            try {
                s = net.track(new UringSocket(net, conn, true)); // closing the net closes it too
            } catch (IllegalStateException netClosed) { // track closed it
                result.completeExceptionally(new AsynchronousCloseException());
                return;
            }
            if (closed) {
                s.close();
                result.completeExceptionally(new AsynchronousCloseException());
            } else if (!result.complete(s)) {
                s.close(); // cancelled meanwhile: nobody will take it
            }
        });
        return result;
    }

    public <T> UringServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name, "name");
        checkOpen();
        io.setOption(name, value);
        return this;
    }

    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name, "name");
        checkOpen();
        return io.getOption(name);
    }

    public Set<SocketOption<?>> supportedOptions() {
        return io.supportedOptions();
    }

    /** The address it listens on (with the port picked for port 0), or null if not bound. */
    public SocketAddress localAddress() throws IOException {
        checkOpen();
        return bound ? io.localAddress() : null;
    }

    private void checkOpen() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    /** Stops listening: waiting accepts fail with AsynchronousCloseException, connections not yet taken are closed. Idempotent. */
    @Override
    public void close() {
        closed = true;
        net.closed(this, io.close());
    }

    @Override
    public String toString() {
        return "UringServerSocket[" + io + (closed ? ", closed" : "") + "]";
    }
}
