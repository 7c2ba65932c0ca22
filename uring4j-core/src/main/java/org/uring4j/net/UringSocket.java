package org.uring4j.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.uring4j.fs.Backend;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.Await;
import org.uring4j.sys.Scopes;

/**
 * A stream socket: TCP over IPv4 or IPv6, or a Unix domain socket. Make one with
 * {@link UringNet#connect}, {@link UringNet#openSocket} or {@link UringServerSocket#accept}.
 *
 * <p>Every transfer has a blocking form ({@code read}, {@code write}), which parks a virtual
 * thread without pinning its carrier, and an {@code ...Async} form returning a
 * {@link CompletableFuture}. Reads return what has arrived (at least one byte), or -1 at end of
 * stream; writes send everything they are given. A {@code ByteBuffer}'s position advances by the
 * bytes moved. One read and one write may be in progress at a time: a second blocking read
 * waits for the first, as on a SocketChannel; on io_uring a second asynchronous read while one
 * waits fails with ReadPendingException. On io_uring, reads that have to wait are served by one
 * receive that stays armed for the socket's life (see {@code ReadAhead}): a read then takes what
 * has arrived without a system call, or waits for the loop to copy the next chunk into its memory.
 *
 * <p>Failures are java.net's and java.nio's: {@link java.net.ConnectException} for a refused
 * connect, {@link java.net.BindException} for an address in use, a
 * {@link java.net.SocketException} "Connection reset", {@link ClosedChannelException} after
 * {@link #close()}, {@link java.nio.channels.AsynchronousCloseException} for an operation the
 * close interrupted, {@link ClosedByInterruptException} when a thread blocked in a call is
 * interrupted (the socket is closed then, as a SocketChannel is). On io_uring the
 * {@link org.uring4j.UringException} naming the op, descriptor and errno is the cause.
 *
 * <p>Futures complete on an event-loop thread: stages chained to them must not block (a blocking
 * call of this API there throws IllegalStateException). A transfer that needs no wait is made on
 * the caller's thread and its future is already complete when returned: code that answers each
 * completion with the next call should loop while futures come back done, rather than nest
 * callbacks without bound.
 *
 * <p>Cancelling the future of a transfer cancels its request in the kernel (ASYNC_CANCEL on
 * io_uring; on the portable backend the blocking call goes on until it ends or the socket
 * closes). Bytes it moved before the cancel took hold are lost to the caller, so the stream may
 * have a gap: as the JDK's asynchronous channels refuse further reads (writes) after a cancelled
 * one, a caller should close the socket rather than read (write) on. Native memory handed to an
 * asynchronous call must stay alive until its future completes, or, if the future was cancelled,
 * until {@link #close()} of this socket, called off the event loops, has returned (the kernel may write into it until the
 * request's completion, which close waits for).
 */
public final class UringSocket implements AutoCloseable {
    private static final int UNCONNECTED = 0;
    private static final int PENDING = 1;
    private static final int CONNECTED = 2;

    private final UringNet net;
    private final SocketIo io;
    private final AtomicInteger state;
    private volatile boolean bound;
    private volatile boolean inputShut;
    private volatile boolean outputShut;
    private volatile boolean closed;
    /** {@link UringSocketOptions#SEND_ZEROCOPY_THRESHOLD}, as the backend was told it. */
    private volatile int sendZeroCopyThreshold = UringSocketOptions.defaultSendZeroCopyThreshold();
    /** A stream receive is running: reads are refused (ReadPendingException) until it ends. */
    private final java.util.concurrent.atomic.AtomicBoolean streaming = new java.util.concurrent.atomic.AtomicBoolean();

    UringSocket(UringNet net, SocketIo io, boolean connected) {
        this.net = net;
        this.io = io;
        this.state = new AtomicInteger(connected ? CONNECTED : UNCONNECTED);
        this.bound = connected;
    }

    /** The backend's half, for tests of this package. */
    SocketIo io() {
        return io;
    }

    /** The backend this socket runs on. */
    public Backend backend() {
        return net.backend();
    }

    /** INET, INET6 or UNIX. */
    public ProtocolFamily family() {
        return io.family();
    }

    public boolean isOpen() {
        return !closed;
    }

    public boolean isConnected() {
        return state.get() == CONNECTED;
    }

