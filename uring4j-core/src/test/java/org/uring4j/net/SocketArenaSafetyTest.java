package org.uring4j.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * A socket's memory and the arena it comes from, as AsyncFile's: an asynchronous call refuses a
 * confined arena's memory (its owner could close it under the kernel), a shared arena's goes
 * through loop memory (another thread may close it at any time), and a blocking call takes both.
 */
class SocketArenaSafetyTest extends NetTestBase {

    @Test
    void anAsynchronousCallRefusesAConfinedArenasMemoryAsAsyncFileDoes() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket conn = await(server.acceptAsync());
             Arena confined = Arena.ofConfined()) {
            MemorySegment seg = confined.allocate(64);
            assertThrows(IllegalStateException.class, () -> client.readAsync(seg));
            assertThrows(IllegalStateException.class, () -> client.readAsync(seg.asByteBuffer()));
            assertThrows(IllegalStateException.class, () -> client.writeAsync(seg));
            assertThrows(IllegalStateException.class, () -> client.writeAsync(seg.asByteBuffer()));
            // The blocking forms take it: the owner is the thread that waits.
            seg.fill((byte) 7);
            assertEquals(64, client.write(seg));
            MemorySegment in = confined.allocate(64);
            int got = 0;
            while (got < 64) {
                got += conn.read(in.asSlice(got));
            }
            assertEquals(seg.mismatch(in), -1);
        }
    }

    @Test
    void aReceiveIntoASharedArenaClosedMeanwhileNeverWritesFreedMemory() throws Exception {
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket conn = await(server.acceptAsync())) {
            Arena arena = Arena.ofShared();
            CompletableFuture<Integer> read = client.readAsync(arena.allocate(64));
            Thread.sleep(100); // the RECV waits in the kernel
            arena.close();
            List<MemorySegment> reused = new ArrayList<>();
            try (Arena other = Arena.ofShared()) {
                for (int i = 0; i < 10_000; i++) {
                    reused.add(other.allocate(64).fill((byte) 0));
                }
                byte[] z = new byte[64];
                Arrays.fill(z, (byte) 'Z');
                conn.write(z, 0, z.length);
                // Failing is right (the copy out of loop memory finds the arena closed); writing freed memory is not.
                ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(WAIT_SECONDS, TimeUnit.SECONDS));
                assertEquals(IllegalStateException.class, e.getCause().getClass(), e.toString());
                assertEquals(0, reused.stream().filter(s -> s.get(ValueLayout.JAVA_BYTE, 0) == 'Z').count(),
                        "the kernel received into freed memory");
            }
        }
    }

    @Test
    void aSharedArenasMemoryIsSentAndReceivedWholeWhileItLives() throws Exception {
        byte[] data = pattern(300_000, 11);
        try (UringServerSocket server = net.listen(loopback4());
             UringSocket client = net.connect(server.localAddress());
             UringSocket conn = await(server.acceptAsync());
             Arena shared = Arena.ofShared()) {
            MemorySegment out = shared.allocate(data.length);
            MemorySegment.copy(data, 0, out, ValueLayout.JAVA_BYTE, 0, data.length);
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    long sent = 0;
                    while (sent < out.byteSize()) {
                        sent += await(client.writeAsync(out.asSlice(sent)));
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            MemorySegment in = shared.allocate(data.length);
            long got = 0;
            while (got < data.length) {
                int n = await(conn.readAsync(in.asSlice(got)));
                if (n < 0) {
                    break;
                }
                got += n;
            }
            await(sending);
            assertArrayEquals(data, in.toArray(ValueLayout.JAVA_BYTE));
        }
    }
}
