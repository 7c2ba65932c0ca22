package org.uring4j.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AcceptPendingException;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ReadPendingException;
import java.nio.channels.WritePendingException;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.uring4j.fs.Backend;
import org.uring4j.net.UringNet;
import org.uring4j.runtime.LoopOptions;

/**
 * One suite, run against the JDK's AsynchronousSocketChannel / AsynchronousServerSocketChannel
 * and against the uring4j drop-ins (on whichever backend this run uses): the same calls must give
 * the same results and the same exceptions.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AsynchronousSocketChannelCompatTest {
    static final long WAIT = 20;

    /** The JDK's channels, and uring4j's with each choice of handler threads. */
    enum Impl {
        JDK, URING, URING_LOOP_HANDLERS;

        HandlerThreads handlerThreads() {
            return this == URING_LOOP_HANDLERS ? HandlerThreads.EVENT_LOOP : HandlerThreads.VIRTUAL;
        }
    }

    private UringNet net;

    @BeforeEach
    void open() throws Exception {
        net = UringNet.open(2, new LoopOptions());
    }

    @AfterEach
    void close() throws Exception {
        net.close();
    }

    private AsynchronousSocketChannel socket(Impl impl) throws IOException {
        return impl == Impl.JDK ? AsynchronousSocketChannel.open() : UringAsynchronousSocketChannel.open(net, impl.handlerThreads());
    }

    private AsynchronousServerSocketChannel server(Impl impl) throws IOException {
        return impl == Impl.JDK ? AsynchronousServerSocketChannel.open()
                : UringAsynchronousServerSocketChannel.open(net, impl.handlerThreads());
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.get(WAIT, TimeUnit.SECONDS);
    }

    /** The cause of a failed future, which must fail. */
    private static Throwable failure(Future<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT, TimeUnit.SECONDS));
        return e.getCause();
    }

    /** A connected pair: [client, accepted]. */
    private AsynchronousSocketChannel[] pair(Impl impl, AsynchronousServerSocketChannel server) throws Exception {
        AsynchronousSocketChannel client = socket(impl);
        Future<AsynchronousSocketChannel> accepted = server.accept();
        get(client.connect(server.getLocalAddress()));
        return new AsynchronousSocketChannel[] {client, get(accepted)};
    }

    private static byte[] pattern(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** After a read ended without its bytes being seen: reads are refused, the channel stays open, writes still go. */
    private static void assertReadingRefusedWritingAllowed(AsynchronousSocketChannel client, AsynchronousSocketChannel peer)
            throws Exception {
        // (not its subclass ReadPendingException: the read is over)
        assertEquals(IllegalStateException.class,
                assertThrows(IllegalStateException.class, () -> client.read(ByteBuffer.allocate(10))).getClass());
        assertTrue(client.isOpen());
        get(client.write(ByteBuffer.wrap(new byte[] {1}))); // writing is still allowed
        assertArrayEquals(new byte[] {1}, ChannelTestSupport.readFully(peer, 1));
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void echoThroughFutures(Impl impl) throws Exception {
        try (AsynchronousServerSocketChannel server = server(impl).bind(loopback())) {
            AsynchronousSocketChannel[] p = pair(impl, server);
            try (AsynchronousSocketChannel client = p[0]; AsynchronousSocketChannel peer = p[1]) {
                assertEquals(server.getLocalAddress(), client.getRemoteAddress());
                assertEquals(client.getLocalAddress(), peer.getRemoteAddress());
                byte[] data = pattern(200_000, 1);
                ByteBuffer src = ByteBuffer.wrap(data);
                Future<byte[]> got = CompletableFuture.supplyAsync(() -> {
                    try {
                        return ChannelTestSupport.readFully(peer, data.length);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                while (src.hasRemaining()) {
                    get(client.write(src));
                }
                assertArrayEquals(data, get(got));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void echoThroughHandlersThatMayBlock(Impl impl) throws Exception {
        try (AsynchronousServerSocketChannel server = server(impl).bind(loopback())) {
            CompletableFuture<String> done = new CompletableFuture<>();
            server.accept("att", new CompletionHandler<>() {
                @Override
                public void completed(AsynchronousSocketChannel ch, String att) {
                    ByteBuffer b = ByteBuffer.allocate(5);
                    ch.read(b, 5, TimeUnit.SECONDS, att, new CompletionHandler<Integer, String>() {
                        @Override
                        public void completed(Integer n, String a) {
                            try {
                                b.flip();
                                get(ch.write(b)); // blocking inside a handler is allowed
                                done.complete(a + n);
                            } catch (Exception e) {
                                done.completeExceptionally(e);
                            }
                        }

                        @Override
                        public void failed(Throwable exc, String a) {
                            done.completeExceptionally(exc);
                        }
                    });
                }

                @Override
                public void failed(Throwable exc, String att) {
                    done.completeExceptionally(exc);
                }
            });
            try (AsynchronousSocketChannel client = socket(impl)) {
                get(client.connect(server.getLocalAddress()));
                get(client.write(ByteBuffer.wrap("hello".getBytes())));
                if (impl == Impl.URING_LOOP_HANDLERS && net.backend() == Backend.IO_URING) {
                    // A handler on the loop must not block: the wait fails at once rather than hang the loop.
                    ExecutionException e = assertThrows(ExecutionException.class, () -> done.get(WAIT, TimeUnit.SECONDS));
                    assertInstanceOf(IllegalStateException.class, e.getCause());
                    return;
                }
                assertEquals("att5", done.get(WAIT, TimeUnit.SECONDS));
                assertArrayEquals("hello".getBytes(), ChannelTestSupport.readFully(client, 5));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void unconnectedAndArgumentChecks(Impl impl) throws Exception {
        try (AsynchronousSocketChannel ch = socket(impl)) {
            assertNull(ch.getRemoteAddress());
            assertNull(ch.getLocalAddress());
            assertThrows(NotYetConnectedException.class, () -> ch.read(ByteBuffer.allocate(1)));
            assertThrows(NotYetConnectedException.class, () -> ch.write(ByteBuffer.allocate(1)));
            assertThrows(NotYetConnectedException.class, ch::shutdownOutput);
            assertThrows(IllegalArgumentException.class, () -> ch.read(ByteBuffer.allocate(1).asReadOnlyBuffer()));
            assertThrows(NullPointerException.class, () -> ch.read(ByteBuffer.allocate(1), 1, TimeUnit.SECONDS, null, null));
            assertThrows(IndexOutOfBoundsException.class,
                    () -> ch.read(new ByteBuffer[1], 1, 1, 1, TimeUnit.SECONDS, null, new NoHandler<Long>()));
            ch.bind(loopback());
            assertNotEquals(0, ((InetSocketAddress) ch.getLocalAddress()).getPort());
            assertThrows(AlreadyBoundException.class, () -> ch.bind(loopback()));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void refusedConnect(Impl impl) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        AsynchronousSocketChannel ch = socket(impl);
        Throwable t = failure(ch.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
        assertInstanceOf(ConnectException.class, t);
        assertFalse(ch.isOpen(), "a failed connect closes the channel");
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void bindConflicts(Impl impl) throws Exception {
        try (AsynchronousServerSocketChannel a = server(impl).bind(loopback());
             AsynchronousServerSocketChannel b = server(impl)) {
            assertThrows(BindException.class, () -> b.bind(a.getLocalAddress()));
            assertThrows(AlreadyBoundException.class, () -> a.bind(loopback()));
            assertTrue(a.getOption(StandardSocketOptions.SO_REUSEADDR));
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void acceptChecks(Impl impl) throws Exception {
        try (AsynchronousServerSocketChannel s = server(impl)) {
            assertNull(s.getLocalAddress());
            assertThrows(NotYetBoundException.class, s::accept);
            s.bind(loopback());
            Future<AsynchronousSocketChannel> first = s.accept();
            assertThrows(AcceptPendingException.class, s::accept);
            s.close();
            assertInstanceOf(AsynchronousCloseException.class, failure(first));
            assertInstanceOf(ClosedChannelException.class, failure(s.accept()));
            assertThrows(ClosedChannelException.class, s::getLocalAddress);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void pendingReadAndWrite(Impl impl) throws Exception {
        try (AsynchronousServerSocketChannel server = server(impl).bind(loopback())) {
            AsynchronousSocketChannel[] p = pair(impl, server);
            try (AsynchronousSocketChannel client = p[0]; AsynchronousSocketChannel peer = p[1]) {
                Future<Integer> read = client.read(ByteBuffer.allocate(10));
                assertThrows(ReadPendingException.class, () -> client.read(ByteBuffer.allocate(10)));
                get(peer.write(ByteBuffer.wrap(new byte[] {7})));
                assertEquals(1, get(read));

                // A write larger than both socket buffers stays pending while nobody reads (the
                // JDK's may instead complete with part of it written).
                ByteBuffer big = ByteBuffer.allocateDirect(64 << 20);
                Future<Integer> write = client.write(big);
                Thread.sleep(50);
                if (!write.isDone()) {
                    assertThrows(WritePendingException.class, () -> client.write(ByteBuffer.allocate(1)));
                    client.close();
                    assertInstanceOf(AsynchronousCloseException.class, failure(write));
                } else {
                    assertTrue(get(write) > 0);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void timedOutReadThenReadingIsRefused(Impl impl) throws Exception {
        try (AsynchronousServerSocketChannel server = server(impl).bind(loopback())) {
            AsynchronousSocketChannel[] p = pair(impl, server);
            try (AsynchronousSocketChannel client = p[0]; AsynchronousSocketChannel peer = p[1]) {
                CompletableFuture<Throwable> outcome = new CompletableFuture<>();
                client.read(ByteBuffer.allocate(10), 50, TimeUnit.MILLISECONDS, null, new CompletionHandler<Integer, Void>() {
                    @Override
                    public void completed(Integer n, Void a) {
                        outcome.complete(null);
                    }

                    @Override
                    public void failed(Throwable exc, Void a) {
                        outcome.complete(exc);
                    }
                });
                assertInstanceOf(InterruptedByTimeoutException.class, outcome.get(WAIT, TimeUnit.SECONDS));
                assertReadingRefusedWritingAllowed(client, peer);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void closeFailsPendingReadAndLaterCalls(Impl impl) throws Exception {
        try (AsynchronousServerSocketChannel server = server(impl).bind(loopback())) {
            AsynchronousSocketChannel[] p = pair(impl, server);
            try (AsynchronousSocketChannel client = p[0]; AsynchronousSocketChannel peer = p[1]) {
                Future<Integer> read = client.read(ByteBuffer.allocate(10));
                Thread.sleep(20);
                client.close();
                assertInstanceOf(AsynchronousCloseException.class, failure(read));
                assertInstanceOf(ClosedChannelException.class, failure(client.read(ByteBuffer.allocate(1))));
                assertInstanceOf(ClosedChannelException.class, failure(client.write(ByteBuffer.allocate(1))));
                assertThrows(ClosedChannelException.class, client::getLocalAddress);
                assertThrows(ClosedChannelException.class, client::shutdownInput);
                assertThrows(ClosedChannelException.class, () -> client.getOption(StandardSocketOptions.TCP_NODELAY));
                assertEquals(-1, get(peer.read(ByteBuffer.allocate(1))));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void shutdowns(Impl impl) throws Exception {
        try (AsynchronousServerSocketChannel server = server(impl).bind(loopback())) {
            AsynchronousSocketChannel[] p = pair(impl, server);
            try (AsynchronousSocketChannel client = p[0]; AsynchronousSocketChannel peer = p[1]) {
                client.shutdownOutput();
                assertEquals(-1, get(peer.read(ByteBuffer.allocate(1))));
                assertInstanceOf(ClosedChannelException.class, failure(client.write(ByteBuffer.allocate(1))));
                get(peer.write(ByteBuffer.wrap(new byte[] {3})));
                assertArrayEquals(new byte[] {3}, ChannelTestSupport.readFully(client, 1));
                client.shutdownInput();
                assertEquals(-1, get(client.read(ByteBuffer.allocate(1))));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void alreadyConnected(Impl impl) throws Exception {
        try (AsynchronousServerSocketChannel server = server(impl).bind(loopback())) {
            AsynchronousSocketChannel[] p = pair(impl, server);
            try (AsynchronousSocketChannel client = p[0]; AsynchronousSocketChannel peer = p[1]) {
                assertThrows(AlreadyConnectedException.class, () -> client.connect(server.getLocalAddress()));
                assertThrows(AlreadyBoundException.class, () -> client.bind(loopback()));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void options(Impl impl) throws Exception {
        try (AsynchronousSocketChannel ch = socket(impl); AsynchronousServerSocketChannel s = server(impl)) {
            assertTrue(ch.supportedOptions().containsAll(java.util.Set.of(StandardSocketOptions.TCP_NODELAY,
                    StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_KEEPALIVE,
                    StandardSocketOptions.SO_REUSEADDR)));
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            assertTrue(ch.getOption(StandardSocketOptions.TCP_NODELAY));
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 32768);
            assertTrue(ch.getOption(StandardSocketOptions.SO_RCVBUF) >= 32768);
            assertThrows(IllegalArgumentException.class, () -> ch.setOption(StandardSocketOptions.SO_RCVBUF, -1));
            assertThrows(IllegalArgumentException.class, () -> ch.setOption(StandardSocketOptions.TCP_NODELAY, null));
            assertThrows(UnsupportedOperationException.class, () -> ch.getOption(StandardSocketOptions.IP_MULTICAST_TTL));
            assertThrows(NullPointerException.class, () -> ch.getOption(null));
            assertThrows(UnsupportedOperationException.class, () -> s.getOption(StandardSocketOptions.TCP_NODELAY));
            s.setOption(StandardSocketOptions.SO_RCVBUF, 65536);
            assertTrue(s.getOption(StandardSocketOptions.SO_RCVBUF) >= 65536);
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void scatterAndGather(Impl impl) throws Exception {
        try (AsynchronousServerSocketChannel server = server(impl).bind(loopback())) {
            AsynchronousSocketChannel[] p = pair(impl, server);
            try (AsynchronousSocketChannel client = p[0]; AsynchronousSocketChannel peer = p[1]) {
                ByteBuffer[] srcs = {ByteBuffer.wrap(new byte[] {1, 2}), ByteBuffer.allocate(0), ByteBuffer.wrap(new byte[] {3})};
                CompletableFuture<Long> wrote = new CompletableFuture<>();
                client.write(srcs, 0, 3, 5, TimeUnit.SECONDS, null, handler(wrote));
                assertEquals(3L, wrote.get(WAIT, TimeUnit.SECONDS));
                ByteBuffer[] dsts = {ByteBuffer.allocate(0), ByteBuffer.allocate(3)};
                long got = 0;
                while (got < 3) {
                    CompletableFuture<Long> read = new CompletableFuture<>();
                    peer.read(dsts, 0, 2, 5, TimeUnit.SECONDS, null, handler(read));
                    got += read.get(WAIT, TimeUnit.SECONDS);
                }
                assertArrayEquals(new byte[] {1, 2, 3}, dsts[1].array());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void cancelledReadThenReadingIsRefused(Impl impl) throws Exception {
        try (AsynchronousServerSocketChannel server = server(impl).bind(loopback())) {
            AsynchronousSocketChannel[] p = pair(impl, server);
            try (AsynchronousSocketChannel client = p[0]; AsynchronousSocketChannel peer = p[1]) {
                Future<Integer> read = client.read(ByteBuffer.allocate(10));
                assertTrue(read.cancel(false));
                assertTrue(read.isCancelled());
                assertThrows(CancellationException.class, () -> read.get(WAIT, TimeUnit.SECONDS));
                // The read may have taken bytes nobody will see: reading is refused from now on.
                assertReadingRefusedWritingAllowed(client, peer);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void cancelledWriteThenWritingIsRefused(Impl impl) throws Exception {
        try (AsynchronousServerSocketChannel server = server(impl).bind(loopback())) {
            AsynchronousSocketChannel[] p = pair(impl, server);
            try (AsynchronousSocketChannel client = p[0]; AsynchronousSocketChannel peer = p[1]) {
                Future<Integer> write = client.write(ByteBuffer.allocateDirect(64 << 20)); // more than both socket buffers
                if (write.cancel(false)) { // the JDK's may have completed with part of it already
                    assertEquals(IllegalStateException.class, // not WritePendingException
                            assertThrows(IllegalStateException.class, () -> client.write(ByteBuffer.allocate(1))).getClass());
                    assertTrue(client.isOpen());
                    get(peer.write(ByteBuffer.wrap(new byte[] {2}))); // reading is still allowed
                    assertArrayEquals(new byte[] {2}, ChannelTestSupport.readFully(client, 1));
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void cancelledAcceptThenAcceptingIsRefusedAndNoConnectionIsLeftOpen(Impl impl) throws Exception {
        AsynchronousServerSocketChannel server = server(impl).bind(loopback());
        Future<AsynchronousSocketChannel> accept = server.accept();
        assertTrue(accept.cancel(false));
        assertEquals(RuntimeException.class, assertThrows(RuntimeException.class, server::accept).getClass());
        try (AsynchronousSocketChannel client = socket(impl)) {
            get(client.connect(server.getLocalAddress()));
            server.close();
            // Whoever took the connection closed it: the client sees the end of the stream (or a
            // reset, had it still been in the backlog), never a read that waits for ever.
            try {
                assertEquals(-1, get(client.read(ByteBuffer.allocate(1))));
            } catch (ExecutionException e) {
                assertInstanceOf(IOException.class, e.getCause());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void transferWithFreedMemoryFailsAndTheNextOneGoesAhead(Impl impl) throws Exception {
        try (AsynchronousServerSocketChannel server = server(impl).bind(loopback())) {
            AsynchronousSocketChannel[] p = pair(impl, server);
            try (AsynchronousSocketChannel client = p[0]; AsynchronousSocketChannel peer = p[1]) {
                Arena arena = Arena.ofShared();
                ByteBuffer freed = arena.allocate(10).asByteBuffer();
                arena.close();
                assertInstanceOf(IOException.class, failure(client.read(freed)));
                assertInstanceOf(IOException.class, failure(client.write(freed)));
                get(peer.write(ByteBuffer.wrap(new byte[] {4})));
                assertArrayEquals(new byte[] {4}, ChannelTestSupport.readFully(client, 1)); // not ReadPendingException
                get(client.write(ByteBuffer.wrap(new byte[] {5})));
                assertArrayEquals(new byte[] {5}, ChannelTestSupport.readFully(peer, 1));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Impl.class)
    void timedGatheringWriteCutShortLeavesNoGap(Impl impl) throws Exception {
        try (AsynchronousServerSocketChannel server = server(impl).bind(loopback())) {
            AsynchronousSocketChannel[] p = pair(impl, server);
            try (AsynchronousSocketChannel client = p[0]; AsynchronousSocketChannel peer = p[1]) {
                byte[] a = pattern(32 << 20, 7); // more than both socket buffers: the peer does not read yet
                ByteBuffer first = ByteBuffer.wrap(a);
                ByteBuffer second = ByteBuffer.wrap(pattern(1000, 8));
                CompletableFuture<Long> wrote = new CompletableFuture<>();
                client.write(new ByteBuffer[] {first, second}, 0, 2, 200, TimeUnit.MILLISECONDS, null, handler(wrote));
                long n;
                try {
                    n = wrote.get(WAIT, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    // The portable backend's timed write cannot report a part: it times out whole.
                    assertTrue(impl != Impl.JDK && net.backend() == Backend.PORTABLE, e.toString());
                    assertInstanceOf(InterruptedByTimeoutException.class, e.getCause());
                    return;
                }
                // A partial gathering write: the count is what left the first buffer, and the
                // second did not follow the first's unsent tail.
                assertEquals(first.position(), n);
                assertTrue(first.hasRemaining());
                assertEquals(0, second.position());
                client.shutdownOutput();
                ByteBuffer got = ByteBuffer.allocate(a.length + 1000);
                int r;
                while ((r = get(peer.read(got))) >= 0) {
                    assertTrue(r > 0 || got.hasRemaining());
                }
                assertEquals(n, got.position());
                assertArrayEquals(java.util.Arrays.copyOf(a, (int) n), java.util.Arrays.copyOf(got.array(), (int) n));
            }
        }
    }

    private static <V> CompletionHandler<V, Object> handler(CompletableFuture<V> into) {
        return new CompletionHandler<>() {
            @Override
            public void completed(V v, Object a) {
                into.complete(v);
            }

            @Override
            public void failed(Throwable exc, Object a) {
                into.completeExceptionally(exc);
            }
        };
    }

    private static final class NoHandler<V> implements CompletionHandler<V, Object> {
        @Override
        public void completed(V result, Object attachment) {
        }

        @Override
        public void failed(Throwable exc, Object attachment) {
        }
    }
}
