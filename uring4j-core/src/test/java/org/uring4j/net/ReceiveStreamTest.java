package org.uring4j.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ReadPendingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.runtime.UringRuntime;

/**
 * {@link UringSocket#receive}: every byte in order under a flood, end of stream, reset, close while
 * armed, a throwing handler, pause and resume; on both backends, and on io_uring also with an
 * almost empty provided-buffer ring and with the single-shot fallback of kernels before 6.0.
 */
class ReceiveStreamTest extends NetTestBase {

    /** Collects a stream's bytes (on the handler's thread) and its end. */
    static final class Collector implements ReceiveHandler {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AtomicInteger chunks = new AtomicInteger();
        final AtomicInteger ends = new AtomicInteger();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final AtomicInteger terminals = new AtomicInteger();

        @Override
        public synchronized boolean onData(MemorySegment data) {
            assertTrue(data.byteSize() > 0);
            assertTrue(data.isReadOnly());
            bytes.writeBytes(data.toArray(ValueLayout.JAVA_BYTE));
            chunks.incrementAndGet();
            return true;
        }

        @Override
        public void onEnd() {
            ends.incrementAndGet();
            terminals.incrementAndGet();
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
            terminals.incrementAndGet();
        }

        synchronized byte[] data() {
            return bytes.toByteArray();
        }
    }

    /** Writes {@code data} in writes of random sizes (1 B to 64 KiB), then shuts the output down. */
    private static void flood(UringSocket client, byte[] data, long seed) throws Exception {
        Random r = new Random(seed);
        int off = 0;
        while (off < data.length) {
            int n = Math.min(data.length - off, 1 + r.nextInt(r.nextBoolean() ? 64 : 65536));
            client.write(data, off, n);
            off += n;
        }
        client.shutdownOutput();
    }

    private void floodArrivesInOrder(UringNet on) throws Exception {
        try (UringServerSocket server = on.listen(loopback4());
             UringSocket client = on.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            Collector c = new Collector();
            Receiving r = peer.receive(c);
            byte[] data = pattern(8 << 20, 11);
            flood(client, data, 12);
            await(r.done());
            assertArrayEquals(data, c.data());
            assertEquals(1, c.ends.get());
            assertEquals(1, c.terminals.get());
            assertFalse(r.isPaused());
        }
    }

    @Test
    void aFloodArrivesWholeAndInOrderThenTheEnd() throws Exception {
        floodArrivesInOrder(net);
    }

