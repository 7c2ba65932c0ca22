package org.uring4j.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousCloseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.runtime.UringRuntime;

/**
 * {@link UringSocketOptions#SEND_ZEROCOPY_THRESHOLD}: the option itself, every byte of many
 * concurrent zero-copy sends, the future completing only with the kernel's notification, close
 * while one is in flight, and echoes sent zero-copy from their provided buffers. The option is
 * accepted and ignored on the portable backend, where the same data must arrive.
 */
class ZeroCopySendTest extends NetTestBase {

    @Test
    void theThresholdIsAnOptionOfTcpSocketsOffByDefault() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            assertTrue(client.supportedOptions().contains(UringSocketOptions.SEND_ZEROCOPY_THRESHOLD));
            assertTrue(client.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY));
            assertEquals(0, client.getOption(UringSocketOptions.SEND_ZEROCOPY_THRESHOLD));
            client.setOption(UringSocketOptions.SEND_ZEROCOPY_THRESHOLD, 65536);
            assertEquals(65536, client.getOption(UringSocketOptions.SEND_ZEROCOPY_THRESHOLD));
            assertThrows(IllegalArgumentException.class, () -> client.setOption(UringSocketOptions.SEND_ZEROCOPY_THRESHOLD, -1));
            assertThrows(IllegalArgumentException.class, () -> client.setOption(UringSocketOptions.SEND_ZEROCOPY_THRESHOLD, null));
            assertEquals(0, peer.getOption(UringSocketOptions.SEND_ZEROCOPY_THRESHOLD), "per socket");
        }
        try (UringSocket unix = net.openSocket(StandardProtocolFamily.UNIX)) {
            assertTrue(!unix.supportedOptions().contains(UringSocketOptions.SEND_ZEROCOPY_THRESHOLD));
            assertThrows(UnsupportedOperationException.class, () -> unix.setOption(UringSocketOptions.SEND_ZEROCOPY_THRESHOLD, 1));
        }
    }

    /** Writes of 16 KiB, 64 KiB and 1 MiB of native memory from 8 connections at once, each checked byte for byte. */
    @Test
    void manyConcurrentZeroCopySendsArriveWholeAndInOrder() throws Exception {
        long notifiedBefore = net.zeroCopyNotifications();
        int conns = 8;
        int[] sizes = {16 * 1024, 64 * 1024, 1024 * 1024};
        // Automatic memory: the kernel may send from it in place (a shared arena's goes through loop memory).
        Arena arena = Arena.ofAuto();
        try (UringServerSocket server = net.listen(loopback4())) {
            List<UringSocket> clients = new ArrayList<>();
            List<UringSocket> peers = new ArrayList<>();
            for (int i = 0; i < conns; i++) {
                UringSocket c = net.connect(server.localAddress());
                c.setOption(UringSocketOptions.SEND_ZEROCOPY_THRESHOLD, 16 * 1024);
                clients.add(c);
                peers.add(server.accept());
            }
            int total = 0;
            for (int size : sizes) {
                total += 4 * size;
            }
            List<byte[]> expected = new ArrayList<>();
            List<CompletableFuture<Integer>> writes = new ArrayList<>();
            for (int i = 0; i < conns; i++) {
                byte[] all = pattern(total, 100 + i);
                expected.add(all);
                MemorySegment src = arena.allocate(total);
                MemorySegment.copy(all, 0, src, ValueLayout.JAVA_BYTE, 0, total);
                UringSocket c = clients.get(i);
                // One connection's writes chained (one write at a time per socket), all connections at once.
                CompletableFuture<Integer> chain = CompletableFuture.completedFuture(0);
                long off = 0;
                for (int round = 0; round < 4; round++) {
                    for (int size : sizes) {
                        MemorySegment part = src.asSlice(off, size);
                        off += size;
                        chain = chain.thenCompose(n -> c.writeAsync(part).thenApply(m -> {
                            assertEquals(part.byteSize(), (long) m);
                            return n + m;
                        }));
                    }
                }
                writes.add(chain);
            }
            List<Thread> readers = new ArrayList<>();
            List<byte[]> got = new ArrayList<>();
            for (int i = 0; i < conns; i++) {
                got.add(null);
            }
            for (int i = 0; i < conns; i++) {
                int k = i;
                int n = total;
                readers.add(Thread.ofVirtual().start(() -> {
                    try {
                        got.set(k, readN(peers.get(k), n));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (int i = 0; i < conns; i++) {
                assertEquals(total, await(writes.get(i)));
            }
            for (Thread t : readers) {
                t.join();
            }
            for (int i = 0; i < conns; i++) {
                assertArrayEquals(expected.get(i), got.get(i), "connection " + i);
            }
            if (onIoUring() && net.sendZeroCopy()) {
                assertEquals(notifiedBefore + conns * 4L * sizes.length, net.zeroCopyNotifications(),
                        "every write went zero-copy and its notification arrived");
            }
            for (UringSocket s : clients) {
                s.close();
            }
            for (UringSocket s : peers) {
                s.close();
            }
        }
    }

    /** The future of a zero-copy write completes with the notification (the memory is the kernel's until then), not before. */
    @Test
    void aZeroCopyWriteCompletesOnlyOnceTheKernelHasLetGoOfItsMemory() throws Exception {
        assumeTrue(onIoUring() && net.sendZeroCopy(), "io_uring with SEND_ZC (Linux 6.0)");
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            client.setOption(UringSocketOptions.SEND_ZEROCOPY_THRESHOLD, 1);
            byte[] data = pattern(256 * 1024, 7);
            for (int i = 0; i < 20; i++) {
                long before = net.zeroCopyNotifications();
                AtomicLong notifiedAtCompletion = new AtomicLong(-1);
                CompletableFuture<Integer> f;
                {
                    MemorySegment src = Arena.ofAuto().allocate(data.length);
                    MemorySegment.copy(data, 0, src, ValueLayout.JAVA_BYTE, 0, data.length);
                    f = client.writeAsync(src).whenComplete((n, t) -> notifiedAtCompletion.set(net.zeroCopyNotifications()));
                    byte[] got = readN(peer, data.length);
                    assertEquals(data.length, await(f)); // only now may the arena free the memory
                    assertArrayEquals(data, got);
                }
                assertEquals(before + 1, notifiedAtCompletion.get(), "completed before the notification");
            }
        }
    }

    /**
     * Close while a zero-copy send waits for room (the peer reads nothing): the close returns at
     * once (it waits for the send's own completion, not for the notification), and the write fails
     * with AsynchronousCloseException once the kernel lets go of the pages it queued: on loopback
     * when the peer's receive queue is freed, so its future is still pending while the peer is
     * open, and the caller's memory must (and may) live until then.
     */
    @Test
    void closeWhileAZeroCopySendIsInFlightClosesAndFailsIt() throws Exception {
        try (UringServerSocket server = net.listen(loopback4())) {
            int sockets = socketCount();
            for (int i = 0; i < 5; i++) {
                UringSocket client = net.connect(server.localAddress());
                UringSocket peer = server.accept();
                client.setOption(UringSocketOptions.SEND_ZEROCOPY_THRESHOLD, 64 * 1024);
                {
                    MemorySegment big = Arena.ofAuto().allocate(64 << 20); // far more than the socket buffers hold
                    CompletableFuture<Integer> f = client.writeAsync(big);
                    Thread.sleep(50);
                    long start = System.nanoTime();
                    client.close();
                    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "close waited for the notification");
                    assertTrue(!f.isDone() || f.isCompletedExceptionally(), "a cut-short write cannot succeed");
                    peer.close(); // frees the pages queued in its receive buffer: the notification follows
                    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT_SECONDS, TimeUnit.SECONDS));
                    assertInstanceOf(AsynchronousCloseException.class, e.getCause());
                }
            }
            waitUntil(() -> socketCount() <= sockets, "sockets left open (" + sockets + " before)");
        }
    }

    /** A zero-copy write to a connection the peer reset fails as a plain write does. */
    @Test
    void aZeroCopyWriteToAResetConnectionFailsAsAPlainWriteDoes() throws Exception {
        Class<?> plain = failureAfterReset(0);
        Class<?> zeroCopy = failureAfterReset(1);
        assertEquals(plain, zeroCopy);
        assertTrue(java.io.IOException.class.isAssignableFrom(zeroCopy), zeroCopy.getName());
    }

    private Class<?> failureAfterReset(int threshold) throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept();
             Arena arena = Arena.ofConfined()) {
            client.setOption(UringSocketOptions.SEND_ZEROCOPY_THRESHOLD, threshold);
            peer.setOption(StandardSocketOptions.SO_LINGER, 0);
            peer.close(); // RST
            MemorySegment src = arena.allocate(64 * 1024);
            for (int i = 0; i < 100; i++) {
                try {
                    client.write(src);
                } catch (java.io.IOException e) {
                    return e.getClass();
                }
                Thread.sleep(10);
            }
            throw new AssertionError("writes to a reset connection kept succeeding");
        }
    }

    /**
     * Chunks echoed from their handler with the threshold at 4 KiB go zero-copy from their
     * provided buffers, which go back after each notification: through a ring of 4 buffers, 8 MiB
     * echo whole (a buffer kept would stall it).
     */
    @Test
    void echoesFromTheHandlerGoZeroCopyFromTheirProvidedBuffers() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: provided buffers");
        try (UringRuntime rt = UringRuntime.open(1, new LoopOptions()); UringNet small = UringNet.over(rt, 4);
             UringServerSocket server = small.listen(loopback4());
             UringSocket client = small.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            peer.setOption(UringSocketOptions.SEND_ZEROCOPY_THRESHOLD, 4096);
            Receiving r = peer.receive(d -> {
                peer.writeAsync(d);
                return true;
            });
            byte[] data = pattern(8 << 20, 9);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    client.write(data, 0, data.length);
                    client.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertArrayEquals(data, readN(client, data.length));
            writer.join();
            await(r.done());
            if (small.sendZeroCopy()) {
                assertTrue(small.zeroCopyNotifications() > 0, "no echo went zero-copy");
            }
        }
    }
}
