package org.uring4j.cli.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * What idle connections cost a server: it runs in a JVM of its own (with native memory
 * tracking); N loopback connections each send one byte and get it back, after which the server
 * has a receive pending on each and nothing else to do; its memory after a full GC, less what it
 * held before, over N.
 */
final class IdleConnections {
    /** Connections made and closed before the baseline: the server's code paths and pools warm up. */
    private static final int WARMUP = 500;

    private IdleConnections() {
    }

    /** One server's figures: its memory before and with the connections open. */
    record Result(EchoServers.Engine engine, int connections, MemoryReport before, MemoryReport after) {
        double heapPerConnection() {
            return (double) (after.heapUsed() - before.heapUsed()) / connections;
        }

        /** Native memory outside the Java heap (NMT), or NaN if the server did not track it. */
        double nativePerConnection() {
            if (before.nativeCommitted() < 0 || after.nativeCommitted() < 0) {
                return Double.NaN;
            }
            return (double) (after.nativeCommitted() - before.nativeCommitted()) / connections;
        }

        double rssPerConnection() {
            return (double) (after.rss() - before.rss()) / connections;
        }
    }

    static Result measure(EchoServers.Engine engine, int connections, int loops) throws IOException, InterruptedException {
        try (ServerProcess server = ServerProcess.start(engine, loops, true)) {
            int idleFds = server.descriptors();
            closeAll(open(server.address(), Math.min(WARMUP, connections)));
            // The server closes its side once it reads end of stream: wait (boundedly) for that.
            for (int i = 0; i < 200 && server.descriptors() > idleFds + 4; i++) {
                Thread.sleep(50);
            }
            MemoryReport before = server.memory();
            List<SocketChannel> open = open(server.address(), connections);
            try {
                return new Result(engine, connections, before, server.memory());
            } finally {
                closeAll(open);
            }
        }
    }

    /** {@code n} connections, each having had one byte echoed: the server accepted it and waits on its next receive. */
    private static List<SocketChannel> open(InetSocketAddress server, int n) throws IOException {
        List<SocketChannel> channels = new ArrayList<>(n);
        ByteBuffer out = ByteBuffer.allocate(1);
        ByteBuffer in = ByteBuffer.allocate(1);
        try {
            for (int i = 0; i < n; i++) {
                SocketChannel c = SocketChannel.open(server);
                channels.add(c);
                out.clear().put(0, (byte) i);
                c.write(out);
                in.clear();
                if (c.read(in) != 1 || in.get(0) != (byte) i) {
                    throw new IOException("connection " + i + ": the server did not echo its byte");
                }
            }
        } catch (IOException | RuntimeException e) {
            closeAll(channels);
            throw e;
        }
        return channels;
    }

    private static void closeAll(List<SocketChannel> channels) {
        for (SocketChannel c : channels) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
