package org.uring4j.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

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
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            byte[] b = new byte[10];
            CompletableFuture<Integer> gaveUp = client.readAsync(b, 0, b.length); // nothing there: a RECV in the ring
            assertTrue(gaveUp.cancel(false));
            OpGate gate = ((RingSocket) client.io()).gate;
            for (long end = System.nanoTime() + WAIT_SECONDS * 1_000_000_000L; gate.inFlight() > 0; ) {
                assertTrue(System.nanoTime() < end, "the cancelled RECV is still in the kernel");
                Thread.sleep(1);
            }
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
            UringSocket client = over.connect(server.localAddress());
            UringSocket peer = server.accept();
            // A heap read: a RECV armed on the provided-buffer ring that over.close() frees.
            CompletableFuture<Integer> pending = peer.readAsync(new byte[10], 0, 10);
            over.close();
            assertFalse(peer.isOpen());
            assertThrows(java.nio.channels.AsynchronousCloseException.class, () -> await(pending));
            assertFalse(client.isOpen());
        }
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
