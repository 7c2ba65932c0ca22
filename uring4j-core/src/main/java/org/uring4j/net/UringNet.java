package org.uring4j.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.uring4j.UringException;
import org.uring4j.UringUnavailableException;
import org.uring4j.fs.Backend;
import org.uring4j.runtime.Await;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.runtime.UringRuntime;

/**
 * Sockets: TCP over IPv4 and IPv6, and Unix domain stream sockets, as {@link UringSocket}s and
 * {@link UringServerSocket}s.
 *
 * <pre>{@code
 * try (UringNet net = UringNet.open();
 *      UringServerSocket server = net.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
 *      UringSocket client = net.connect(server.localAddress());
 *      UringSocket peer = server.accept()) {
 *     client.write("ping".getBytes(), 0, 4);
 * }
 * }</pre>
 *
 * <p>On io_uring, sockets are spread over the runtime's event loops; connect, accept (multishot),
 * receive, send, shutdown, and where the kernel has them socket creation, bind and listen are
 * ring requests. Each loop keeps one ring of provided buffers that heap reads receive into, so a
 * connection waiting for data holds no buffer. Where io_uring is unavailable (or
 * {@link Backend#PROPERTY} says {@code portable}) the same API runs on blocking java.nio socket
 * channels and virtual threads; {@link #backend()} says which.
 *
 * <p>Closing this closes every socket it opened that is still open.
 */
public final class UringNet implements AutoCloseable {
    private static final int DEFAULT_BACKLOG = 50;
    private final NetBackend backend;
    private final UringUnavailableException unavailability;
    private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private UringNet(NetBackend backend, UringUnavailableException unavailability) {
        this.backend = backend;
        this.unavailability = unavailability;
    }

    /** Sockets over a runtime of their own (one loop per processor), or the portable backend where io_uring is unavailable. */
    public static UringNet open() throws IOException {
        return open(Runtime.getRuntime().availableProcessors(), new LoopOptions());
    }

