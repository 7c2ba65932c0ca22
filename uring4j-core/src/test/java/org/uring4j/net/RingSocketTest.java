package org.uring4j.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.runtime.UringRuntime;

/** io_uring-only paths: an empty provided-buffer ring, and the multishot accept pausing when nobody accepts. */
class RingSocketTest extends NetTestBase {

    @Test
    void readsFallBackToLoopMemoryWhenTheBufferRingRunsDry() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: the provided-buffer ring");
        try (UringRuntime rt = UringRuntime.open(1, new LoopOptions()); UringNet small = UringNet.over(rt, 2)) {
            try (UringServerSocket server = small.listen(loopback4())) {
                int n = 16;
                List<UringSocket> clients = new ArrayList<>();
                List<UringSocket> peers = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    clients.add(small.connect(server.localAddress()));
                    peers.add(server.accept());
                }
                // One receive each through the ring first: a receive that found no more data
                // behind it sends the next one to the ring too (none is tried inline).
                List<CompletableFuture<Integer>> first = new ArrayList<>();
                for (UringSocket p : peers) {
                    first.add(p.readAsync(new byte[1], 0, 1));
                }
                for (UringSocket c : clients) {
                    c.write(new byte[] {1}, 0, 1);
                }
                for (CompletableFuture<Integer> f : first) {
                    assertEquals(1, await(f));
                }
                // The data is there before the reads: 16 heap reads then meet it in one submission,
                // with 2 buffers between them, and most find the ring empty.
                for (int i = 0; i < n; i++) {
                    clients.get(i).write(pattern(1000, i), 0, 1000);
                }
                Thread.sleep(50);
                List<CompletableFuture<Integer>> reads = new ArrayList<>();
                List<byte[]> dsts = new ArrayList<>();
                for (UringSocket p : peers) {
                    byte[] dst = new byte[1000];
                    dsts.add(dst);
                    reads.add(p.readAsync(dst, 0, dst.length));
                }
                for (int i = 0; i < n; i++) {
                    int got = await(reads.get(i));
                    byte[] all = dsts.get(i);
                    byte[] rest = got < 1000 ? readN(peers.get(i), 1000 - got) : new byte[0];
                    System.arraycopy(rest, 0, all, got, rest.length);
                    assertArrayEquals(pattern(1000, i), all, "connection " + i);
                }
                for (UringSocket s : clients) {
                    s.close();
                }
            }
        }
    }

    @Test
    void cancellingAReadCancelsItsReceiveInTheKernel() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: a RECV in the kernel");
        net.disableReadAhead(); // a RECV per read; ReadAheadTest covers a cancel with the stream receive
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            byte[] b = new byte[10];
            CompletableFuture<Integer> gaveUp = client.readAsync(b, 0, b.length); // nothing there: a RECV in the ring
            assertTrue(gaveUp.cancel(false));
            OpGate gate = ((RingSocket) client.io()).gate;
            waitUntil(() -> gate.inFlight() == 0, "the cancelled RECV is still in the kernel");
            // No orphaned RECV takes these bytes and drops them: the next read gets them.
            peer.write(new byte[] {42}, 0, 1);
            assertEquals(1, await(client.readAsync(b, 0, b.length)));
            assertEquals(42, b[0]);
        }
    }

    @Test
    void closingANetOverARuntimeClosesAcceptedSocketsBeforeTheBufferRing() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: a net over a runtime the caller keeps");
        try (UringRuntime rt = UringRuntime.open(1, new LoopOptions())) {
            UringNet over = UringNet.over(rt);
            UringServerSocket server = over.listen(loopback4());
            // The client is the JDK's, outside this net: closing the net must not let the peer's
            // read end with the client's end of stream instead of the close (a race otherwise).
            try (SocketChannel client = SocketChannel.open(server.localAddress())) {
                UringSocket peer = server.accept();
                // A heap read: a RECV armed on the provided-buffer ring that over.close() frees.
                CompletableFuture<Integer> pending = peer.readAsync(new byte[10], 0, 10);
                over.close();
                assertFalse(peer.isOpen());
                assertThrows(java.nio.channels.AsynchronousCloseException.class, () -> await(pending));
                assertEquals(-1, client.read(java.nio.ByteBuffer.allocate(1)), "the accepted socket was closed");
            }
        }
    }

    @Test
    void aCloseStillQueuedWhenItsLoopShutsDownClosesTheDescriptor() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: a CLOSE queued on a loop");
        UringRuntime rt = UringRuntime.open(2, new LoopOptions());
        UringNet over = UringNet.over(rt);
        try (ServerSocketChannel jdk = ServerSocketChannel.open().bind(loopback4())) {
            // Sockets go to the loops in turn: a and c on loop 0, b and d on loop 1.
            UringSocket[] s = new UringSocket[4];
            SocketChannel[] peers = new SocketChannel[4];
            for (int i = 0; i < 4; i++) {
                s[i] = over.connect(jdk.getLocalAddress());
                peers[i] = jdk.accept();
            }
            String loop1 = rt.loop(1).name();
            assertTrue(s[1].toString().contains(loop1) && s[3].toString().contains(loop1), s[1] + " " + s[3]);

            // Hold loop 1 inside a completion callback, so that it reaches its shutdown without
            // draining what is queued meanwhile.
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch hold = new CountDownLatch(1);
            s[1].readAsync(new byte[1], 0, 1).whenComplete((n, t) -> {
                entered.countDown();
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            peers[1].write(java.nio.ByteBuffer.wrap(new byte[] {1}));
            assertTrue(entered.await(WAIT_SECONDS, TimeUnit.SECONDS));
            // Closed on a loop thread (no wait): its CLOSE is queued on loop 1, which is held.
            await(rt.loop(0).call(r -> {
                s[3].close();
                return null;
            }));
            Thread closer = Thread.ofPlatform().start(() -> {
                try {
                    rt.close();
                } catch (Exception e) {
                    // reported by the checks below
                }
            });
            waitUntil(() -> rt.loop(1).isClosed(), "loop 1 did not begin to close");
            hold.countDown();
            closer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            // The descriptor was closed all the same: its peer reads the end of the stream.
            CompletableFuture<Integer> eof = CompletableFuture.supplyAsync(() -> {
                try {
                    return peers[3].read(java.nio.ByteBuffer.allocate(1));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                assertEquals(-1, await(eof));
            } finally {
                over.close();
                for (SocketChannel p : peers) {
                    p.close();
                }
            }
        }
    }

    @Test
    void anAcceptEndedByALateCancelIsArmedAgainForItsWaiters() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: the multishot ACCEPT");
        try (UringServerSocket server = net.listen(loopback4())) {
            CompletableFuture<UringSocket> accept = server.acceptAsync();
            // What a pause's cancel (by fd) does if it runs after the ACCEPT it meant to stop
            // ended and a new one was armed for a waiter: it ends the new one.
            RingServer ring = (RingServer) server.io();
            assertTrue(await(RingNet.submit(ring.home.loop(), new RingOps.CancelFd(ring.fd))) >= 1);
            try (UringSocket client = net.connect(server.localAddress());
                 UringSocket peer = await(accept)) {
                client.write(new byte[] {3}, 0, 1);
                assertArrayEquals(new byte[] {3}, readN(peer, 1));
            }
        }
    }

    @Test
    void anInterruptedOpenServerLeavesNoDescriptor() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: the socket is made by a ring request the caller waits for");
        int before = socketCount();
        // The loops are held, so the SOCKET cannot complete before the caller gives up.
        CountDownLatch hold = new CountDownLatch(1);
        for (int i = 0; i < net.runtime().loopCount(); i++) {
            net.runtime().loop(i).call(r -> hold.await(WAIT_SECONDS, TimeUnit.SECONDS));
        }
        Thread.currentThread().interrupt();
        try {
            assertThrows(java.io.InterruptedIOException.class, () -> net.openServer(java.net.StandardProtocolFamily.INET));
        } finally {
            Thread.interrupted();
            hold.countDown();
        }
        // The SOCKET completes after the caller gave up: its descriptor is closed, not leaked.
        waitUntil(() -> socketCount() == before, "a socket is left open");
    }

    @Test
    void unacceptedConnectionsWaitInTheBacklogAndAreAllAcceptedLater() throws Exception {
        try (UringServerSocket server = net.openServer(java.net.StandardProtocolFamily.INET).bind(loopback4(), 4)) {
            server.acceptAsync().thenAccept(s -> { // arm the multishot accept, then accept nothing for a while
                Thread.ofVirtual().start(() -> echo(s));
            });
            int n = 8;
            List<CompletableFuture<UringSocket>> connects = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                connects.add(net.connectAsync(server.localAddress()));
            }
            Thread.sleep(100);
            for (int i = 1; i < n; i++) {
                UringSocket s = server.accept();
                Thread.ofVirtual().start(() -> echo(s));
            }
            for (CompletableFuture<UringSocket> c : connects) {
                try (UringSocket s = await(c)) {
                    assertEcho(s, pattern(100, 7));
                }
            }
            assertEquals(true, server.isOpen());
        }
    }

    @Test
    void transfersThatNeedNoWaitCompleteOnTheCallersThread() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: the portable backend's futures run on threads of their own");
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            // Loopback queues the bytes at the peer before send(2) returns.
            CompletableFuture<Integer> sent = client.writeAsync(new byte[] {1, 2, 3}, 0, 3);
            assertTrue(sent.isDone(), "a send the socket buffer takes is made inline");
            assertEquals(3, sent.join());
            byte[] dst = new byte[10];
            CompletableFuture<Integer> got = peer.readAsync(dst, 0, 10);
            assertTrue(got.isDone(), "a new connection's first receive is tried inline");
            assertEquals(3, got.join());
            CompletableFuture<Integer> waiting = peer.readAsync(dst, 0, 10);
            assertFalse(waiting.isDone(), "nothing there: the receive waits on the ring");
            client.write(new byte[] {4}, 0, 1);
            assertEquals(1, await(waiting));
            assertEquals(4, dst[0]);
        }
    }
}