    /** True while a connect is in progress. */
    public boolean isConnectionPending() {
        return state.get() == PENDING;
    }

    // ------------------------------------------------------------------ bind and connect

    /**
     * Binds to {@code local}; null picks the wildcard address and a free port (for a Unix
     * socket, a fresh path in the temporary directory), as the JDK does.
     *
     * @throws AlreadyBoundException      if bound already
     * @throws ConnectionPendingException if a connect is in progress
     * @throws java.net.BindException     if the address is in use or not ours
     */
    public UringSocket bind(SocketAddress local) throws IOException {
        checkOpen();
        if (state.get() == PENDING) {
            throw new ConnectionPendingException();
        }
        if (bound) {
            throw new AlreadyBoundException();
        }
        io.bind(local != null ? local : defaultLocal(io.family()));
        bound = true;
        return this;
    }

    static SocketAddress defaultLocal(ProtocolFamily family) {
        if (family == StandardProtocolFamily.UNIX) {
            return UnixDomainSocketAddress.of(java.nio.file.Path.of(System.getProperty("java.io.tmpdir"),
                    "uring4j-socket-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong())));
        }
        return UringNet.wildcard();
    }

    /** Connects to {@code remote}; a failed connect closes the socket, as the JDK's channels do. */
    public void connect(SocketAddress remote) throws IOException {
        await(connectAsync(remote));
    }

    /**
     * The asynchronous form of {@link #connect} ({@code io_uring_prep_connect}).
     *
     * @throws AlreadyConnectedException                            if connected
     * @throws ConnectionPendingException                           if a connect is in progress
     * @throws java.nio.channels.UnsupportedAddressTypeException    for an address of another kind
     * @throws java.nio.channels.UnresolvedAddressException         for an unresolved host name
     */
    public CompletableFuture<Void> connectAsync(SocketAddress remote) {
        Objects.requireNonNull(remote, "remote");
        if (io.family() == StandardProtocolFamily.UNIX) {
            if (!(remote instanceof UnixDomainSocketAddress)) {
                throw new java.nio.channels.UnsupportedAddressTypeException();
            }
        } else {
            SockAddr.inet(remote);
        }
        if (closed) {
            return CompletableFuture.failedFuture(new ClosedChannelException());
        }
        if (!state.compareAndSet(UNCONNECTED, PENDING)) {
            if (state.get() == CONNECTED) {
                throw new AlreadyConnectedException();
            }
            throw new ConnectionPendingException();
        }
        return io.connect(remote).handle((v, t) -> {
            if (t != null) {
                state.set(UNCONNECTED);
                close();
                throw t instanceof CompletionException c ? c : new CompletionException(t);
            }
            bound = true;
            state.set(CONNECTED);
            return null;
        });
    }

    // ------------------------------------------------------------------ read

    /** Reads into {@code dst}'s remaining bytes; the count, or -1 at end of stream. */
    public int read(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        return readNow(MemorySegment.ofBuffer(dst), dst);
    }

    /** Reads into {@code dst[off..off+len)}; the count, or -1 at end of stream. */
    public int read(byte[] dst, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, dst.length);
        return readNow(MemorySegment.ofArray(dst).asSlice(off, len), null);
    }

    /** Reads into {@code dst}; the count, or -1 at end of stream. */
    public int read(MemorySegment dst) throws IOException {
        checkWritable(dst);
        return readNow(dst, null);
    }

    private int readNow(MemorySegment dst, ByteBuffer advance) throws IOException {
        if (!readable()) {
            return -1;
        }
        if (dst.byteSize() == 0) {
            return 0;
        }
        checkNotLoop();
        try {
            return io.readNow(dst, advance);
        } catch (InterruptedIOException | ClosedByInterruptException e) {
            throw interrupted(e);
        }
    }

    /**
     * Refuses a confined arena's memory for an asynchronous call, as AsyncFile and the JDK's
     * asynchronous channels do: its owner could close the arena while the kernel still uses it.
     * (A blocking call takes it: the owner is the thread that waits.) A chunk a {@link
     * ReceiveHandler} is being given may be written: it is sent or copied before the handler returns.
     */
    private static void shareable(MemorySegment s) {
        if (!Chunks.isCurrent(s)) {
            Scopes.shareable(s);
        }
    }

    /** The asynchronous form of {@link #read(ByteBuffer)}. */
    public CompletableFuture<Integer> readAsync(ByteBuffer dst) {
        return readAsync(dst, 0, TimeUnit.NANOSECONDS);
    }

    /**
     * Reads into {@code dst}, failing with {@link java.nio.channels.InterruptedByTimeoutException}
     * if nothing arrives within {@code timeout} (0: no limit; a linked timeout on io_uring).
     */
    public CompletableFuture<Integer> readAsync(ByteBuffer dst, long timeout, TimeUnit unit) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        return readAsync(MemorySegment.ofBuffer(dst), dst, unit.toNanos(Math.max(0, timeout)));
    }