    /**
     * Sockets over a runtime of {@code loops} loops with {@code options}, or on the portable
     * backend where io_uring is unavailable (see {@link Backend#PROPERTY}); closing this closes it.
     *
     * @throws UringException if io_uring was asked for with {@link Backend#PROPERTY} and cannot be set up
     */
    public static UringNet open(int loops, LoopOptions options) throws IOException {
        Backend wanted = Backend.forced().orElse(null);
        if (wanted == Backend.PORTABLE) {
            return portable();
        }
        UringRuntime runtime;
        try {
            runtime = UringRuntime.open(loops, options);
        } catch (UringUnavailableException e) {
            if (wanted == Backend.IO_URING) {
                throw e;
            }
            return new UringNet(new PortableNet(), e);
        }
        try {
            return new UringNet(new RingNet(runtime, true), null);
        } catch (IOException | RuntimeException e) {
            try {
                runtime.close();
            } catch (UringException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Sockets on the portable backend, whatever the kernel offers. */
    public static UringNet portable() {
        return new UringNet(new PortableNet(), null);
    }

    /** Sockets over an existing runtime, which the caller keeps and closes (after this). */
    public static UringNet over(UringRuntime runtime) throws IOException {
        return new UringNet(new RingNet(Objects.requireNonNull(runtime, "runtime"), false), null);
    }

    /** Over {@code runtime} with {@code providedBuffers} per loop: for tests that run the buffer ring dry. */
    static UringNet over(UringRuntime runtime, int providedBuffers) throws IOException {
        return new UringNet(new RingNet(runtime, false, providedBuffers), null);
    }

    /** For tests: stream receives use repeated single-shot RECVs, as on kernels without multishot receive. */
    void disableMultishotRecv() {
        if (backend instanceof RingNet r) {
            r.multishotRecv = false;
        }
    }

    /** For tests: stream receives never ask for bundles, as on kernels without IORING_FEAT_RECVSEND_BUNDLE. */
    void disableRecvBundle() {
        if (backend instanceof RingNet r) {
            r.recvBundle = false;
        }
    }

    /** For tests: reads stay a RECV each instead of starting a stream receive ({@link ReadAhead}). */
    void disableReadAhead() {
        if (backend instanceof RingNet r) {
            r.readAhead = false;
        }
    }

    /** For tests: whether stream receives ask for bundles. */
    boolean recvBundle() {
        return backend instanceof RingNet r && r.recvBundle;
    }

    /** For tests: whether the kernel has SEND_ZC (io_uring backend). */
    boolean sendZeroCopy() {
        return backend instanceof RingNet r && r.sendZeroCopy;
    }

    /** For tests: zero-copy sends whose notification has arrived (0 on the portable backend). */
    long zeroCopyNotifications() {
        return backend instanceof RingNet r ? r.zeroCopyNotifications.sum() : 0;
    }

    /** The backend these sockets run on. */
    public Backend backend() {
        return backend.backend();
    }

    /** Why {@link #open()} fell back to the portable backend, or null if it did not. */
    public UringUnavailableException unavailability() {
        return unavailability;
    }

    /**
     * The runtime underneath.
     *
     * @throws UnsupportedOperationException on the portable backend
     */
    public UringRuntime runtime() {
        if (backend instanceof RingNet r) {
            return r.runtime();
        }
        throw new UnsupportedOperationException("runtime() needs io_uring; these sockets run on the " + backend() + " backend");
    }

    // ------------------------------------------------------------------ sockets

    /** An unconnected socket of the default family: IPv6 (taking IPv4 too) where the host has IPv6, else IPv4. */
    public UringSocket openSocket() throws IOException {
        return openSocket(DefaultFamily.VALUE);
    }

    /** An unconnected socket of {@code family} (INET, INET6 or UNIX); set options, bind, then connect it. */
    public UringSocket openSocket(ProtocolFamily family) throws IOException {
        return awaitSocket(openSocketAsync(family));
    }

    /** The asynchronous form of {@link #openSocket(ProtocolFamily)} ({@code io_uring_prep_socket}). */
    public CompletableFuture<UringSocket> openSocketAsync(ProtocolFamily family) {
        checkFamily(family);
        checkOpen();
        return backend.openSocket(family).thenApply(io -> track(new UringSocket(this, io, false)));
    }

    /** A socket connected to {@code remote}, of the family its address needs. */
    public UringSocket connect(SocketAddress remote) throws IOException {
        return Await.get(connectAsync(remote));
    }

    /** The asynchronous form of {@link #connect(SocketAddress)}. */
    public CompletableFuture<UringSocket> connectAsync(SocketAddress remote) {
        ProtocolFamily family = SockAddr.familyFor(remote);
        return openSocketAsync(family).thenCompose(s -> s.connectAsync(remote).thenApply(v -> s)); // a failed connect closes s
    }

    /** An unbound server socket of the default family; set options, then bind it. */
    public UringServerSocket openServer() throws IOException {
        return openServer(DefaultFamily.VALUE);
    }

    /** An unbound server socket of {@code family}. */
    public UringServerSocket openServer(ProtocolFamily family) throws IOException {
        checkFamily(family);
        checkOpen();
        return awaitSocket(backend.openServer(family).thenApply(io -> track(new UringServerSocket(this, io))));
    }

    /** The socket {@code f} makes; if the caller is interrupted meanwhile, closed once it is made rather than leaked. */
    private static <T extends AutoCloseable> T awaitSocket(CompletableFuture<T> f) throws IOException {
        try {
            return Await.get(f);
        } catch (java.io.InterruptedIOException e) {
            f.thenAccept(s -> {
                try {
                    s.close();
                } catch (Exception ignored) {
                    // never handed out
                }
            });
            throw e;
        }
    }

    /** A server socket listening on {@code local} (port 0 picks a free port) with the default backlog. */
    public UringServerSocket listen(SocketAddress local) throws IOException {
        return listen(local, DEFAULT_BACKLOG);
    }

    /** A server socket listening on {@code local} with {@code backlog}, of the family the address needs. */
    public UringServerSocket listen(SocketAddress local, int backlog) throws IOException {
        UringServerSocket server = openServer(local == null ? DefaultFamily.VALUE : SockAddr.familyFor(local));
        try {
            return server.bind(local, backlog);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static void checkFamily(ProtocolFamily family) {
        Objects.requireNonNull(family, "family");
        if (family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6
                && family != StandardProtocolFamily.UNIX) {
            throw new UnsupportedOperationException("Protocol family not supported: " + family);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this UringNet is closed");
        }
    }

    /** Adds a socket to those {@link #close()} closes; closes it and throws IllegalStateException if this net is closed. */
    <T extends AutoCloseable> T track(T socket) {
        open.add(socket);
        if (closed) { // lost a race with close(): close it as close() would have
            open.remove(socket);
            try {
                socket.close();
            } catch (Exception ignored) {
                // it was never handed out
            }
            throw new IllegalStateException("this UringNet is closed");
        }
        return socket;
    }

    /**
     * The end of a socket's close: it leaves this net's set, and the caller waits for the
     * descriptor to be closed, except on a loop thread, which would wait for itself.
     */
    void closed(AutoCloseable socket, CompletableFuture<Void> done) {
        open.remove(socket);
        if (!onLoopThread()) {
            try {
                done.join();
            } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException ignored) {
                // closing reports nothing; the descriptor is released either way
            }
        }
    }

    /** True on one of this backend's event-loop threads, where a blocking call would wait for itself. */
    boolean onLoopThread() {
        return backend instanceof RingNet r && r.onLoopThread();
    }

    /** Closes every socket still open, then the backend (and its runtime, if it made it). Idempotent. */
    @Override
    public void close() throws IOException {
        closed = true;
        List<AutoCloseable> all = new ArrayList<>(open);
        for (AutoCloseable s : all) {
            try {
                s.close();
            } catch (Exception ignored) {
                // a socket's close reports nothing worth stopping for
            }
        }
        backend.close();
    }

    /** IPv6 where the host has it (as the JDK's default), else IPv4. */
    private static final class DefaultFamily {
        static final ProtocolFamily VALUE = probe();

        private static ProtocolFamily probe() {
            try (ServerSocketChannel c = ServerSocketChannel.open(StandardProtocolFamily.INET6)) {
                return StandardProtocolFamily.INET6;
            } catch (IOException | UnsupportedOperationException e) {
                return StandardProtocolFamily.INET;
            }
        }
    }

    /** The wildcard address with port 0, for a null bind. */
    static SocketAddress wildcard() {
        return new InetSocketAddress(0);
    }
}
