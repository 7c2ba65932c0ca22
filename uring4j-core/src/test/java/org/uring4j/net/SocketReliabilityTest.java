package org.uring4j.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.security.MessageDigest;
import java.util.ArrayList;
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
    void manyConnectCloseCyclesLeaveTheFdCountFlat() throws Exception {
        try (UringServerSocket server = echoServer()) {
            for (int i = 0; i < 200; i++) { // warm up: lazily opened descriptors (the JDK's, the loops') settle
                try (UringSocket c = net.connect(server.localAddress())) {
                    assertEcho(c, new byte[] {(byte) i});
                }
            }
            int before = fdCount();
            for (int i = 0; i < 10_000; i++) {
                try (UringSocket c = net.connect(server.localAddress())) {
                    if (i % 100 == 0) {
                        assertEcho(c, new byte[] {(byte) i, 1, 2});
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
        }
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
