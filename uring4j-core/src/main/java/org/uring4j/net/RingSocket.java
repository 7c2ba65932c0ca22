package org.uring4j.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.InterruptedByTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.runtime.Await;

/**
 * A stream socket on an event loop: a plain descriptor whose connect, bind, receive, send and
 * shutdown are ring requests on its loop ({@link RingNet.Home}).
 */
final class RingSocket extends RingDescriptor implements SocketIo {

    RingSocket(RingNet net, RingNet.Home home, int fd, ProtocolFamily family) {
        super(net, home, fd, family, false);
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        bindTo(local);
    }

    @Override
    public CompletableFuture<Void> connect(SocketAddress remote) {
        byte[] sa;
        try {
            sa = sockaddr(remote);
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
    public SocketAddress remoteAddress() throws IOException {
        return withFd(() -> name(true));
    }
}
