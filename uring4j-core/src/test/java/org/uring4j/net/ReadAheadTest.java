package org.uring4j.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * Reads served by a stream receive ({@link ReadAhead}) on io_uring: every byte in order whatever
 * the read sizes, kept bytes bounded, reads that give up (cancel, timeout, interrupt) losing
 * nothing and leaving their memory alone, and a stream receive taking over. The behaviour the
 * caller sees is the same on both backends, so these run on both.
 */
class ReadAheadTest extends NetTestBase {

    @Test
    void readsOfEverySizeGetEveryByteInOrder() throws Exception {
        byte[] data = pattern(1 << 20, 7);
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            Thread writer = Thread.ofVirtual().start(() -> {
                Random r = new Random(1);
                try {
                    for (int off = 0; off < data.length; ) {
                        int n = Math.min(data.length - off, 1 + r.nextInt(40_000));
                        peer.write(data, off, n);
                        off += n;
                        if (r.nextInt(8) == 0) {
                            Thread.sleep(1); // let reads find the socket empty and wait
                        }
                    }
                    peer.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            Random r = new Random(2);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment native16k = arena.allocate(16384);
                while (true) {
                    int n;
                    switch (r.nextInt(4)) {
                        case 0 -> { // blocking, heap
                            byte[] b = new byte[1 + r.nextInt(5000)];
                            n = client.read(b, 0, b.length);
                            if (n > 0) {
                                got.write(b, 0, n);
                            }
                        }
                        case 1 -> { // blocking, a confined arena's memory
                            MemorySegment s = native16k.asSlice(0, 1 + r.nextInt(16384));
                            n = client.read(s);
                            if (n > 0) {
                                got.write(s.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                            }
                        }
                        case 2 -> { // asynchronous, a heap ByteBuffer
                            ByteBuffer b = ByteBuffer.allocate(1 + r.nextInt(3000));
                            n = await(client.readAsync(b));
                            assertEquals(Math.max(n, 0), b.position());
                            if (n > 0) {
                                got.write(b.array(), 0, n);
                            }
                        }
                        default -> { // blocking, a direct ByteBuffer
                            ByteBuffer b = ByteBuffer.allocateDirect(1 + r.nextInt(20000));
                            n = client.read(b);
                            assertEquals(Math.max(n, 0), b.position());
                            b.flip();
                            byte[] a = new byte[b.remaining()];
                            b.get(a);
                            got.write(a);
                        }
                    }
                    if (n < 0) {
                        break;
                    }
                }
            }
            writer.join();
            assertArrayEquals(data, got.toByteArray());
            assertEquals(-1, client.read(new byte[1], 0, 1), "end of stream stays");
        }
    }

    @Test
    void keptBytesStayBoundedAndThePeerMeetsFlowControl() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: bytes kept ahead of the reads");
        byte[] data = pattern(8 << 20, 3);
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            // Small socket buffers (no autotuning): what the kernel holds is far below the 8 MiB.
            client.setOption(StandardSocketOptions.SO_RCVBUF, 65536);
            peer.setOption(StandardSocketOptions.SO_SNDBUF, 65536);
            byte[] one = new byte[1];
            CompletableFuture<Integer> first = client.readAsync(one, 0, 1); // nothing there: starts the stream receive
            CompletableFuture<Integer> sent = peer.writeAsync(data, 0, data.length);
            assertEquals(1, await(first));
            ReadAhead reads = ((RingSocket) client.io()).readAheadIfStarted();
            assertNotNull(reads, "a read that waited started the stream receive");
            // With nobody reading, the receive pauses: the rest stays with TCP, and the 8 MiB write cannot finish.
            waitUntil(() -> reads.keptBytes() >= ReadAhead.HIGH - RingNet.BUFFER_SIZE, "the kept bytes never reached the bound");
            Thread.sleep(200);
            // Past the bound only what the kernel had received before the pause took hold: at most one
            // completion, a bundle of no more buffers than the ring has.
            long kept = reads.keptBytes();
            assertTrue(kept < ReadAhead.HIGH + (long) RingNet.BUFFER_COUNT * RingNet.BUFFER_SIZE, "kept " + kept + " bytes");
            Thread.sleep(200);
            assertEquals(kept, reads.keptBytes(), "the kept bytes still grow while nobody reads");
            assertFalse(sent.isDone(), "the peer's write went through: nothing held it back");
            byte[] rest = readN(client, data.length - 1);
            assertEquals(data.length, await(sent));
            assertEquals(data[0], one[0]);
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 1, data.length), rest);
        }
    }

    @Test
    void aCancelledReadLosesNoByte() throws Exception {
        assumeTrue(onIoUring(), "the portable backend's cancelled read runs on and takes the bytes (as documented)");
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            byte[] b = new byte[10];
            CompletableFuture<Integer> gaveUp = client.readAsync(b, 0, b.length);
            assertTrue(gaveUp.cancel(false));
            peer.write(new byte[] {42, 43}, 0, 2);
            byte[] again = new byte[10];
            int n = await(client.readAsync(again, 0, again.length));
            assertEquals(2, n);
            assertEquals(42, again[0]);
            assertEquals(43, again[1]);
            assertEquals(0, b[0], "the cancelled read's memory was left alone");
        }
    }

    @Test
    void aTimedOutReadLosesNoByte() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            ByteBuffer b = ByteBuffer.allocate(10);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> client.readAsync(b, 50, TimeUnit.MILLISECONDS).get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertInstanceOf(InterruptedByTimeoutException.class, e.getCause());
            assumeTrue(onIoUring(), "the portable backend's timed-out read may have taken bytes");
            peer.write(new byte[] {7}, 0, 1);
            ByteBuffer again = ByteBuffer.allocate(10);
            assertEquals(1, await(client.readAsync(again, 5, TimeUnit.SECONDS)));
            assertEquals(7, again.get(0));
            assertEquals(0, b.position(), "the timed-out read's buffer was left alone");
        }
    }

    @Test
    void anInterruptedReadOfConfinedMemoryLeavesItAlone() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (Arena arena = Arena.ofConfined()) {
                    client.read(arena.allocate(100));
                } catch (Throwable t) {
                    failure.set(t);
                }
                // The arena is closed now: were the read still registered, the bytes below would land in freed memory.
            });
            waitUntil(() -> reader.getState() == Thread.State.WAITING, "the reader never waited");
            reader.interrupt();
            reader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertInstanceOf(ClosedByInterruptException.class, failure.get());
            assertFalse(client.isOpen());
            try {
                peer.write(new byte[100], 0, 100);
            } catch (java.io.IOException e) {
                // the client's close may have reset the connection already
            }
        }
    }

    @Test
    void aStreamReceiveTakesOverWhatTheReadsLeft() throws Exception {
        byte[] data = pattern(300_000, 11);
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            CompletableFuture<Integer> first = client.readAsync(new byte[3], 0, 3);
            peer.write(data, 0, data.length);
            peer.shutdownOutput();
            int n = await(first);
            byte[] head = readN(client, 10 - n); // a protocol's header, read in small pieces
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            CompletableFuture<Void> ended = new CompletableFuture<>();
            Receiving receiving = client.receive(new ReceiveHandler() {
                @Override
                public boolean onData(MemorySegment chunk) {
                    rest.writeBytes(chunk.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                    return true;
                }

                @Override
                public void onEnd() {
                    ended.complete(null);
                }

                @Override
                public void onError(Throwable error) {
                    ended.completeExceptionally(error);
                }
            });
            await(ended);
            await(receiving.done());
            assertEquals(10 - n, head.length);
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 10, data.length), rest.toByteArray());
            assertEquals(-1, client.read(new byte[1], 0, 1), "a read after the stream sees its end");
        }
    }

    @Test
    void twoBlockingReadersTakeTurnsAsOnASocketChannel() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            CompletableFuture<Integer> a = new CompletableFuture<>();
            CompletableFuture<Integer> b = new CompletableFuture<>();
            for (CompletableFuture<Integer> f : java.util.List.of(a, b)) {
                Thread.ofVirtual().start(() -> {
                    try {
                        byte[] one = new byte[1];
                        f.complete(client.read(one, 0, 1) == 1 ? (int) one[0] : -1);
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                });
            }
            Thread.sleep(50);
            peer.write(new byte[] {1, 2}, 0, 2);
            assertEquals(java.util.Set.of(1, 2), java.util.Set.of(await(a), await(b)));
        }
    }

    @Test
    void aResetPeerFailsEveryLaterRead() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            CompletableFuture<Integer> waiting = client.readAsync(new byte[10], 0, 10);
            peer.setOption(StandardSocketOptions.SO_LINGER, 0);
            peer.close(); // RST
            ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertInstanceOf(SocketException.class, e.getCause());
            assertThrows(java.io.IOException.class, () -> client.read(new byte[10], 0, 10));
        }
    }

    @Test
    void readsOfAJdkPeerGetEveryByte() throws Exception {
        byte[] data = pattern(200_000, 5);
        try (UringServerSocket server = net.listen(loopback4());
             SocketChannel peer = SocketChannel.open(server.localAddress());
             UringSocket client = server.accept()) {
            Thread w = Thread.ofVirtual().start(() -> {
                try {
                    for (int off = 0; off < data.length; off += 1000) {
                        peer.write(ByteBuffer.wrap(data, off, Math.min(1000, data.length - off)));
                    }
                    peer.shutdownOutput();
                } catch (Exception x) {
                    throw new RuntimeException(x);
                }
            });
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] b = new byte[777];
            int n;
            while ((n = client.read(b, 0, b.length)) >= 0) {
                got.write(b, 0, n);
            }
            w.join();
            assertArrayEquals(data, got.toByteArray());
        }
    }

    /**
     * Reads that give up at random points (timeouts of a millisecond or two, cancels right after
     * the call) amid blocking and asynchronous reads of random sizes, against a writer that never
     * waits: what the reads return is the stream, with no byte lost or repeated.
     */
    @Test
    void readsThatGiveUpAtRandomLoseNothing() throws Exception {
        assumeTrue(onIoUring(), "the portable backend's timed-out or cancelled read may have taken bytes (as documented)");
        int total = 4 << 20;
        byte[] data = pattern(total, 21);
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            Thread writer = Thread.ofVirtual().start(() -> {
                Random r = new Random(3);
                try {
                    for (int off = 0; off < total; ) {
                        int n = Math.min(total - off, 1 + r.nextInt(30_000));
                        peer.write(data, off, n);
                        off += n;
                        if (r.nextInt(4) == 0) {
                            Thread.sleep(0, 200_000);
                        }
                    }
                    peer.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            Random r = new Random(4);
            int gaveUp = 0;
            while (true) {
                byte[] b = new byte[1 + r.nextInt(20_000)];
                int n;
                switch (r.nextInt(3)) {
                    case 0 -> n = client.read(b, 0, b.length);
                    case 1 -> {
                        ByteBuffer bb = ByteBuffer.wrap(b);
                        try {
                            n = client.readAsync(bb, 1 + r.nextInt(2), TimeUnit.MILLISECONDS).get(WAIT_SECONDS, TimeUnit.SECONDS);
                        } catch (ExecutionException e) {
                            assertInstanceOf(InterruptedByTimeoutException.class, e.getCause());
                            assertEquals(0, bb.position(), "a timed-out read moved its buffer");
                            gaveUp++;
                            continue;
                        }
                    }
                    default -> {
                        CompletableFuture<Integer> f = client.readAsync(b, 0, b.length);
                        if (f.cancel(false)) {
                            gaveUp++;
                            continue;
                        }
                        n = await(f); // done already, or being filled: its bytes count
                    }
                }
                if (n < 0) {
                    break;
                }
                got.write(b, 0, n);
            }
            writer.join();
            assertArrayEquals(data, got.toByteArray(), "after " + gaveUp + " reads that gave up");
        }
    }

    /**
     * Closes at random moments, of either side, while reads wait, take kept bytes or time out:
     * every reader ends (end of stream, or a typed failure) and no descriptor is left open.
     */
    @Test
    void closesAtRandomMomentsEndEveryReaderAndLeakNothing() throws Exception {
        int before = socketCount();
        Random r = new Random(9);
        try (UringServerSocket server = net.listen(loopback4())) {
            for (int i = 0; i < 300; i++) {
                UringSocket client = net.connect(server.localAddress());
                UringSocket peer = server.accept();
                CompletableFuture<Throwable> ended = new CompletableFuture<>();
                boolean async = r.nextBoolean();
                Thread reader = Thread.ofVirtual().start(() -> {
                    byte[] b = new byte[1 + r.nextInt(4000)];
                    try {
                        while (true) {
                            int n = async ? client.readAsync(ByteBuffer.wrap(b), 5, TimeUnit.MILLISECONDS)
                                    .exceptionally(t -> t.getCause() instanceof InterruptedByTimeoutException
                                            || t instanceof InterruptedByTimeoutException ? 0 : -2)
                                    .get(WAIT_SECONDS, TimeUnit.SECONDS)
                                    : client.read(b, 0, b.length);
                            if (n == -1 || n == -2) {
                                break;
                            }
                        }
                        ended.complete(null);
                    } catch (Throwable t) {
                        ended.complete(t);
                    }
                });
                int writes = r.nextInt(20);
                for (int w = 0; w < writes; w++) {
                    int n = 1 + r.nextInt(30_000);
                    peer.write(new byte[n], 0, n);
                }
                if (r.nextInt(3) == 0) {
                    Thread.sleep(0, r.nextInt(500_000));
                }
                if (r.nextBoolean()) {
                    client.close();
                } else {
                    peer.close();
                }
                client.close();
                peer.close();
                reader.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                assertFalse(reader.isAlive(), "round " + i + ": a reader still waits after the close");
                Throwable t = ended.get(WAIT_SECONDS, TimeUnit.SECONDS);
                if (t != null) {
                    assertTrue(t instanceof java.io.IOException, "round " + i + ": " + t);
                }
            }
        }
        waitUntil(() -> socketCount() <= before, "sockets left open");
    }

    @Test
    void aStreamReceiveRefusedWhileAReadWaitsLeavesTheSocketReadable() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: the portable backend's stream receive does not see a waiting read");
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            byte[] b = new byte[10];
            CompletableFuture<Integer> waiting = client.readAsync(b, 0, b.length);
            assertThrows(java.nio.channels.ReadPendingException.class, () -> client.receive(chunk -> true));
            peer.write(new byte[] {1, 2, 3}, 0, 3);
            assertEquals(3, await(waiting));
            peer.write(new byte[] {4}, 0, 1);
            assertEquals(1, client.read(b, 0, b.length), "a read after the refused receive");
            assertEquals(4, b[0]);
        }
    }

    @Test
    void closingEndsAPausedStreamThatTookOverAfterTheEnd() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: a stream taking over bytes kept ahead of the reads");
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            byte[] one = new byte[1];
            CompletableFuture<Integer> first = client.readAsync(one, 0, 1); // starts the reads' receive
            peer.write(new byte[] {1}, 0, 1);
            assertEquals(1, await(first));
            peer.write(new byte[] {2, 3, 4}, 0, 3);
            peer.shutdownOutput(); // the receive underneath ends; its bytes and the end are kept
            ReadAhead reads = ((RingSocket) client.io()).readAheadIfStarted();
            waitUntil(() -> reads.keptBytes() == 3, "the bytes were never kept");
            Thread.sleep(50); // and the end behind them
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            java.util.List<Integer> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            Receiving receiving = client.receive(new ReceiveHandler() {
                @Override
                public boolean onData(MemorySegment chunk) {
                    seen.add((int) chunk.byteSize());
                    return false; // pause at once
                }

                @Override
                public void onEnd() {
                    ended.complete(null);
                }

                @Override
                public void onError(Throwable error) {
                    ended.complete(error);
                }
            });
            waitUntil(receiving::isPaused, "the stream never paused");
            client.close();
            assertInstanceOf(java.nio.channels.AsynchronousCloseException.class, ended.get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertThrows(ExecutionException.class, () -> receiving.done().get(WAIT_SECONDS, TimeUnit.SECONDS));
            receiving.resume();
            Thread.sleep(20);
            assertEquals(1, seen.size(), "nothing is handed over after the close");
        }
    }

    /**
     * A reader that falls behind again and again: the receive pauses, the reader takes the kept
     * bytes, reads the socket's own on its thread until it is empty, and the receive goes on,
     * many times over; every byte arrives once, in order.
     */
    @Test
    void aReaderThatFallsBehindAndCatchesUpGetsEveryByte() throws Exception {
        byte[] data = pattern(16 << 20, 31);
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (int off = 0; off < data.length; off += 1 << 20) {
                        peer.write(data, off, 1 << 20);
                        Thread.sleep(1); // the reader catches up now and then: its reads find the socket empty
                    }
                    peer.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] b = new byte[8192];
            long sinceNap = 0;
            int n;
            while ((n = client.read(b, 0, b.length)) >= 0) {
                got.write(b, 0, n);
                sinceNap += n;
                if (sinceNap >= 3 << 20) {
                    sinceNap = 0;
                    Thread.sleep(3); // falls behind: the kept bytes reach the bound and the receive pauses
                }
            }
            writer.join();
            assertArrayEquals(data, got.toByteArray());
        }
    }

    /**
     * The loop closes (its runtime is the caller's) while the receive is paused for kept bytes:
     * a reader takes those, then the socket's own, and ends with AsynchronousCloseException when
     * the receive cannot go on, rather than wait for ever.
     */
    @Test
    void aReaderEndsWhenTheLoopClosesUnderAPausedReceive() throws Exception {
        assumeTrue(onIoUring(), "io_uring only: a loop to close");
        org.uring4j.runtime.UringRuntime rt = org.uring4j.runtime.UringRuntime.open(1, new org.uring4j.runtime.LoopOptions());
        UringNet over = UringNet.over(rt);
        try (UringServerSocket server = over.listen(loopback4());
             java.nio.channels.SocketChannel peer = java.nio.channels.SocketChannel.open(server.localAddress());
             UringSocket client = server.accept()) {
            CompletableFuture<Integer> first = client.readAsync(new byte[1], 0, 1); // starts the reads' receive
            peer.write(ByteBuffer.wrap(new byte[1]));
            assertEquals(1, await(first));
            byte[] data = pattern(1 << 20, 41);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    peer.write(ByteBuffer.wrap(data));
                } catch (java.io.IOException e) {
                    // the reader's end closes the connection
                }
            });
            ReadAhead reads = ((RingSocket) client.io()).readAheadIfStarted();
            waitUntil(reads::pausedAndIdle, "the receive never paused for its kept bytes");
            writer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            rt.close();
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            Thread reader = Thread.ofVirtual().start(() -> {
                byte[] b = new byte[65536];
                try {
                    int n;
                    while ((n = client.read(b, 0, b.length)) >= 0) {
                        got.write(b, 0, n);
                    }
                    ended.complete(null);
                } catch (Throwable t) {
                    ended.complete(t);
                }
            });
            assertInstanceOf(java.nio.channels.AsynchronousCloseException.class, ended.get(WAIT_SECONDS, TimeUnit.SECONDS));
            reader.join();
            assertArrayEquals(data, got.toByteArray(), "every byte the peer sent came first");
        } finally {
            rt.close();
        }
    }

    /** A blocking read that waits when another thread closes the socket: AsynchronousCloseException, as from a JDK SocketChannel. */
    @Test
    void closeWakesABlockedReadAsOnASocketChannel() throws Exception {
        // The JDK, for the expected behaviour.
        try (java.nio.channels.ServerSocketChannel jdkServer = java.nio.channels.ServerSocketChannel.open().bind(loopback4());
             java.nio.channels.SocketChannel jdkClient = java.nio.channels.SocketChannel.open(jdkServer.getLocalAddress());
             java.nio.channels.SocketChannel jdkPeer = jdkServer.accept()) {
            CompletableFuture<Throwable> jdk = blockedReadEnds(() -> jdkClient.read(ByteBuffer.allocate(10)), jdkClient::close);
            assertInstanceOf(java.nio.channels.AsynchronousCloseException.class, jdk.get(WAIT_SECONDS, TimeUnit.SECONDS));
        }
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            CompletableFuture<Throwable> ours = blockedReadEnds(() -> client.read(ByteBuffer.allocate(10)), client::close);
            assertInstanceOf(java.nio.channels.AsynchronousCloseException.class, ours.get(WAIT_SECONDS, TimeUnit.SECONDS));
        }
    }

    @FunctionalInterface
    private interface BlockingRead {
        int read() throws Exception;
    }

    @FunctionalInterface
    private interface Closer {
        void close() throws Exception;
    }

    /** What a read blocked on a virtual thread ends with when {@code close} runs on this one. */
    private static CompletableFuture<Throwable> blockedReadEnds(BlockingRead read, Closer close) throws Exception {
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                ended.complete(new AssertionError("read returned " + read.read()));
            } catch (Throwable t) {
                ended.complete(t);
            }
        });
        waitUntil(() -> reader.getState() == Thread.State.WAITING, "the reader never blocked");
        close.close();
        return ended;
    }
}
