package org.uring4j.cli.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * net-bench's load client: the same one drives every server of a run. {@code vthread}: a virtual
 * thread per connection on a blocking SocketChannel ({@link EchoLoad}); {@code nio}: a few platform
 * threads, each a Selector over its share of non-blocking SocketChannels ({@link NioEchoLoad}),
 * cheaper per round trip, so that the server rather than the client is the limit. Both check every
 * echoed byte.
 */
interface LoadClient extends AutoCloseable {
    /** What one measured run saw. */
    record Sample(long roundTrips, double seconds, org.HdrHistogram.Histogram latency) {
    }

    /** Runs every connection for {@code seconds}; fails if a byte came back wrong or a connection broke. */
    Sample run(double seconds) throws Exception;

    @Override
    void close();

    enum Kind {
        VTHREAD, NIO;

        static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.name().toLowerCase(Locale.ROOT).equals(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("--client " + s + ": expected nio or vthread");
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static LoadClient open(Kind kind, int threads, InetSocketAddress server, int conns, int msg, int pipeline) throws IOException {
        return switch (kind) {
            case VTHREAD -> new EchoLoad(server, conns, msg, pipeline);
            case NIO -> new NioEchoLoad(server, conns, msg, pipeline, threads);
        };
    }
}
