package org.uring4j.net;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.InterruptedByTimeoutException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.runtime.Await;
import org.uring4j.runtime.Operation;

/**
 * A stream socket on an event loop: a plain descriptor whose connect, bind, receive, send and
 * shutdown are ring requests on its loop ({@link RingNet.Home}).
 */
final class RingSocket implements SocketIo {
    private final RingNet net;
    private final RingNet.Home home;
    private final int fd;
    private final ProtocolFamily family;
    private final OpGate gate;

    RingSocket(RingNet net, RingNet.Home home, int fd, ProtocolFamily family) {
        this.net = net;
        this.home = home;
        this.fd = fd;
        this.family = family;
        this.gate = new OpGate(this::closeFd);
    }

    @Override
    public ProtocolFamily family() {
        return family;
    }

    int fd() {
        return fd;
    }

    private <T> CompletableFuture<T> submit(RingOps.SocketOp<T> op) {
        if (!gate.enter()) {
            return CompletableFuture.failedFuture(NetErrors.closed());
        }
        CompletableFuture<T> f;
        try {
            f = home.loop().submit(op);
        } catch (RuntimeException e) {
            gate.exit();
            IOException closed = NetErrors.closed();
            closed.initCause(e);
            return CompletableFuture.failedFuture(closed);
        }
        if (gate.isClosing()) {
            // close() began while this op was on its way: its cancel may have gone ahead of it.
            RingNet.submit(home.loop(), new RingOps.CancelFd(fd));
        }
        return f;
    }

    private static byte[] sockaddr(SocketAddress address, ProtocolFamily family) throws IOException {
        byte[] buf = new byte[SockAddr.STORAGE];
        int len = SockAddr.encode(address, family, MemorySegment.ofArray(buf));
        return java.util.Arrays.copyOf(buf, len);
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        byte[] sa = sockaddr(local, family);
        if (net.ringBind) {
            Await.get(submit(new RingOps.AddressOp("BIND", fd, gate, sa, local)));
            return;
        }
        int r = SocketCalls.bind(fd, MemorySegment.ofArray(sa));
        if (r < 0) {
            throw NetErrors.of("bind", r, fd, local);
        }
    }

