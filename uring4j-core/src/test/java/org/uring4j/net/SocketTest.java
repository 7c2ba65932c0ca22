package org.uring4j.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The socket API on both backends: each kind of socket, each shape of call, and the JDK's exceptions. */
class SocketTest extends NetTestBase {

    @Test
    void tcp4EchoWithEveryBufferKind() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            assertTrue(client.isConnected());
            assertEquals(server.localAddress(), client.remoteAddress());
            assertEquals(client.localAddress(), peer.remoteAddress());

            byte[] data = pattern(100_000, 1);
            client.write(data, 0, data.length); // beyond a loopback socket buffer's first gulp
            byte[] got = readN(peer, data.length);
            assertArrayEquals(data, got);

            ByteBuffer heap = ByteBuffer.wrap(pattern(5000, 2));
            assertEquals(5000, peer.write(heap));
            assertEquals(5000, heap.position());
            ByteBuffer direct = ByteBuffer.allocateDirect(5000);
            while (direct.hasRemaining()) {
                assertTrue(client.read(direct) > 0);
            }
            direct.flip();
            assertEquals(ByteBuffer.wrap(pattern(5000, 2)), direct);

            try (Arena arena = Arena.ofConfined()) {
                MemorySegment out = arena.allocate(3000);
                out.copyFrom(MemorySegment.ofArray(pattern(3000, 3)));
                assertEquals(3000, client.write(out));
                MemorySegment in = arena.allocate(3000);
                long done = 0;
                while (done < 3000) {
                    done += peer.read(in.asSlice(done));
                }
                assertArrayEquals(pattern(3000, 3), in.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void tcp6Echo() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        assumeTrue(v6 instanceof Inet6Address, "IPv6 loopback");
        UringServerSocket server;
        try {
            server = net.listen(new InetSocketAddress(v6, 0));
        } catch (java.net.SocketException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e);
            return;
        }
        try (server; UringSocket client = net.connect(server.localAddress()); UringSocket peer = server.accept()) {
            assertEquals(StandardProtocolFamily.INET6, client.family());
            assertInstanceOf(Inet6Address.class, ((InetSocketAddress) peer.remoteAddress()).getAddress());
            Thread.ofVirtual().start(() -> echo(peer));
            assertEcho(client, pattern(20_000, 4));
        }
    }

    @Test
    void dualStackServerTakesIpv4Clients() throws Exception {
        try (UringServerSocket server = net.openServer().bind(new InetSocketAddress(0))) {
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            try (UringSocket client = net.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                 UringSocket peer = server.accept()) {
                assertEquals(InetAddress.getLoopbackAddress(), ((InetSocketAddress) peer.remoteAddress()).getAddress());
                Thread.ofVirtual().start(() -> echo(peer));
                assertEcho(client, pattern(1000, 5));
            }
        }
    }