    /** The asynchronous form of {@link #read(byte[], int, int)}. */
    public CompletableFuture<Integer> readAsync(byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        return readAsync(MemorySegment.ofArray(dst).asSlice(off, len), null, 0);
    }

    /** The asynchronous form of {@link #read(MemorySegment)}. */
    public CompletableFuture<Integer> readAsync(MemorySegment dst) {
        checkWritable(dst);
        return readAsync(dst, null, 0);
    }

    private CompletableFuture<Integer> readAsync(MemorySegment dst, ByteBuffer advance, long timeoutNanos) {
        shareable(dst);
        try {
            if (!readable()) {
                return CompletableFuture.completedFuture(-1);
            }
        } catch (ClosedChannelException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (dst.byteSize() == 0) {
            return CompletableFuture.completedFuture(0);
        }
        return io.read(dst, advance, timeoutNanos);
    }

    // ------------------------------------------------------------------ stream receive

    /**
     * Receives continuously: {@code handler} gets every chunk as it arrives, in order, then the
     * end of stream or the failure (see {@link ReceiveHandler}). On io_uring this is one multishot
     * RECV into the loop's provided-buffer ring (Linux 6.0; the handler runs on the loop thread and
     * the kernel picks a buffer only when data arrives, so a quiet connection holds none; where the
     * kernel has receive bundles, Linux 6.10, one completion may fill several buffers, unless the
     * system property {@code org.uring4j.net.recvBundle} is {@code false}), armed
     * again whenever the kernel ends it (an empty ring, an overflowing completion queue), with
     * repeated single-shot RECVs where the kernel has no multishot receive. On the portable backend
     * a virtual thread reads and calls the handler. While it runs, {@code read}s of this socket
     * throw ReadPendingException; {@link #close()} ends it ({@link ReceiveHandler#onError} gets
     * AsynchronousCloseException) and, as ever, closes the descriptor only after the receive's
     * last completion.
     *
     * <pre>{@code
     * socket.receive(chunk -> {                 // on the loop thread; chunk is valid during the call
     *     socket.writeAsync(chunk);             // a chunk handed to writeAsync is copied at once
     *     return true;                          // false: pause until receiving.resume()
     * });
     * }</pre>
     *
     * @return the running receive: pause, resume, and its end
     * @throws java.nio.channels.ReadPendingException if a read or another stream receive is in progress
     * @throws ClosedChannelException                 if closed
     * @throws NotYetConnectedException               if not connected
     */
    public Receiving receive(ReceiveHandler handler) throws ClosedChannelException {
        Objects.requireNonNull(handler, "handler");
        checkOpen();
        if (state.get() != CONNECTED) {
            throw new NotYetConnectedException();
        }
        if (!streaming.compareAndSet(false, true)) {
            throw new java.nio.channels.ReadPendingException();
        }
        if (inputShut) {
            // As a read after shutdownInput: end of stream at once.
            return ended(handler);
        }
        // The stream is over for this socket before the handler hears so: its onEnd/onError may read on, or receive again.
        ReceiveHandler h = new ReceiveHandler() {
            @Override
            public boolean onData(MemorySegment data) {
                return handler.onData(data);
            }

            @Override
            public void onEnd() {
                streaming.set(false);
                handler.onEnd();
            }

            @Override
            public void onError(Throwable error) {
                streaming.set(false);
                handler.onError(error);
            }
        };
        try {
            return io.receive(h, this::close);
        } catch (RuntimeException | Error e) {
            streaming.set(false); // refused (a read is waiting): the socket stays readable
            throw e;
        }
    }

    private Receiving ended(ReceiveHandler handler) {
        try {
            handler.onEnd();
        } finally {
            streaming.set(false);
        }
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        return new Receiving() {
            @Override
            public void pause() {
            }

            @Override
            public void resume() {
            }

            @Override
            public boolean isPaused() {
                return false;
            }

            @Override
            public CompletableFuture<Void> done() {
                return done;
            }
        };
    }

    /** Open and connected; false once input is shut down. */
    private boolean readable() throws ClosedChannelException {
        checkOpen();
        if (streaming.get()) {
            throw new java.nio.channels.ReadPendingException();
        }
        if (state.get() != CONNECTED) {
            throw new NotYetConnectedException();
        }
        return !inputShut;
    }

    private static void checkWritable(MemorySegment dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only segment");
        }
    }

