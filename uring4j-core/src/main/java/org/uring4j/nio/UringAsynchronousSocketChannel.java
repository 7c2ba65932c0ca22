package org.uring4j.nio;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ReadPendingException;
import java.nio.channels.WritePendingException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.uring4j.net.UringNet;
import org.uring4j.net.UringSocket;

/**
 * An {@link AsynchronousSocketChannel} on a {@link UringSocket}: a drop-in for
 * {@code AsynchronousSocketChannel.open()} with the JDK's argument checks and exceptions
 * (NotYetConnectedException, ReadPendingException, WritePendingException,
 * InterruptedByTimeoutException and afterwards IllegalStateException for the timed-out or
 * cancelled direction, ClosedChannelException, AsynchronousCloseException, java.net.ConnectException).
 * Cancelling a read's or write's Future also cancels the request in the kernel.
 *
 * <p>Differences: a write sends all of its buffer before it completes (the JDK's may complete
 * with part of it); a scattering read fills the first buffer with room, a gathering write sends
 * the buffers one after another. Completion handlers run on a virtual thread each, or on the
 * event loop with {@link HandlerThreads#EVENT_LOOP} (the choice the JDK makes with a channel
 * group); {@link #provider()} is null (the channel belongs to a {@link UringNet}, not to a
 * provider or group).
 */
public final class UringAsynchronousSocketChannel extends AsynchronousSocketChannel {
    private final UringSocket socket;
    private final AtomicBoolean reading = new AtomicBoolean();
    private final AtomicBoolean writing = new AtomicBoolean();
    private volatile boolean readKilled;
    private volatile boolean writeKilled;
    // The relay's hooks, made once rather than per call.
    private final Runnable readDone = () -> reading.set(false);
    private final Runnable writeDone = () -> writing.set(false);
    /** A cancelled read or write may have moved bytes nobody sees: the JDK refuses that direction afterwards. */
    private final Runnable killRead = () -> readKilled = true;
    private final Runnable killWrite = () -> writeKilled = true;
    private final Consumer<Throwable> readFailed = t -> {
        if (t instanceof InterruptedByTimeoutException) {
            readKilled = true;
        }
    };
    private final Consumer<Throwable> writeFailed = t -> {
        if (t instanceof InterruptedByTimeoutException) {
            writeKilled = true;
        }
    };

    private final HandlerThreads handlerThreads;

    private UringAsynchronousSocketChannel(UringSocket socket, HandlerThreads handlerThreads) {
        super(null);
        this.socket = socket;
        this.handlerThreads = Objects.requireNonNull(handlerThreads, "handlerThreads");
    }

    /** An unconnected channel of the default family (IPv6 taking IPv4 where the host has IPv6), as {@code AsynchronousSocketChannel.open()}. */
    public static UringAsynchronousSocketChannel open(UringNet net) throws IOException {
        return open(net, HandlerThreads.VIRTUAL);
    }

    /** As {@link #open(UringNet)}, its completion handlers running where {@code handlerThreads} says. */
    public static UringAsynchronousSocketChannel open(UringNet net, HandlerThreads handlerThreads) throws IOException {
        Objects.requireNonNull(handlerThreads, "handlerThreads");
        return new UringAsynchronousSocketChannel(net.openSocket(), handlerThreads);
    }

    /** A channel over a socket already made, e.g. one a server accepted; the channel owns it from now on. */
    public static UringAsynchronousSocketChannel of(UringSocket socket) {
        return of(socket, HandlerThreads.VIRTUAL);
    }

    /** As {@link #of(UringSocket)}, its completion handlers running where {@code handlerThreads} says. */
    public static UringAsynchronousSocketChannel of(UringSocket socket, HandlerThreads handlerThreads) {
        return new UringAsynchronousSocketChannel(Objects.requireNonNull(socket, "socket"), handlerThreads);
    }

    /** Where this channel's completion handlers run. */
    public HandlerThreads handlerThreads() {
        return handlerThreads;
    }

    /** The socket underneath. */
    public UringSocket socket() {
        return socket;
    }

    @Override
    public UringAsynchronousSocketChannel bind(SocketAddress local) throws IOException {
        socket.bind(local);
        return this;
    }

