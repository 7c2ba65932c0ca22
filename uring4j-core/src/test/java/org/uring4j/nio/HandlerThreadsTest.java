package org.uring4j.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.uring4j.fs.Backend;
import org.uring4j.net.UringNet;
import org.uring4j.nio.ChannelTestSupport.Capture;
import org.uring4j.runtime.LoopOptions;

/** Where the drop-ins' completion handlers run ({@link HandlerThreads}), and how deep direct calls nest. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandlerThreadsTest {
    private static final long WAIT = 20;
    private UringNet net;

    @BeforeEach
    void open() throws Exception {
        net = UringNet.open(2, new LoopOptions());
    }

    @AfterEach
    void close() throws Exception {
        net.close();
    }

    /** Where a read's handler ran, for a read that waits for the peer. */
    private Thread readHandlerThread(HandlerThreads threads) throws Exception {
        try (AsynchronousServerSocketChannel server = UringAsynchronousServerSocketChannel.open(net, threads)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             AsynchronousSocketChannel client = UringAsynchronousSocketChannel.open(net)) {
            Capture<AsynchronousSocketChannel> accepted = new Capture<>();
            server.accept(null, accepted);
            client.connect(server.getLocalAddress()).get(WAIT, TimeUnit.SECONDS);
            try (AsynchronousSocketChannel conn = accepted.result()) {
                assertSame(threads, ((UringAsynchronousSocketChannel) conn).handlerThreads(), "accepted channels inherit the choice");
                Capture<Integer> read = new Capture<>();
                conn.read(ByteBuffer.allocate(10), null, read);
                Thread.sleep(20);
                client.write(ByteBuffer.wrap(new byte[] {1})).get(WAIT, TimeUnit.SECONDS);
                read.result();
                return read.thread;
            }
        }
    }

    @Test
    void virtualHandlersRunOnVirtualThreads() throws Exception {
        Thread t = readHandlerThread(HandlerThreads.VIRTUAL);
        assertTrue(t.isVirtual(), t.toString());
    }

    @Test
    void loopHandlersRunOnTheLoopThatCompletedTheRead() throws Exception {
        assumeTrue(net.backend() == Backend.IO_URING, "the portable backend has no loops: its handlers run as VIRTUAL's");
        Thread t = readHandlerThread(HandlerThreads.EVENT_LOOP);
        assertFalse(t.isVirtual(), t.toString());
        assertTrue(t.getName().startsWith("uring4j-loop"), t.getName());
    }

    /**
     * Writes that complete at once, each started by the last one's handler: called directly, yet
     * never more than 16 deep (the stack stays flat), and every byte arrives in order.
     */
    @Test
    void directCallsOfHandlersNestAtMostSixteenDeep() throws Exception {
        for (HandlerThreads threads : HandlerThreads.values()) {
            try (AsynchronousServerSocketChannel server = UringAsynchronousServerSocketChannel.open(net, threads)
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                 AsynchronousSocketChannel client = UringAsynchronousSocketChannel.open(net, threads)) {
                Capture<AsynchronousSocketChannel> accepted = new Capture<>();
                server.accept(null, accepted);
                client.connect(server.getLocalAddress()).get(WAIT, TimeUnit.SECONDS);
                int writes = 5000;
                CompletableFuture<Integer> deepest = new CompletableFuture<>();
                ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);
                int[] max = new int[1];
                CompletionHandler<Integer, Integer> next = new CompletionHandler<>() {
                    @Override
                    public void completed(Integer n, Integer i) {
                        int[] d = depth.get();
                        d[0]++;
                        synchronized (max) {
                            max[0] = Math.max(max[0], d[0]);
                        }
                        try {
                            if (i + 1 == writes) {
                                synchronized (max) {
                                    deepest.complete(max[0]);
                                }
                            } else {
                                client.write(ByteBuffer.wrap(new byte[] {(byte) (i + 1)}), i + 1, this);
                            }
                        } finally {
                            d[0]--;
                        }
                    }

                    @Override
                    public void failed(Throwable exc, Integer i) {
                        deepest.completeExceptionally(exc);
                    }
                };
                client.write(ByteBuffer.wrap(new byte[] {0}), 0, next);
                int d = deepest.get(WAIT, TimeUnit.SECONDS);
                assertTrue(d <= SocketRelay.MAX_DIRECT + 1, threads + ": handlers nested " + d + " deep");
                byte[] expected = new byte[writes];
                for (int i = 0; i < writes; i++) {
                    expected[i] = (byte) i;
                }
                try (AsynchronousSocketChannel conn = accepted.result()) {
                    assertArrayEquals(expected, ChannelTestSupport.readFully(conn, writes), threads.toString());
                }
            }
        }
    }

    @Test
    void aHandlerThatThrowsOnTheLoopLeavesItServing() throws Exception {
        assumeTrue(net.backend() == Backend.IO_URING, "loop handlers need io_uring");
        try (AsynchronousServerSocketChannel server = UringAsynchronousServerSocketChannel.open(net, HandlerThreads.EVENT_LOOP)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            CompletableFuture<Void> second = new CompletableFuture<>();
            server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
                private boolean first = true;

                @Override
                public void completed(AsynchronousSocketChannel ch, Void a) {
                    if (first) {
                        first = false;
                        server.accept(null, this);
                        throw new IllegalStateException("a handler's bug (reported as uncaught; the loop goes on)");
                    }
                    second.complete(null);
                }

                @Override
                public void failed(Throwable exc, Void a) {
                    second.completeExceptionally(exc);
                }
            });
            try (AsynchronousSocketChannel c1 = UringAsynchronousSocketChannel.open(net);
                 AsynchronousSocketChannel c2 = UringAsynchronousSocketChannel.open(net)) {
                c1.connect(server.getLocalAddress()).get(WAIT, TimeUnit.SECONDS);
                c2.connect(server.getLocalAddress()).get(WAIT, TimeUnit.SECONDS);
                second.get(WAIT, TimeUnit.SECONDS);
            }
        }
    }
}
