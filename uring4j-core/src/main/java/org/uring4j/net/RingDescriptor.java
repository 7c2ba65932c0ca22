package org.uring4j.net;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.uring4j.Errno;
import org.uring4j.runtime.Await;
import org.uring4j.runtime.RuntimeClosedException;

/**
 * What a connected and a listening socket on a loop share: the descriptor, its {@link OpGate},
 * submission of its ops, bind, options, addresses, and a close that cancels what is in the kernel
 * (ASYNC_CANCEL by fd) and closes the descriptor once the last completion is in.
 */
abstract class RingDescriptor {
    final RingNet net;
    final RingNet.Home home;
    final int fd;
    final ProtocolFamily family;
    final OpGate gate;
    private final boolean server;

    RingDescriptor(RingNet net, RingNet.Home home, int fd, ProtocolFamily family, boolean server) {
        this.net = net;
        this.home = home;
        this.fd = fd;
        this.family = family;
        this.server = server;
        this.gate = new OpGate(this::closeFd);
    }

    public ProtocolFamily family() {
        return family;
    }

    /** Submits an op on this descriptor; it holds the gate until released. */
    final <T> CompletableFuture<T> submit(RingOps.SocketOp<T> op) {
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

    /** The sockaddr of {@code address} for this socket's family. */
    final byte[] sockaddr(SocketAddress address) throws IOException {
        byte[] buf = new byte[SockAddr.STORAGE];
        int len = SockAddr.encode(address, family, MemorySegment.ofArray(buf));
        return java.util.Arrays.copyOf(buf, len);
    }

    /** BIND through the ring where the kernel has it (6.11), else bind(2). */
    final void bindTo(SocketAddress local) throws IOException {
        byte[] sa = sockaddr(local);
        if (net.ringBind) {
            Await.get(submit(new RingOps.AddressOp("BIND", fd, gate, sa, local)));
            return;
        }
        int r = SocketCalls.bind(fd, MemorySegment.ofArray(sa));
        if (r < 0) {
            throw NetErrors.of("bind", r, fd, local);
        }
    }

    public <T> void setOption(SocketOption<T> name, T value) throws IOException {
        FdOptions.checkSet(supportedOptions(), name, value);
        withFd(() -> {
            FdOptions.set(fd, name, value);
            return null;
        });
    }

    public <T> T getOption(SocketOption<T> name) throws IOException {
        FdOptions.checkGet(supportedOptions(), name);
        return withFd(() -> FdOptions.get(fd, name));
    }

    public Set<SocketOption<?>> supportedOptions() {
        return FdOptions.supported(family, server);
    }

    public SocketAddress localAddress() throws IOException {
        return withFd(() -> name(false));
    }

    /** getsockname/getpeername; null for a peer when not connected. */
    final SocketAddress name(boolean peer) throws IOException {
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
    interface FdCall<T> {
        T call() throws IOException;
    }

    /** Runs a system call on the descriptor, which stays open (its number not reused) meanwhile. */
    final <T> T withFd(FdCall<T> call) throws IOException {
        if (!gate.enter()) {
            throw NetErrors.closed();
        }
        try {
            return call.call();
        } finally {
            gate.exit();
        }
    }

    public CompletableFuture<Void> close() {
        CompletableFuture<Void> closed = gate.close();
        if (!closed.isDone() && gate.inFlight() > 0) {
            RingNet.submit(home.loop(), new RingOps.CancelFd(fd));
        }
        return closed;
    }

    /** Runs before the descriptor is closed, once nothing is in flight. */
    void beforeClose() {
    }

    /** Runs once nothing is in flight: CLOSE on the loop, or close(2) if the loop is gone. */
    private void closeFd(CompletableFuture<Void> closed) {
        beforeClose();
        try {
            home.loop().submit(new RingOps.Close(fd)).whenComplete((v, t) -> {
                if (t instanceof RuntimeClosedException) {
                    // Queued, but the loop shut down before running it: the CLOSE never happened.
                    SocketCalls.close(fd);
                }
                closed.complete(null);
            });
        } catch (RuntimeException e) {
            SocketCalls.close(fd);
            closed.complete(null);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[fd " + fd + ", " + home.loop().name() + "]";
    }
}