    @Override
    public <T> UringAsynchronousSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        socket.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return socket.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return socket.supportedOptions();
    }

    @Override
    public UringAsynchronousSocketChannel shutdownInput() throws IOException {
        socket.shutdownInput();
        return this;
    }

    @Override
    public UringAsynchronousSocketChannel shutdownOutput() throws IOException {
        socket.shutdownOutput();
        return this;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        return socket.remoteAddress();
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        return socket.localAddress();
    }

    // ------------------------------------------------------------------ connect

    @Override
    public <A> void connect(SocketAddress remote, A attachment, CompletionHandler<Void, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        doConnect(remote, attachment, handler);
    }

    @Override
    public Future<Void> connect(SocketAddress remote) {
        return doConnect(remote, null, null);
    }

    private <A> Future<Void> doConnect(SocketAddress remote, A attachment, CompletionHandler<Void, ? super A> handler) {
        if (!isOpen()) {
            return SocketRelay.immediate(this, null, new ClosedChannelException(), attachment, handler);
        }
        return SocketRelay.relay(this, socket.connectAsync(remote), null, attachment, handler, () -> { }, null, null);
    }

    // ------------------------------------------------------------------ read

    @Override
    public <A> void read(ByteBuffer dst, long timeout, TimeUnit unit, A attachment,
                         CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        doRead(new ByteBuffer[] {dst}, timeout, unit, attachment, handler, false);
    }

    @Override
    public Future<Integer> read(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        return doRead(new ByteBuffer[] {dst}, 0, TimeUnit.MILLISECONDS, null, null, false);
    }

    @Override
    public <A> void read(ByteBuffer[] dsts, int offset, int length, long timeout, TimeUnit unit, A attachment,
                         CompletionHandler<Long, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        if (offset < 0 || length < 0 || offset > dsts.length - length) {
            throw new IndexOutOfBoundsException();
        }
        ByteBuffer[] bufs = java.util.Arrays.copyOfRange(dsts, offset, offset + length);
        for (ByteBuffer b : bufs) {
            if (b.isReadOnly()) {
                throw new IllegalArgumentException("Read-only buffer");
            }
        }
        doRead(bufs, timeout, unit, attachment, handler, true);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private <V extends Number, A> Future<V> doRead(ByteBuffer[] bufs, long timeout, TimeUnit unit, A attachment,
                                                   CompletionHandler<V, ? super A> handler, boolean scattering) {
        if (!isOpen()) {
            return SocketRelay.immediate(this, null, new ClosedChannelException(), attachment, handler);
        }
        if (!socket.isConnected()) {
            throw new NotYetConnectedException();
        }
        if (readKilled) {
            throw new IllegalStateException("Reading not allowed due to timeout or cancellation");
        }
        if (!reading.compareAndSet(false, true)) {
            throw new ReadPendingException();
        }
        ByteBuffer dst = firstWithRoom(bufs);
        CompletableFuture<Integer> op;
        try {
            op = dst == null ? CompletableFuture.completedFuture(0)
                    : socket.readAsync(dst, timeout, unit == null ? TimeUnit.MILLISECONDS : unit);
        } catch (RuntimeException e) {
            // No read started (e.g. a direct buffer whose memory is gone): a failed read, as the
            // JDK reports it, and the next read may go ahead.
            reading.set(false);
            return SocketRelay.immediate(this, null, new IOException(e), attachment, handler);
        }
        CompletableFuture<V> typed = scattering ? (CompletableFuture) op.thenApply(Integer::longValue) : (CompletableFuture) op;
        return SocketRelay.relay(this, typed, op, attachment, handler, readDone, readFailed, killRead);
    }

    private static ByteBuffer firstWithRoom(ByteBuffer[] bufs) {
        for (ByteBuffer b : bufs) {
            if (b.hasRemaining()) {
                return b;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ write

    @Override
    public <A> void write(ByteBuffer src, long timeout, TimeUnit unit, A attachment,
                          CompletionHandler<Integer, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        doWrite(new ByteBuffer[] {src}, timeout, unit, attachment, handler, false);
    }

    @Override
    public Future<Integer> write(ByteBuffer src) {
        return doWrite(new ByteBuffer[] {src}, 0, TimeUnit.MILLISECONDS, null, null, false);
    }

    @Override
    public <A> void write(ByteBuffer[] srcs, int offset, int length, long timeout, TimeUnit unit, A attachment,
                          CompletionHandler<Long, ? super A> handler) {
        Objects.requireNonNull(handler, "'handler' is null");
        if (offset < 0 || length < 0 || offset > srcs.length - length) {
            throw new IndexOutOfBoundsException();
        }
        doWrite(java.util.Arrays.copyOfRange(srcs, offset, offset + length), timeout, unit, attachment, handler, true);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private <V extends Number, A> Future<V> doWrite(ByteBuffer[] bufs, long timeout, TimeUnit unit, A attachment,
                                                    CompletionHandler<V, ? super A> handler, boolean gathering) {
        if (!isOpen()) {
            return SocketRelay.immediate(this, null, new ClosedChannelException(), attachment, handler);
        }
        if (!socket.isConnected()) {
            throw new NotYetConnectedException();
        }
        if (writeKilled) {
            throw new IllegalStateException("Writing not allowed due to timeout or cancellation");
        }
        if (!writing.compareAndSet(false, true)) {
            throw new WritePendingException();
        }
        long nanos = unit == null ? 0 : unit.toNanos(Math.max(0, timeout));
        CompletableFuture<V> op;
        try {
            op = gathering ? (CompletableFuture) writeAll(bufs, 0, nanos == 0 ? 0 : System.nanoTime() + nanos, 0L)
                    : (CompletableFuture) socket.writeAsync(bufs[0], nanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            writing.set(false); // no write started: a failed write, as for a read
            return SocketRelay.immediate(this, null, new IOException(e), attachment, handler);
        }
        // Only the single-buffer form has a Future to cancel: op is the socket's own.
        return SocketRelay.relay(this, op, gathering ? null : op, attachment, handler, writeDone, writeFailed, killWrite);
    }

    /**
     * Writes the buffers one after another within what is left before {@code deadline} (0: no
     * limit). A buffer the time cut short ends the write with the count so far, as a partial
     * gathering write may: the next buffer must not follow a gap in this one.
     */
    private CompletableFuture<Long> writeAll(ByteBuffer[] bufs, int i, long deadline, long done) {
        while (i < bufs.length && !bufs[i].hasRemaining()) {
            i++;
        }
        if (i == bufs.length) {
            return CompletableFuture.completedFuture(done);
        }
        long left = deadline == 0 ? 0 : deadline - System.nanoTime();
        if (deadline != 0 && left <= 0) {
            return done > 0 ? CompletableFuture.completedFuture(done)
                    : CompletableFuture.failedFuture(new InterruptedByTimeoutException());
        }
        ByteBuffer b = bufs[i];
        int next = i + 1;
        return socket.writeAsync(b, left, TimeUnit.NANOSECONDS)
                .thenCompose(n -> b.hasRemaining() ? CompletableFuture.completedFuture(done + n)
                        : writeAll(bufs, next, deadline, done + n));
    }

    // ------------------------------------------------------------------ close

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "UringAsynchronousSocketChannel[" + socket + "]";
    }
}
