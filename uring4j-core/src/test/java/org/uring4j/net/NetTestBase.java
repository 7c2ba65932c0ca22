package org.uring4j.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.uring4j.fs.Backend;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.runtime.UringRuntime;

/**
 * Base of the socket tests: a two-loop {@link UringNet} per test on the backend the run asks for
 * ({@code -Dorg.uring4j.backend=portable} in the portable run), bounded waits, and loopback only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class NetTestBase {
    static final long WAIT_SECONDS = 30;
    UringNet net;

    @BeforeEach
    void openNet() throws Exception {
        net = UringNet.open(2, new LoopOptions());
    }

    @AfterEach
    void closeNet() throws Exception {
        net.close();
    }

    boolean onIoUring() {
        return net.backend() == Backend.IO_URING;
    }

    /** The bytes the loops' native memory pools hold (0 on the portable backend). */
    long loopPoolBytes() throws Exception {
        long pool = 0;
        if (onIoUring()) {
            UringRuntime runtime = net.runtime();
            for (int i = 0; i < runtime.loopCount(); i++) {
                EventLoop loop = runtime.loop(i);
                pool += await(loop.call(r -> loop.memory().allocatedBytes()));
            }
        }
        return pool;
    }

    static InetSocketAddress loopback4() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** The future's value within {@link #WAIT_SECONDS}; its failure rethrown unwrapped. */
    static <T> T await(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new AssertionError("no completion within " + WAIT_SECONDS + " s", e);
        }
    }

    static byte[] pattern(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Reads exactly {@code n} bytes, or fails at end of stream. */
    static byte[] readN(UringSocket s, int n) throws Exception {
        byte[] b = new byte[n];
        int done = 0;
        while (done < n) {
            int r = s.read(b, done, n - done);
            if (r < 0) {
                throw new AssertionError("end of stream after " + done + " of " + n + " bytes");
            }
            done += r;
        }
        return b;
    }

    static void assertEcho(UringSocket client, byte[] data) throws Exception {
        client.write(data, 0, data.length);
        assertArrayEquals(data, readN(client, data.length));
    }

    /** Open descriptors of this process. */
    static int fdCount() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits (polling, at most {@link #WAIT_SECONDS}) until {@code c} holds; fails with {@code what} if it never does. */
    static void waitUntil(Condition c, String what) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!c.holds()) {
            if (System.nanoTime() > end) {
                throw new AssertionError(what + " after " + WAIT_SECONDS + " s");
            }
            Thread.sleep(1);
        }
    }

    /** Open socket descriptors of this process (the JVM opens other files lazily). */
    static int socketCount() throws java.io.IOException {
        int n = 0;
        try (java.nio.file.DirectoryStream<java.nio.file.Path> fds = java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc/self/fd"))) {
            for (java.nio.file.Path fd : fds) {
                try {
                    if (java.nio.file.Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        n++;
                    }
                } catch (java.io.IOException closedMeanwhile) {
                    // gone between the listing and the look
                }
            }
        }
        return n;
    }

    /** A server on loopback that echoes every connection on a virtual thread of its own; closes with the net. */
    UringServerSocket echoServer() throws Exception {
        return echoServer(false);
    }

    /** As {@link #echoServer()}, with TCP_NODELAY on each connection if {@code noDelay}. */
    UringServerSocket echoServer(boolean noDelay) throws Exception {
        UringServerSocket server = net.listen(loopback4());
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    UringSocket s = server.accept();
                    if (noDelay) {
                        s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    }
                    Thread.ofVirtual().start(() -> echo(s));
                }
            } catch (Exception e) {
                // closed
            }
        });
        return server;
    }

    static void echo(UringSocket s) {
        byte[] buf = new byte[16384];
        try (s) {
            int n;
            while ((n = s.read(buf, 0, buf.length)) > 0) {
                s.write(buf, 0, n);
            }
        } catch (Exception e) {
            // the peer went away
        }
    }
}