    @Test
    void unixEcho(@TempDir Path dir) throws Exception {
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("echo.sock"));
        try (UringServerSocket server = net.listen(path)) {
            assertEquals(StandardProtocolFamily.UNIX, server.family());
            assertEquals(path, server.localAddress());
            assertTrue(Files.exists(path.getPath()));
            try (UringSocket client = net.connect(path); UringSocket peer = server.accept()) {
                assertEquals(path, client.remoteAddress());
                Thread.ofVirtual().start(() -> echo(peer));
                assertEcho(client, pattern(50_000, 6));
                assertThrows(UnsupportedOperationException.class, () -> client.getOption(StandardSocketOptions.TCP_NODELAY));
                assertTrue(client.getOption(StandardSocketOptions.SO_SNDBUF) > 0);
            }
        }
    }

    @Test
    void asyncForms() throws Exception {
        try (UringServerSocket server = net.listen(loopback4())) {
            CompletableFuture<UringSocket> accepted = server.acceptAsync();
            try (UringSocket client = await(net.connectAsync(server.localAddress())); UringSocket peer = await(accepted)) {
                byte[] data = pattern(4096, 7);
                assertEquals(4096, await(client.writeAsync(data, 0, data.length)));
                ByteBuffer dst = ByteBuffer.allocate(8192);
                int n = 0;
                while (n < 4096) {
                    n += await(peer.readAsync(dst));
                }
                assertEquals(4096, dst.position());
                assertArrayEquals(data, java.util.Arrays.copyOf(dst.array(), 4096));
            }
        }
    }

    @Test
    void refusedConnectIsConnectException() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        UringSocket s = net.openSocket(StandardProtocolFamily.INET);
        Exception e = assertThrows(Exception.class, () -> s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
        assertInstanceOf(ConnectException.class, e);
        assertFalse(s.isOpen(), "a failed connect closes the socket, as the JDK's channels do");
        assertThrows(ConnectException.class, () -> net.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
    }

    @Test
    void addressInUseIsBindException() throws Exception {
        try (UringServerSocket a = net.listen(loopback4())) {
            assertThrows(BindException.class, () -> net.listen(a.localAddress()));
            UringSocket s = net.openSocket(StandardProtocolFamily.INET);
            try (s) {
                // SO_REUSEADDR on both sides does not let a client bind a listening port
                assertThrows(BindException.class, () -> s.bind(a.localAddress()));
            }
        }
    }

    @Test
    void stateChecksAsTheJdk() throws Exception {
        UringSocket s = net.openSocket(StandardProtocolFamily.INET);
        assertThrows(NotYetConnectedException.class, () -> s.read(new byte[1], 0, 1));
        assertThrows(NotYetConnectedException.class, () -> s.write(new byte[1], 0, 1));
        assertThrows(NotYetConnectedException.class, s::shutdownOutput);
        assertNull(s.localAddress());
        assertNull(s.remoteAddress());
        s.bind(null);
        assertTrue(((InetSocketAddress) s.localAddress()).getPort() > 0);
        assertThrows(AlreadyBoundException.class, () -> s.bind(null));
        assertThrows(UnsupportedAddressTypeException.class, () -> s.connect(UnixDomainSocketAddress.of("/x")));
        assertThrows(IllegalArgumentException.class, () -> s.read(ByteBuffer.allocate(1).asReadOnlyBuffer()));
        try (UringServerSocket server = net.listen(loopback4())) {
            s.connect(server.localAddress());
            assertThrows(AlreadyConnectedException.class, () -> s.connect(server.localAddress()));
            assertEquals(0, s.read(new byte[0], 0, 0));
        }
        s.close();
        s.close();
        assertThrows(ClosedChannelException.class, () -> s.read(new byte[1], 0, 1));
        assertThrows(ClosedChannelException.class, () -> s.write(new byte[1], 0, 1));
        assertThrows(ClosedChannelException.class, () -> s.getOption(StandardSocketOptions.TCP_NODELAY));
        assertThrows(ClosedChannelException.class, () -> await(s.readAsync(ByteBuffer.allocate(1))));

        UringServerSocket unbound = net.openServer(StandardProtocolFamily.INET);
        assertThrows(NotYetBoundException.class, unbound::acceptAsync);
        unbound.close();
        assertThrows(ClosedChannelException.class, unbound::accept);
    }

    @Test
    void options() throws Exception {
        try (UringServerSocket server = net.listen(loopback4()); UringSocket s = net.connect(server.localAddress())) {
            assertTrue(server.getOption(StandardSocketOptions.SO_REUSEADDR), "server sockets reuse addresses, as the JDK's");
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            assertTrue(s.getOption(StandardSocketOptions.TCP_NODELAY));
            s.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            assertTrue(s.getOption(StandardSocketOptions.SO_KEEPALIVE));
            s.setOption(StandardSocketOptions.SO_RCVBUF, 65536);
            assertTrue(s.getOption(StandardSocketOptions.SO_RCVBUF) >= 65536);
            s.setOption(StandardSocketOptions.SO_LINGER, 5);
            assertEquals(5, s.getOption(StandardSocketOptions.SO_LINGER));
            s.setOption(StandardSocketOptions.SO_LINGER, -1);
            assertEquals(-1, s.getOption(StandardSocketOptions.SO_LINGER));
            assertThrows(IllegalArgumentException.class, () -> s.setOption(StandardSocketOptions.SO_SNDBUF, -1));
            assertThrows(IllegalArgumentException.class, () -> s.setOption(StandardSocketOptions.TCP_NODELAY, null));
            assertThrows(UnsupportedOperationException.class, () -> s.getOption(StandardSocketOptions.IP_MULTICAST_TTL));
            assertThrows(UnsupportedOperationException.class, () -> server.getOption(StandardSocketOptions.TCP_NODELAY));
            assertThrows(NullPointerException.class, () -> s.getOption(null));
        }
    }

    @Test
    void streams() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            byte[] data = pattern(70_000, 8);
            Thread writer = Thread.ofVirtual().start(() -> {
                try (OutputStream out = peer.outputStream()) {
                    out.write(data[0]);
                    out.write(data, 1, data.length - 1);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            InputStream in = client.inputStream();
            assertEquals(data[0] & 0xff, in.read());
            byte[] rest = in.readAllBytes();
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 1, data.length), rest);
            assertEquals(-1, in.read());
            writer.join();
        }
    }

    @Test
    void halfCloseDeliversEndOfStreamAndKeepsTheOtherDirection() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            client.write(new byte[] {1, 2, 3}, 0, 3);
            client.shutdownOutput();
            client.shutdownOutput();
            assertThrows(ClosedChannelException.class, () -> client.write(new byte[1], 0, 1));
            assertArrayEquals(new byte[] {1, 2, 3}, readN(peer, 3));
            assertEquals(-1, peer.read(new byte[10], 0, 10));
            peer.write(new byte[] {4, 5}, 0, 2);
            assertArrayEquals(new byte[] {4, 5}, readN(client, 2));
            peer.shutdownOutput();
            assertEquals(-1, client.read(new byte[10], 0, 10));
            client.shutdownInput();
            assertEquals(-1, client.read(new byte[10], 0, 10));
        }
    }

    @Test
    void closeWakesAPendingReadWithAsynchronousCloseException() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            CompletableFuture<Integer> pending = client.readAsync(ByteBuffer.allocate(100));
            CompletableFuture<UringSocket> accept = server.acceptAsync();
            Thread.sleep(50); // let both reach the kernel (the outcome is the same if they have not)
            client.close();
            server.close();
            assertThrows(AsynchronousCloseException.class, () -> await(pending));
            Exception e = assertThrows(Exception.class, () -> await(accept));
            assertTrue(e instanceof AsynchronousCloseException || e instanceof ClosedChannelException, e.toString());
            assertEquals(-1, peer.read(new byte[1], 0, 1));
        }
    }

    @Test
    void timedReadFailsWithInterruptedByTimeout() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            assertThrows(InterruptedByTimeoutException.class,
                    () -> await(client.readAsync(ByteBuffer.allocate(10), 50, TimeUnit.MILLISECONDS)));
            assertTrue(peer.isOpen());
        }
    }

    @Test
    void interruptingABlockedReaderClosesTheSocket() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    client.read(new byte[10], 0, 10);
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            Thread.sleep(50);
            reader.interrupt();
            assertInstanceOf(ClosedByInterruptException.class, await(outcome));
            assertFalse(client.isOpen());
            assertEquals(-1, peer.read(new byte[1], 0, 1));
        }
    }

    @Test
    void closingTheNetClosesItsSockets() throws Exception {
        UringServerSocket server = net.listen(loopback4());
        UringSocket client = net.connect(server.localAddress());
        net.close();
        assertFalse(server.isOpen());
        assertFalse(client.isOpen());
        net = UringNet.open(1, new org.uring4j.runtime.LoopOptions());
    }

    @Test
    void closingTheNetClosesAcceptedSocketsToo() throws Exception {
        UringServerSocket server = net.listen(loopback4());
        UringSocket client = net.connect(server.localAddress());
        UringSocket peer = server.accept();
        CompletableFuture<Integer> pending = peer.readAsync(new byte[10], 0, 10);
        net.close();
        assertFalse(peer.isOpen());
        try {
            await(pending); // ends (end of stream if the client's close came first), not left waiting
        } catch (Exception closedUnderIt) {
            // AsynchronousCloseException
        }
        assertFalse(client.isOpen());
        net = UringNet.open(1, new org.uring4j.runtime.LoopOptions());
    }

    @Test
    void unixPathInUseIsBindException(@TempDir Path dir) throws Exception {
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("taken.sock"));
        try (UringServerSocket server = net.listen(path)) {
            assertThrows(BindException.class, () -> net.listen(path));
            assertTrue(server.isOpen());
        }
    }

    @Test
    void interruptingABlockedAcceptClosesTheServer() throws Exception {
        UringServerSocket server = net.listen(loopback4());
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread acceptor = Thread.ofVirtual().start(() -> {
            try {
                server.accept();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        Thread.sleep(50);
        acceptor.interrupt();
        assertInstanceOf(ClosedByInterruptException.class, await(outcome));
        assertFalse(server.isOpen());
    }

    @Test
    void aCancelledAcceptLeavesNoConnectionHanging() throws Exception {
        UringServerSocket server = net.listen(loopback4());
        CompletableFuture<UringSocket> gaveUp = server.acceptAsync();
        assertTrue(gaveUp.cancel(false));
        try (UringSocket c1 = net.connect(server.localAddress());
             UringSocket c2 = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            peer.write(new byte[] {9}, 0, 1);
            server.close(); // closes what waits in it
            // One client is the accepted one; the other was closed (by the cancelled accept, or
            // with the server), never accepted into a future nobody reads and left open.
            byte[] b1 = new byte[1];
            byte[] b2 = new byte[1];
            int r1 = await(c1.readAsync(b1, 0, 1));
            int r2 = await(c2.readAsync(b2, 0, 1));
            assertEquals(1, (r1 == 1 ? 1 : 0) + (r2 == 1 ? 1 : 0), r1 + ", " + r2);
            assertEquals(-1, Math.min(r1, r2));
            assertEquals(9, r1 == 1 ? b1[0] : b2[0]);
        }
    }

    @Test
    void timedWriteToAPeerThatDoesNotReadEnds() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            ByteBuffer big = ByteBuffer.allocateDirect(64 << 20);
            try {
                int n = await(client.writeAsync(big, 100, TimeUnit.MILLISECONDS));
                assertTrue(n < big.capacity(), "the time ran out with part of it sent: " + n);
                assertEquals(n, big.position());
            } catch (InterruptedByTimeoutException e) {
                // the JDK's way to say it
            }
            assertTrue(peer.isOpen());
        }
    }
}
