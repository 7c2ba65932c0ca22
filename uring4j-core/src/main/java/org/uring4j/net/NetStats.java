package org.uring4j.net;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts of what the io_uring sockets of one {@link RingNet} did, for finding where a
 * benchmark's time goes: made only when the system property {@link #PROPERTY} is {@code true},
 * and then printed to standard error when the JVM exits. Nothing counts otherwise.
 */
final class NetStats {
    /** System property: {@code true} counts and prints at exit. */
    static final String PROPERTY = "org.uring4j.net.stats";

    private final LongAdder receiveCompletions = new LongAdder();
    private final LongAdder receiveBytes = new LongAdder();
    private final LongAdder bundles = new LongAdder();
    private final LongAdder bundleBuffers = new LongAdder();
    private final LongAdder noBuffers = new LongAdder();
    private final LongAdder rearms = new LongAdder();
    private final LongAdder backlogged = new LongAdder();
    private final LongAdder lentSends = new LongAdder();
    private final LongAdder copiedChunkSends = new LongAdder();
    private final LongAdder queuedSends = new LongAdder();
    private final LongAdder zeroCopySends = new LongAdder();
    private final LongAdder zeroCopyCopied = new LongAdder();

    /** A NetStats that prints itself at exit, or null unless {@link #PROPERTY} is true. */
    static NetStats ifWanted() {
        if (!Boolean.getBoolean(PROPERTY)) {
            return null;
        }
        NetStats s = new NetStats();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.println(s), "uring4j-net-stats"));
        return s;
    }

    void received(int bytes, int buffers) {
        receiveCompletions.increment();
        receiveBytes.add(bytes);
        if (buffers > 1) {
            bundles.increment();
            bundleBuffers.add(buffers);
        }
    }

    void noBuffers() {
        noBuffers.increment();
    }

    void rearmed() {
        rearms.increment();
    }

    void backlogged() {
        backlogged.increment();
    }

    void lentSend() {
        lentSends.increment();
    }

    void copiedChunkSend() {
        copiedChunkSends.increment();
    }

    void queuedSend() {
        queuedSends.increment();
    }

    void zeroCopySend() {
        zeroCopySends.increment();
    }

    void zeroCopyNotified(boolean copied) {
        if (copied) {
            zeroCopyCopied.increment();
        }
    }

    @Override
    public String toString() {
        return "uring4j net stats: receive completions " + receiveCompletions.sum() + " (" + receiveBytes.sum() + " B), bundles "
                + bundles.sum() + " (" + bundleBuffers.sum() + " buffers), ENOBUFS " + noBuffers.sum() + ", receives armed "
                + rearms.sum() + ", chunks kept while paused " + backlogged.sum() + "; sends from a provided buffer "
                + lentSends.sum() + ", chunk sends copied " + copiedChunkSends.sum() + ", loop sends queued behind another "
                + queuedSends.sum() + ", SEND_ZC " + zeroCopySends.sum() + " (kernel copied " + zeroCopyCopied.sum() + ")";
    }
}
