package org.uring4j.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

/**
 * What a server meets in the wild, on loopback and bounded: churn, resets, half-closes, slow
 * readers and floods. Each case ends with the server still serving another connection.
 */
class SocketReliabilityTest extends NetTestBase {

    @Test
    void manyConnectCloseCyclesLeaveFdCountAndNativeMemoryFlat() throws Exception {
        try (UringServerSocket server = echoServer()) {
            for (int i = 0; i < 2000; i++) { // warm up: lazily opened descriptors (the JDK's, the loops') and pools settle
                try (UringSocket c = net.connect(server.localAddress())) {
                    assertEcho(c, pattern(1 + i % 3000, i));
                }
            }
            int before = fdCount();
            NativeMemory memBefore = nativeMemory();
            NativeMemory memHalfway = null;
            for (int i = 0; i < 10_000; i++) {
                if (i == 5_000) {
                    memHalfway = nativeMemory();
                }
                try (UringSocket c = net.connect(server.localAddress())) {
                    if (i % 100 == 0) {
                        assertEcho(c, pattern(1 + i % 3000, i));
                    }
                }
            }
            try (UringSocket c = net.connect(server.localAddress())) {
                assertEcho(c, pattern(1000, 1)); // still serving, and every earlier echo thread has ended
            }
            // The server side's last closes run on its virtual threads: give them (boundedly) time to.
            int after = fdCount();
            for (int i = 0; i < 200 && after > before + 4; i++) {
                Thread.sleep(50);
                after = fdCount();
            }
            assertTrue(after <= before + 4, "descriptors before " + before + ", after 10,000 cycles " + after);
            nativeMemory().assertFlatSince(memBefore, memHalfway, "10,000 connect/close cycles");
        }
    }

    @Test
    void manyReadWriteCyclesLeaveNativeMemoryFlat() throws Exception {
        // No Nagle on either side: a short last segment would wait for a delayed ACK (40 ms) each round.
        try (UringServerSocket server = echoServer(true); UringSocket c = net.connect(server.localAddress());
             Arena arena = Arena.ofShared()) { // the async forms may touch it from other threads
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            MemorySegment out = arena.allocate(70_000);
            MemorySegment in = arena.allocate(70_000);
            byte[] big = pattern(70_100, 9);
            NativeMemory memBefore = null;
            NativeMemory memHalfway = null;
            for (int i = 0; i < 12_000; i++) {
                if (i == 2_000) { // after a warm-up with every size and form
                    memBefore = nativeMemory();
                } else if (i == 7_000) {
                    memHalfway = nativeMemory();
                }
                int n = 1 + (i * 7919) % 70_000; // sizes from 1 byte past the provided buffers' 16 KiB and the inline 64 KiB
                byte[] data = Arrays.copyOfRange(big, i % 100, i % 100 + n); // a different start each time
                switch (i % 3) {
                    case 0 -> assertEcho(c, data); // heap: a bounce for the send, a provided buffer for the receive
                    case 1 -> { // native: sent and received in place
                        MemorySegment.copy(data, 0, out, ValueLayout.JAVA_BYTE, 0, data.length);
                        MemorySegment o = out.asSlice(0, n);
                        CompletableFuture<Integer> w = c.writeAsync(o);
                        long got = 0;
                        while (got < n) {
                            int r = await(c.readAsync(in.asSlice(got, n - got)));
                            assertTrue(r > 0, "end of stream after " + got + " of " + n + " bytes");
                            got += r;
                        }
                        assertEquals(n, await(w));
                        assertEquals(-1, o.mismatch(in.asSlice(0, n)), "echo " + i);
                    }
                    default -> { // heap ByteBuffers through the async forms
                        ByteBuffer src = ByteBuffer.allocate(n);
                        src.put(0, data);
                        await(c.writeAsync(src));
                        ByteBuffer dst = ByteBuffer.allocate(n);
                        while (dst.hasRemaining()) {
                            assertTrue(await(c.readAsync(dst)) > 0);
                        }
                        assertEquals(src.flip(), dst.flip(), "echo " + i);
                    }
                }
            }
            nativeMemory().assertFlatSince(memBefore, memHalfway, "10,000 echoes of 1 B to 68 KiB");
        }
    }

    /**
     * What the process holds natively: the loops' memory pools (on io_uring; exact: a pool that
     * keeps growing under a steady load leaks) and, after a GC, the resident set less the Java
     * heap's committed size. That is noisy (the JIT, malloc's per-thread arenas; heap pages
     * committed but not yet touched make it smaller, never larger) and still grows for a while
     * after a warm-up, so only its growth over the second half of the cycles counts, with room to
     * spare: a leak of 16 KiB per cycle (a buffer per connection) shows, 10 KiB might not.
     */
    private record NativeMemory(long poolBytes, long residentOutsideHeap) {
        /** A leak of 64 bytes (the pool's smallest class) per cycle over 10,000 cycles passes this bound. */
        static final long POOL_SLACK = 512 * 1024;
        /** Over 5,000 cycles. */
        static final long RESIDENT_SLACK = 64L << 20;

