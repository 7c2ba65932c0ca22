package org.uring4j.cli.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * net-bench's load client: the same one drives every server of a run. {@code vthread}: a virtual
 * thread per connection on a blocking SocketChannel ({@link EchoLoad}); {@code nio}: a few platform
 * threads, each a Selector over its share of non-blocking SocketChannels ({@link NioEchoLoad}),
 * cheaper per round trip, so that the server rather than the client is the limit; {@code uring}: a
 * few uring4j event loops, a stream receive per connection and the next batch sent from its
 * handler ({@link UringEchoLoad}), cheaper still. All check every echoed byte.
 */
interface LoadClient extends AutoCloseable {
    /** What one measured run saw. */
    record Sample(long roundTrips, double seconds, org.HdrHistogram.Histogram latency) {
    }

    /** Runs every connection for {@code seconds}; fails if a byte came back wrong or a connection broke. */
    Sample run(double seconds) throws Exception;

    @Override
    void close();

    /**
     * The bytes of every batch: batch {@code seq} of a connection is {@code pattern(batch)} from
     * offset {@code seq & 0xff}, byte i being (seq + i) mod 256. Filled and checked with bulk copies
     * and mismatch (vectorised), so that a 16 KiB echo costs the client little more than a 64 B one.
     */
    static java.nio.ByteBuffer pattern(int batch) {
        java.nio.ByteBuffer p = java.nio.ByteBuffer.allocateDirect(batch + 256);
        for (int i = 0; i < p.capacity(); i++) {
            p.put(i, (byte) i);
        }
        return p.asReadOnlyBuffer();
    }

    /** Batch {@code seq}'s bytes as a view of {@code pattern}. */
    static java.nio.ByteBuffer expected(java.nio.ByteBuffer pattern, byte seq, int batch) {
        return pattern.slice(seq & 0xff, batch);
    }

    /** Fails unless {@code in} (positions 0..batch) holds batch {@code seq}. */
    static void check(java.nio.ByteBuffer pattern, java.nio.ByteBuffer in, byte seq, int batch) throws IOException {
        java.nio.ByteBuffer want = expected(pattern, seq, batch);
        int at = in.slice(0, batch).mismatch(want);
        if (at >= 0) {
            throw new IOException("echoed byte " + at + " differs: sent " + want.get(at) + ", got " + in.get(at));
        }
    }

    enum Kind {
        VTHREAD, NIO, URING;

        static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.name().toLowerCase(Locale.ROOT).equals(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("--client " + s + ": expected nio, uring or vthread");
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static LoadClient open(Kind kind, int threads, InetSocketAddress server, int conns, int msg, int pipeline) throws IOException {
        return switch (kind) {
            case VTHREAD -> new EchoLoad(server, conns, msg, pipeline);
            case NIO -> new NioEchoLoad(server, conns, msg, pipeline, threads);
            case URING -> new UringEchoLoad(server, conns, msg, pipeline, threads);
        };
    }
}