    @Override
    public CompletableFuture<Void> connect(SocketAddress remote) {
        byte[] sa;
        try {
            sa = sockaddr(remote, family);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return submit(new RingOps.AddressOp("CONNECT", fd, gate, sa, remote));
    }

    // ------------------------------------------------------------------ receive

    private CompletableFuture<Integer> recv(MemorySegment dst, ByteBuffer advance, boolean provided, long timeoutNanos) {
        RingOps.Recv op = new RingOps.Recv(fd, gate, dst, advance, provided ? home.buffers() : null);
        if (timeoutNanos > 0) {
            op.timeout(timeoutNanos);
        }
        return submit(op);
    }

    @Override
    public CompletableFuture<Integer> read(MemorySegment dst, ByteBuffer advance, long timeoutNanos) {
        CompletableFuture<Integer> f = recv(dst, advance, true, timeoutNanos);
        if (dst.isNative() && timeoutNanos == 0) {
            return f; // received in place: neither an empty buffer ring nor a timeout to translate
        }
        return f.exceptionallyCompose(t -> {
            Throwable c = t instanceof CompletionException ? t.getCause() : t;
            if (c == RingOps.NO_BUFFERS) {
                return recv(dst, advance, false, timeoutNanos);
            }
            return CompletableFuture.failedFuture(timeout(c));
        });
    }

    /** A link timeout's ETIME as the JDK's InterruptedByTimeoutException. */
    private static Throwable timeout(Throwable t) {
        if (t instanceof UringException u && u.errno() == Errno.ETIME.number()) {
            InterruptedByTimeoutException e = new InterruptedByTimeoutException();
            e.initCause(u);
            return e;
        }
        return t;
    }

    @Override
    public int readNow(MemorySegment dst, ByteBuffer advance) throws IOException {
        MemorySegment target = callersView(dst);
        try {
            return Await.get(recv(target, advance, true, 0));
        } catch (IOException e) {
            if (e != RingOps.NO_BUFFERS) {
                throw e;
            }
            return Await.get(recv(target, advance, false, 0));
        }
    }

    /**
     * Native memory as a segment the loop thread may use: the caller waits for the op, so memory
     * of a confined arena (which only the caller may touch) stays alive and is handed over by address.
     */
    private static MemorySegment callersView(MemorySegment seg) {
        if (!seg.isNative()) {
            return seg;
        }
        if (!seg.scope().isAlive()) {
            throw new IllegalStateException("Already closed");
        }
        return MemorySegment.ofAddress(seg.address()).reinterpret(seg.byteSize());
    }

    // ------------------------------------------------------------------ send

    @Override
    public CompletableFuture<Integer> write(MemorySegment src, ByteBuffer advance, long timeoutNanos) {
        return send(src, advance, timeoutNanos, 0);
    }

    private CompletableFuture<Integer> send(MemorySegment src, ByteBuffer advance, long timeoutNanos, int done) {
        RingOps.Send op = new RingOps.Send(fd, gate, src, advance);
        if (timeoutNanos > 0) {
            op.timeout(timeoutNanos);
        }
        CompletableFuture<Integer> f = submit(op);
        if (src.isNative() || src.byteSize() <= RingOps.MAX_HEAP_SEND) {
            if (timeoutNanos == 0) {
                return done == 0 ? f : f.thenApply(n -> done + n);
            }
            return f.handle((n, t) -> {
                if (t != null) {
                    throw new CompletionException(timeout(t instanceof CompletionException ? t.getCause() : t));
                }
                return done + n;
            });
        }
        // Heap data beyond one op's copy: send the rest once this part is out.
        return f.thenCompose(n -> send(src.asSlice(n), advance, timeoutNanos, done + n));
    }

    @Override
    public int writeNow(MemorySegment src, ByteBuffer advance) throws IOException {
        MemorySegment from = callersView(src);
        long total = 0;
        do {
            total += Await.get(submit(new RingOps.Send(fd, gate, from.asSlice(total), advance)));
        } while (total < from.byteSize());
        return (int) total;
    }

    // ------------------------------------------------------------------ control

    @Override
    public void shutdown(int how) throws IOException {
        Await.get(submit(new RingOps.ControlOp("SHUTDOWN", fd, gate, how)));
    }

    @Override
    public <T> void setOption(SocketOption<T> name, T value) throws IOException {
        FdOptions.checkSet(supportedOptions(), name, value);
        withFd(() -> FdOptions.set(fd, name, value));
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        FdOptions.checkGet(supportedOptions(), name);
        @SuppressWarnings("unchecked")
        T[] out = (T[]) new Object[1];
        withFd(() -> out[0] = FdOptions.get(fd, name));
        return out[0];
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return FdOptions.supported(family, false);
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        return address(false);
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        return address(true);
    }

    private SocketAddress address(boolean peer) throws IOException {
        SocketAddress[] out = new SocketAddress[1];
        withFd(() -> out[0] = name(fd, peer));
        return out[0];
    }

    /** getsockname/getpeername of {@code fd}; null for a peer when not connected, or an unbound TCP socket. */
    static SocketAddress name(int fd, boolean peer) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(SockAddr.STORAGE);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, SockAddr.STORAGE);
            int r = peer ? SocketCalls.getpeername(fd, addr, len) : SocketCalls.getsockname(fd, addr, len);
            if (r == -Errno.ENOTCONN.number()) {
                return null;
            }
            if (r < 0) {
                throw NetErrors.of(peer ? "getpeername" : "getsockname", r, fd, null);
            }
            return SockAddr.decode(addr, len.get(JAVA_INT, 0));
        }
    }

    @FunctionalInterface
    private interface FdAction {
        void run() throws IOException;
    }

    /** Runs a system call on the descriptor, which stays open (its number not reused) meanwhile. */
    private void withFd(FdAction action) throws IOException {
        if (!gate.enter()) {
            throw NetErrors.closed();
        }
        try {
            action.run();
        } finally {
            gate.exit();
        }
    }

    @Override
    public CompletableFuture<Void> close() {
        CompletableFuture<Void> closed = gate.close();
        if (!closed.isDone() && gate.inFlight() > 0) {
            RingNet.submit(home.loop(), new RingOps.CancelFd(fd));
        }
        return closed;
    }

    /** Runs once nothing is in flight: CLOSE on the loop, or close(2) here if the loop is gone. */
    private void closeFd(CompletableFuture<Void> closed) {
        Operation<Void> op = new RingOps.Close(fd);
        try {
            home.loop().submit(op).whenComplete((v, t) -> closed.complete(null));
        } catch (RuntimeException e) {
            SocketCalls.close(fd);
            closed.complete(null);
        }
    }

    @Override
    public String toString() {
        return "RingSocket[fd " + fd + ", " + home.loop().name() + "]";
    }
}