        void assertFlatSince(NativeMemory start, NativeMemory halfway, String what) {
            assertTrue(poolBytes <= start.poolBytes + POOL_SLACK, "the loops' memory pools grew from "
                    + start.poolBytes + " to " + poolBytes + " bytes over " + what);
            assertTrue(residentOutsideHeap <= halfway.residentOutsideHeap + RESIDENT_SLACK, "the resident set outside the "
                    + "heap grew from " + (halfway.residentOutsideHeap >> 20) + " to " + (residentOutsideHeap >> 20)
                    + " MiB over the second half of " + what + " (" + (start.residentOutsideHeap >> 20) + " MiB at the start)");
        }
    }

    private NativeMemory nativeMemory() throws Exception {
        long pool = loopPoolBytes();
        System.gc(); // arenas of ofAuto() segments are freed by the GC's cleaners
        Thread.sleep(100);
        long rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return new NativeMemory(pool, rss - Runtime.getRuntime().totalMemory()); // the heap's committed size
    }

    @Test
    void peerResetMidReceiveIsConnectionReset() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket peer = server.accept()) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    byte[] buf = new byte[100];
                    int n;
                    do {
                        n = client.read(buf, 0, buf.length);
                    } while (n > 0);
                    outcome.complete(new AssertionError("end of stream instead of a reset"));
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            peer.write(new byte[] {1, 2, 3}, 0, 3);
            Thread.sleep(20);
            client.write(new byte[] {9}, 0, 1); // unread data at close makes the kernel reset the connection
            Thread.sleep(20);
            peer.setOption(StandardSocketOptions.SO_LINGER, 0); // and so does linger 0
            peer.close();
            Throwable t = await(outcome);
            assertInstanceOf(SocketException.class, t);
            assertTrue(t.getMessage().contains("reset"), t.toString());
            try (UringServerSocket other = echoServer(); UringSocket c = net.connect(other.localAddress())) {
                assertEcho(c, pattern(100, 2));
            }
        }
    }

    @Test
    void halfClosedClientStillGetsEveryEchoedByte() throws Exception {
        try (UringServerSocket server = echoServer(); UringSocket c = net.connect(server.localAddress())) {
            byte[] data = pattern(300_000, 3);
            CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.inputStream().readAllBytes();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            c.write(data, 0, data.length);
            c.shutdownOutput();
            assertArrayEquals(data, await(echoed), "the server echoes to the end, then closes");
        }
    }

    @Test
    void slowReaderGetsEveryByteInOrder() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket writer = net.connect(server.localAddress());
             UringSocket reader = server.accept()) {
            int total = 8 << 20;
            CompletableFuture<byte[]> sent = CompletableFuture.supplyAsync(() -> {
                try {
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    Random r = new Random(4);
                    byte[] chunk = new byte[65536];
                    for (int done = 0; done < total; done += chunk.length) {
                        r.nextBytes(chunk);
                        md.update(chunk);
                        writer.write(chunk, 0, chunk.length); // blocks while the reader lags: backpressure
                    }
                    writer.shutdownOutput();
                    return md.digest();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[777]; // odd-sized small reads
            long got = 0;
            int n;
            int reads = 0;
            while ((n = reader.read(buf, 0, buf.length)) > 0) {
                md.update(buf, 0, n);
                got += n;
                if (++reads % 2000 == 0) {
                    Thread.sleep(1);
                }
            }
            assertEquals(total, got);
            assertArrayEquals(await(sent), md.digest());
        }
    }

    @Test
    void floodingClientDoesNotStopTheServerServingOthers() throws Exception {
        try (UringServerSocket server = echoServer();
             UringSocket flood = net.connect(server.localAddress())) {
            int total = 16 << 20;
            CompletableFuture<Void> flooding = CompletableFuture.runAsync(() -> {
                try {
                    byte[] chunk = pattern(1 << 20, 5);
                    for (int done = 0; done < total; done += chunk.length) {
                        flood.write(chunk, 0, chunk.length);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            // While the flood is in flight (and blocked on its own unread echo), others are served.
            List<UringSocket> others = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                UringSocket c = net.connect(server.localAddress());
                others.add(c);
                assertEcho(c, pattern(1000, 10 + i));
            }
            // Now drain the flood's echo: every byte comes back.
            byte[] expected = pattern(1 << 20, 5);
            byte[] got = new byte[1 << 20];
            for (int i = 0; i < total >> 20; i++) {
                int done = 0;
                while (done < got.length) {
                    int n = flood.read(got, done, got.length - done);
                    assertTrue(n > 0);
                    done += n;
                }
                assertArrayEquals(expected, got);
            }
            await(flooding);
            for (UringSocket c : others) {
                c.close();
            }
        }
    }

    @Test
    void aThousandConnectionsAtOnceEachGetTheirOwnBytesBack() throws Exception {
        try (UringServerSocket server = echoServer()) {
            int n = 1000;
            List<UringSocket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    clients.add(net.connect(server.localAddress()));
                }
                // Every client sends at once, then every one reads its echo: the server's reads meet
                // a burst far larger than the provided-buffer ring.
                for (int i = 0; i < n; i++) {
                    byte[] msg = pattern(2000, i);
                    clients.get(i).write(msg, 0, msg.length);
                }
                for (int i = 0; i < n; i++) {
                    assertArrayEquals(pattern(2000, i), readN(clients.get(i), 2000), "connection " + i);
                }
            } finally {
                for (UringSocket c : clients) {
                    c.close();
                }
            }
        }
    }
}