    @Test
    void theSingleShotFallbackOfOlderKernelsDeliversTheSame() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: kernels without multishot receive (before 6.0) get single-shot RECVs");
        net.disableMultishotRecv();
        floodArrivesInOrder(net);
    }

    @Test
    void withoutBundlesAsOnKernelsBefore610TheFloodArrivesTheSame() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: receive bundles");
        net.disableRecvBundle();
        floodArrivesInOrder(net);
    }

    /**
     * Bytes queued before the receive starts: with IORING_FEAT_RECVSEND_BUNDLE one completion
     * carries several provided buffers, handed over one chunk per buffer, in order, each buffer
     * given back (the ring has only 8: a lost one would stall the flood after it).
     */
    @Test
    void aBundleOfSeveralBuffersIsHandedOverInOrderAndEveryBufferGoesBack() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: receive bundles");
        try (UringRuntime rt = UringRuntime.open(1, new LoopOptions()); UringNet small = UringNet.over(rt, 8)) {
            assumeTrue(small.recvBundle(), "the kernel has no IORING_FEAT_RECVSEND_BUNDLE (Linux 6.10)");
            try (UringServerSocket server = small.listen(loopback4());
                 UringSocket client = small.connect(server.localAddress());
                 UringSocket peer = server.accept()) {
                byte[] first = pattern(100 * 1024, 41);
                client.write(first, 0, first.length); // queued in the peer's socket before it receives
                Collector c = new Collector();
                List<Long> sizes = java.util.Collections.synchronizedList(new ArrayList<>());
                Receiving r = peer.receive(new ReceiveHandler() {
                    @Override
                    public boolean onData(MemorySegment data) {
                        sizes.add(data.byteSize());
                        return c.onData(data);
                    }

                    @Override
                    public void onEnd() {
                        c.onEnd();
                    }

                    @Override
                    public void onError(Throwable error) {
                        c.onError(error);
                    }
                });
                waitUntil(() -> c.data().length == first.length, "the queued bytes not delivered");
                assertTrue(((RingReceiver) r).bundles() > 0, "no completion carried more than one buffer");
                for (long n : sizes) {
                    assertTrue(n <= RingNet.BUFFER_SIZE, "a chunk of " + n + " B: more than one buffer");
                }
                byte[] rest = pattern(4 << 20, 42); // 4 MiB through 8 buffers: each must have come back
                flood(client, rest, 43);
                await(r.done());
                byte[] all = new byte[first.length + rest.length];
                System.arraycopy(first, 0, all, 0, first.length);
                System.arraycopy(rest, 0, all, first.length, rest.length);
                assertArrayEquals(all, c.data());
                assertEquals(1, c.terminals.get());
            }
        }
    }

    /** A bundle whose handler pauses after its first chunk: the rest are kept and handed over after the resume, in order. */
    @Test
    void pausingInTheMiddleOfABundleKeepsItsOtherBuffersInOrder() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: receive bundles");
        assumeTrue(net.recvBundle(), "the kernel has no IORING_FEAT_RECVSEND_BUNDLE (Linux 6.10)");
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            byte[] data = pattern(200 * 1024, 44);
            client.write(data, 0, data.length);
            client.shutdownOutput();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            AtomicInteger calls = new AtomicInteger();
            AtomicReference<Receiving> self = new AtomicReference<>();
            Receiving r = peer.receive(d -> {
                synchronized (got) {
                    got.writeBytes(d.toArray(ValueLayout.JAVA_BYTE));
                }
                if (calls.incrementAndGet() % 3 == 1) {
                    Thread.ofVirtual().start(() -> {
                        try {
                            Thread.sleep(5);
                            while (self.get() == null) {
                                Thread.sleep(1); // the handler ran before receive() returned
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                        self.get().resume();
                    });
                    return false;
                }
                return true;
            });
            self.set(r);
            await(r.done());
            synchronized (got) {
                assertArrayEquals(data, got.toByteArray());
            }
        }
    }

    @Test
    void oneMultishotReceiveServesManyChunks() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: counts ring requests");
        assumeTrue(kernelAtLeast(6, 0), "multishot RECV needs Linux 6.0; older kernels get the single-shot fallback");
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            AtomicInteger chunks = new AtomicInteger();
            Receiving r = peer.receive(d -> {
                chunks.incrementAndGet();
                return true;
            });
            waitUntil(() -> ((RingReceiver) r).armed(), "no receive armed");
            long before = submitted();
            for (int i = 0; i < 200; i++) {
                client.write(new byte[] {(byte) i}, 0, 1);
                int want = i + 1;
                waitUntil(() -> chunks.get() >= want, "chunk " + want + " not delivered");
            }
            long ops = submitted() - before;
            assertTrue(ops < 100, "200 chunks took " + ops + " ring requests (with multishot receive, about one)");
        }
    }

    private long submitted() {
        long n = 0;
        for (int i = 0; i < net.runtime().loopCount(); i++) {
            n += net.runtime().loop(i).operationsSubmitted();
        }
        return n;
    }

    static boolean kernelAtLeast(int major, int minor) {
        String[] v = System.getProperty("os.version", "0.0").split("[.-]");
        try {
            int ma = Integer.parseInt(v[0]);
            int mi = v.length > 1 ? Integer.parseInt(v[1]) : 0;
            return ma > major || (ma == major && mi >= minor);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Test
    void aRingRunningDryDelaysButNeverLosesABytes() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: the provided-buffer ring");
        try (UringRuntime rt = UringRuntime.open(1, new LoopOptions()); UringNet small = UringNet.over(rt, 2)) {
            try (UringServerSocket server = small.listen(loopback4())) {
                int n = 16;
                List<UringSocket> clients = new ArrayList<>();
                List<Collector> collectors = new ArrayList<>();
                List<Receiving> streams = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    clients.add(small.connect(server.localAddress()));
                    Collector c = new Collector();
                    collectors.add(c);
                    streams.add(server.accept().receive(c));
                }
                List<Thread> writers = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    UringSocket c = clients.get(i);
                    long seed = i;
                    writers.add(Thread.ofVirtual().start(() -> {
                        try {
                            flood(c, pattern(512 * 1024, seed), seed);
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    }));
                }
                for (Thread t : writers) {
                    t.join();
                }
                for (int i = 0; i < n; i++) {
                    await(streams.get(i).done());
                    assertArrayEquals(pattern(512 * 1024, i), collectors.get(i).data(), "connection " + i);
                }
                for (UringSocket c : clients) {
                    c.close();
                }
            }
        }
    }

    @Test
    void endOfStreamAfterAHalfCloseLeavesTheOtherDirectionOpen() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            Collector c = new Collector();
            Receiving r = peer.receive(c);
            client.write(new byte[] {1, 2, 3}, 0, 3);
            client.shutdownOutput();
            await(r.done());
            assertArrayEquals(new byte[] {1, 2, 3}, c.data());
            assertEquals(1, c.ends.get());
            byte[] back = pattern(100_000, 5);
            peer.write(back, 0, back.length);
            assertArrayEquals(back, readN(client, back.length));
            // The stream is over: reads may go on (and see the end), a new stream ends at once.
            assertEquals(-1, peer.read(new byte[1], 0, 1));
            Collector again = new Collector();
            await(peer.receive(again).done());
            assertEquals(1, again.ends.get());
        }
    }

    @Test
    void theHandlerMayReadOnOnceTheStreamHasEnded() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            CompletableFuture<Integer> readInOnEnd = new CompletableFuture<>();
            Receiving r = peer.receive(new ReceiveHandler() {
                @Override
                public boolean onData(MemorySegment data) {
                    return true;
                }

                @Override
                public void onEnd() {
                    peer.readAsync(new byte[1], 0, 1).whenComplete((n, t) -> {
                        if (t != null) {
                            readInOnEnd.completeExceptionally(t);
                        } else {
                            readInOnEnd.complete(n);
                        }
                    });
                }
            });
            client.shutdownOutput();
            await(r.done());
            assertEquals(-1, await(readInOnEnd));
        }
    }

    @Test
    void aPeerResetFailsTheStreamWithConnectionReset() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            Collector c = new Collector();
            Receiving r = peer.receive(c);
            client.write(new byte[] {1}, 0, 1);
            waitUntil(() -> c.chunks.get() == 1, "the first byte");
            peer.write(new byte[] {9}, 0, 1); // unread at the client's close: the kernel resets the connection
            Thread.sleep(20);
            client.setOption(StandardSocketOptions.SO_LINGER, 0);
            client.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> r.done().get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertInstanceOf(SocketException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("reset"), e.getCause().toString());
            assertSame(e.getCause(), c.error.get());
            assertEquals(1, c.terminals.get());
        }
    }

    @Test
    void closingWhileArmedEndsTheStreamAndLeavesNoDescriptorOrMemory() throws Exception {
        try (UringServerSocket server = net.listen(loopback4())) {
            // warm up once, so pools and lazily opened files are in place
            closeArmed(server, 8);
            int sockets = socketCount();
            long pool = loopPoolBytes();
            for (int round = 0; round < 20; round++) {
                closeArmed(server, 50);
            }
            waitUntil(() -> socketCount() <= sockets, "sockets left open (" + sockets + " before the rounds)");
            assertTrue(loopPoolBytes() <= pool + 256 * 1024, "the loops' memory pools grew from " + pool + " to " + loopPoolBytes());
        }
    }

    private void closeArmed(UringServerSocket server, int n) throws Exception {
        List<UringSocket> clients = new ArrayList<>();
        List<UringSocket> peers = new ArrayList<>();
        List<Receiving> streams = new ArrayList<>();
        List<Collector> collectors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clients.add(net.connect(server.localAddress()));
            UringSocket p = server.accept();
            peers.add(p);
            Collector c = new Collector();
            collectors.add(c);
            streams.add(p.receive(c));
        }
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) {
                clients.get(i).write(new byte[] {7}, 0, 1); // some have delivered, some never did
            }
        }
        for (UringSocket p : peers) {
            p.close();
        }
        for (int i = 0; i < n; i++) {
            Receiving r = streams.get(i);
            ExecutionException e = assertThrows(ExecutionException.class, () -> r.done().get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertInstanceOf(AsynchronousCloseException.class, e.getCause());
            assertEquals(1, collectors.get(i).terminals.get());
        }
        for (UringSocket c : clients) {
            c.close();
        }
    }

    @Test
    void aThrowingHandlerEndsTheStreamAndClosesTheSocket() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            IllegalStateException boom = new IllegalStateException("boom");
            AtomicReference<Throwable> seen = new AtomicReference<>();
            AtomicInteger calls = new AtomicInteger();
            Receiving r = peer.receive(new ReceiveHandler() {
                @Override
                public boolean onData(MemorySegment data) {
                    calls.incrementAndGet();
                    throw boom;
                }

                @Override
                public void onError(Throwable t) {
                    seen.set(t);
                }
            });
            client.write(new byte[] {1, 2, 3}, 0, 3);
            ExecutionException e = assertThrows(ExecutionException.class, () -> r.done().get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertSame(boom, e.getCause());
            assertSame(boom, seen.get());
            waitUntil(() -> !peer.isOpen(), "the socket is still open");
            assertEquals(-1, client.read(new byte[1], 0, 1), "the peer sees the end of stream");
            assertEquals(1, calls.get());
        }
    }

    @Test
    void pausedStreamsHandNothingOverUntilResumedThenEverythingInOrder() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            AtomicBoolean pausedNow = new AtomicBoolean();
            AtomicReference<String> violation = new AtomicReference<>();
            AtomicInteger chunks = new AtomicInteger();
            Receiving r = peer.receive(d -> {
                if (pausedNow.get()) {
                    violation.set("a chunk was handed over while paused");
                }
                synchronized (got) {
                    got.writeBytes(d.toArray(ValueLayout.JAVA_BYTE));
                }
                if (chunks.incrementAndGet() == 1) {
                    pausedNow.set(true); // the handler asks for the pause
                    return false;
                }
                return true;
            });
            byte[] data = pattern(2 << 20, 21);
            client.write(data, 0, 10);
            waitUntil(() -> chunks.get() == 1, "the first chunk");
            assertTrue(r.isPaused());
            // The rest is sent while paused: it fills the socket buffers (the writer blocks), nothing is handed over.
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    flood(client, java.util.Arrays.copyOfRange(data, 10, data.length), 3);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(200);
            assertEquals(null, violation.get());
            assertEquals(1, chunks.get());
            for (int i = 0; i < 3; i++) { // pause and resume from another thread too
                pausedNow.set(false);
                r.resume();
                Thread.sleep(5);
                r.pause();
                settle(peer); // a handler call the loop thread had already begun is over
                pausedNow.set(true);
                Thread.sleep(20);
            }
            pausedNow.set(false);
            r.resume();
            writer.join();
            await(r.done());
            assertEquals(null, violation.get());
            synchronized (got) {
                assertArrayEquals(data, got.toByteArray());
            }
        }
    }

    /** On io_uring: waits until the socket's loop has finished what it was doing (a handler call included). */
    private static void settle(UringSocket s) throws Exception {
        if (s.io() instanceof RingSocket r) {
            await(r.home.loop().call(ring -> null));
        }
    }

    @Test
    void closingAPausedStreamEndsIt() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            Collector c = new Collector();
            Receiving r = peer.receive(c);
            r.pause();
            client.write(new byte[] {1, 2}, 0, 2); // kept, never handed over
            Thread.sleep(50);
            peer.close();
            ExecutionException e = assertThrows(ExecutionException.class, () -> r.done().get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertInstanceOf(AsynchronousCloseException.class, e.getCause());
            assertEquals(1, c.terminals.get());
            assertEquals(0, c.chunks.get());
        }
    }

    @Test
    void readsAreRefusedWhileStreamingAndAChunkCanBeEchoedFromItsHandler() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            AtomicReference<MemorySegment> kept = new AtomicReference<>();
            Receiving r = peer.receive(d -> {
                kept.set(d);
                peer.writeAsync(d); // copied before writeAsync returns: the buffer goes back after this
                return true;
            });
            assertThrows(ReadPendingException.class, () -> peer.read(new byte[1], 0, 1));
            assertThrows(ReadPendingException.class, () -> peer.receive(d -> true));
            byte[] data = pattern(4 << 20, 31);
            Thread.ofVirtual().start(() -> {
                try {
                    flood(client, data, 32);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            // The client reads late: the echo fills the socket buffers and the handler's writes queue
            // behind the SEND in the kernel; they must go out whole and in order.
            Thread.sleep(200);
            assertArrayEquals(data, readN(client, data.length));
            await(r.done());
            // Closed (IllegalStateException), and confined to the handler's thread (WrongThreadException) besides.
            assertThrows(RuntimeException.class, () -> kept.get().get(ValueLayout.JAVA_BYTE, 0),
                    "a chunk is not readable after its handler returned");
            CompletableFuture<Integer> after = peer.readAsync(new byte[1], 0, 1);
            assertEquals(-1, await(after));
        }
    }
}
