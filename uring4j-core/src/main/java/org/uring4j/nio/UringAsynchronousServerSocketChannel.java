package org.uring4j.nio;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.NotYetBoundException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.uring4j.net.UringNet;
import org.uring4j.net.UringServerSocket;

/**
 * An {@link AsynchronousServerSocketChannel} on a {@link UringServerSocket} (multishot ACCEPT on
 * io_uring): a drop-in for {@code AsynchronousServerSocketChannel.open()} with the JDK's checks
 * and exceptions (NotYetBoundException, AlreadyBoundException, AcceptPendingException,
 * ClosedChannelException, AsynchronousCloseException, java.net.BindException). Accepted channels
 * are {@link UringAsynchronousSocketChannel}s with this channel's {@link HandlerThreads}; completion
 * handlers run on a virtual thread each, or on the event loop with {@link HandlerThreads#EVENT_LOOP}.
 * After a cancelled accept the channel accepts no more, as the JDK's; a connection that arrives
 * afterwards is not leaked but closed with the channel.
 */
public final class UringAsynchronousServerSocketChannel extends AsynchronousServerSocketChannel {
    private final UringServerSocket server;
    private final AtomicBoolean accepting = new AtomicBoolean();
    /** An accept was cancelled: as the JDK's channel, this one accepts no more. */
    private volatile boolean acceptKilled;

    private final HandlerThreads handlerThreads;

    private UringAsynchronousServerSocketChannel(UringServerSocket server, HandlerThreads handlerThreads) {
        super(null);
        this.server = server;
        this.handlerThreads = handlerThreads;
    }

    /** An unbound channel of the default family, as {@code AsynchronousServerSocketChannel.open()}. */
    public static UringAsynchronousServerSocketChannel open(UringNet net) throws IOException {
        return open(net, HandlerThreads.VIRTUAL);
    }

    /**
     * As {@link #open(UringNet)}, its completion handlers, and those of the channels it accepts,
     * running where {@code handlerThreads} says.
     */
    public static UringAsynchronousServerSocketChannel open(UringNet net, HandlerThreads handlerThreads) throws IOException {
        Objects.requireNonNull(handlerThreads, "handlerThreads");
        return new UringAsynchronousServerSocketChannel(net.openServer(), handlerThreads);
    }

    /** Where this channel's completion handlers run, and those of the channels it accepts. */
    public HandlerThreads handlerThreads() {
        return handlerThreads;
    }

    /** The server socket underneath. */
    public UringServerSocket socket() {
        return server;
    }

    @Override
    public UringAsynchronousServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        server.bind(local, backlog);
        return this;
    }

    @Override
    public <T> UringAsynchronousServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        server.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return server.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return server.supportedOptions();
    }

    @Override
    public <A> void accept(A attachment, CompletionHandler<AsynchronousSocketChannel, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        doAccept(attachment, handler);
    }

    @Override
    public Future<AsynchronousSocketChannel> accept() {
        return doAccept(null, null);
    }

    private <A> Future<AsynchronousSocketChannel> doAccept(A attachment,
                                                            CompletionHandler<AsynchronousSocketChannel, ? super A> handler) {
        if (!isOpen()) {
            return SocketRelay.immediate(this, null, new ClosedChannelException(), attachment, handler);
        }
        if (!server.isBound()) {
            throw new NotYetBoundException();
        }
        if (acceptKilled) {
            throw new RuntimeException("Accept not allowed due cancellation"); // the JDK's type and words
        }
        if (!accepting.compareAndSet(false, true)) {
            throw new AcceptPendingException();
        }
        CompletableFuture<org.uring4j.net.UringSocket> accepted = server.acceptAsync();
        CompletableFuture<AsynchronousSocketChannel> op = accepted.thenApply(s -> UringAsynchronousSocketChannel.of(s, handlerThreads));
        // Cancelling the Future gives up the wait in the server socket, so a connection arriving
        // later is not lost in a future nobody reads: it waits there and is closed with the server.
        return SocketRelay.relay(this, op, accepted, attachment, handler, () -> accepting.set(false), null,
                () -> acceptKilled = true);
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        return server.localAddress();
    }

    @Override
    public boolean isOpen() {
        return server.isOpen();
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "UringAsynchronousServerSocketChannel[" + server + "]";
    }
}