    // ------------------------------------------------------------------ write

    /** Writes all of {@code src}'s remaining bytes; the count. */
    public int write(ByteBuffer src) throws IOException {
        return writeNow(MemorySegment.ofBuffer(src), src);
    }

    /** Writes all of {@code src[off..off+len)}. */
    public int write(byte[] src, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, src.length);
        return writeNow(MemorySegment.ofArray(src).asSlice(off, len), null);
    }

    /** Writes all of {@code src}. */
    public int write(MemorySegment src) throws IOException {
        return writeNow(src, null);
    }

    private int writeNow(MemorySegment src, ByteBuffer advance) throws IOException {
        checkWrite();
        if (src.byteSize() == 0) {
            return 0;
        }
        checkNotLoop();
        try {
            return io.writeNow(src, advance);
        } catch (InterruptedIOException | ClosedByInterruptException e) {
            throw interrupted(e);
        }
    }

    /** The asynchronous form of {@link #write(ByteBuffer)} ({@code io_uring_prep_send}). */
    public CompletableFuture<Integer> writeAsync(ByteBuffer src) {
        return writeAsync(src, 0, TimeUnit.NANOSECONDS);
    }

    /**
     * Writes {@code src} within {@code timeout} (0: no limit). When the time runs out the write
     * fails with {@link java.nio.channels.InterruptedByTimeoutException}, or, if part of it was
     * sent by then, completes with that count (the buffer's position says how far it got).
     */
    public CompletableFuture<Integer> writeAsync(ByteBuffer src, long timeout, TimeUnit unit) {
        return writeAsync(MemorySegment.ofBuffer(src), src, unit.toNanos(Math.max(0, timeout)));
    }

    /** The asynchronous form of {@link #write(byte[], int, int)}. */
    public CompletableFuture<Integer> writeAsync(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        return writeAsync(MemorySegment.ofArray(src).asSlice(off, len), null, 0);
    }

    /** The asynchronous form of {@link #write(MemorySegment)}. */
    public CompletableFuture<Integer> writeAsync(MemorySegment src) {
        return writeAsync(src, null, 0);
    }

    private CompletableFuture<Integer> writeAsync(MemorySegment src, ByteBuffer advance, long timeoutNanos) {
        shareable(src);
        try {
            checkWrite();
        } catch (ClosedChannelException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (src.byteSize() == 0) {
            return CompletableFuture.completedFuture(0);
        }
        return io.write(src, advance, timeoutNanos);
    }

    private void checkWrite() throws ClosedChannelException {
        checkOpen();
        if (state.get() != CONNECTED) {
            throw new NotYetConnectedException();
        }
        if (outputShut) {
            throw new ClosedChannelException();
        }
    }

    // ------------------------------------------------------------------ shutdown, options, addresses

    /** Shuts down reading (SHUT_RD): later reads return -1. Idempotent. */
    public UringSocket shutdownInput() throws IOException {
        checkOpen();
        if (state.get() != CONNECTED) {
            throw new NotYetConnectedException();
        }
        if (!inputShut) {
            inputShut = true;
            io.shutdown(Uapi.SHUT_RD);
        }
        return this;
    }

    /** Shuts down writing (SHUT_WR): the peer reads end of stream; later writes throw ClosedChannelException. Idempotent. */
    public UringSocket shutdownOutput() throws IOException {
        checkOpen();
        if (state.get() != CONNECTED) {
            throw new NotYetConnectedException();
        }
        if (!outputShut) {
            outputShut = true;
            io.shutdown(Uapi.SHUT_WR);
        }
        return this;
    }

    /**
     * Sets a {@link java.net.StandardSocketOptions} option (setsockopt(2)), or one of
     * {@link UringSocketOptions}.
     */
    public <T> UringSocket setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name, "name");
        checkOpen();
        if (name == UringSocketOptions.SEND_ZEROCOPY_THRESHOLD) {
            checkZeroCopy();
            if (!(value instanceof Integer bytes) || bytes < 0) {
                throw new IllegalArgumentException("Invalid SEND_ZEROCOPY_THRESHOLD: " + value + " (bytes, 0 for off)");
            }
            sendZeroCopyThreshold = bytes;
            io.sendZeroCopyThreshold(bytes);
            return this;
        }
        io.setOption(name, value);
        return this;
    }

    /** An option's value (getsockopt(2), or this socket's own for {@link UringSocketOptions}). */
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name, "name");
        checkOpen();
        if (name == UringSocketOptions.SEND_ZEROCOPY_THRESHOLD) {
            checkZeroCopy();
            return (T) Integer.valueOf(sendZeroCopyThreshold);
        }
        return io.getOption(name);
    }

    private void checkZeroCopy() {
        if (io.family() == StandardProtocolFamily.UNIX) {
            throw new UnsupportedOperationException("'" + UringSocketOptions.SEND_ZEROCOPY_THRESHOLD + "' not supported");
        }
    }

    /**
     * The options this kind of socket has: those of the JDK's socket channels, and for TCP
     * {@link UringSocketOptions#SEND_ZEROCOPY_THRESHOLD}.
     */
    public Set<SocketOption<?>> supportedOptions() {
        Set<SocketOption<?>> standard = io.supportedOptions();
        if (io.family() == StandardProtocolFamily.UNIX) {
            return standard;
        }
        java.util.HashSet<SocketOption<?>> all = new java.util.HashSet<>(standard);
        all.add(UringSocketOptions.SEND_ZEROCOPY_THRESHOLD);
        return java.util.Collections.unmodifiableSet(all);
    }

    /** The bound address, or null if not bound. */
    public SocketAddress localAddress() throws IOException {
        checkOpen();
        return bound ? io.localAddress() : null;
    }

    /** The peer's address, or null if not connected. */
    public SocketAddress remoteAddress() throws IOException {
        checkOpen();
        return state.get() == CONNECTED ? io.remoteAddress() : null;
    }

    // ------------------------------------------------------------------ streams

    /** A blocking InputStream over this socket; closing it closes the socket. */
    public InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = UringSocket.this.read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                return len == 0 ? 0 : UringSocket.this.read(b, off, len);
            }

            @Override
            public void close() {
                UringSocket.this.close();
            }
        };
    }

    /** A blocking OutputStream over this socket; closing it closes the socket. */
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                UringSocket.this.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                UringSocket.this.write(b, off, len);
            }

            @Override
            public void close() {
                UringSocket.this.close();
            }
        };
    }

    // ------------------------------------------------------------------ close

    /**
     * Closes the socket: operations in progress fail with AsynchronousCloseException, and the
     * descriptor is closed once the kernel has finished with them. Idempotent. On an event-loop
     * thread it starts the close without waiting for it.
     */
    @Override
    public void close() {
        closed = true;
        net.closed(this, io.close());
    }

    private void checkOpen() throws ClosedChannelException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    private void checkNotLoop() {
        if (net.onLoopThread()) {
            throw new IllegalStateException("a blocking socket call on an event-loop thread would wait for itself; "
                    + "use the ...Async form, or run it on another thread");
        }
    }

    /** The waiting thread was interrupted: the socket is closed, as an interruptible channel is. */
    private IOException interrupted(IOException e) {
        if (e instanceof java.net.SocketTimeoutException) {
            return e;
        }
        close();
        ClosedByInterruptException c = new ClosedByInterruptException();
        c.initCause(e);
        Thread.currentThread().interrupt();
        return c;
    }

    private void await(CompletableFuture<?> f) throws IOException {
        checkNotLoop();
        try {
            Await.get(f);
        } catch (InterruptedIOException e) {
            throw interrupted(e);
        }
    }

    @Override
    public String toString() {
        return "UringSocket[" + io + (closed ? ", closed" : "") + "]";
    }
}
