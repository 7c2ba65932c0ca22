package org.uring4j.cli.bench;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The JDK's AsynchronousFileChannel with {@code qd} requests in flight: each completion handler
 * records the latency and issues the next request (the JDK runs the blocking calls on a pool of
 * {@code qd} threads, which is how it keeps qd requests going on Linux).
 */
final class AsyncChannelEngine implements Engine {

    @Override
    public long run(BenchSpec spec, int thread, long deadline, ThreadStats stats) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(spec.qd());
        SlotGroup slots = new SlotGroup(spec, thread, deadline, stats);
        try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(spec.file(), FileChannelEngine.options(spec), pool)) {
            for (int i = 0; i < spec.qd(); i++) {
                new Request(ch, slots, FileChannelEngine.buffer(spec), spec.bs()).issue();
            }
            return slots.await();
        } finally {
            pool.shutdownNow();
        }
    }

    /** One of the qd request slots: re-issues itself from its completion until the deadline. */
    private record Request(AsynchronousFileChannel ch, SlotGroup slots, ByteBuffer buf, int bs)
            implements CompletionHandler<Integer, Long> {

        void issue() {
            long next = slots.next();
            buf.clear().limit(bs);
            if (next < 0) {
                ch.write(buf, ~next, System.nanoTime(), this);
            } else {
                ch.read(buf, next, System.nanoTime(), this);
            }
        }

        @Override
        public void completed(Integer n, Long started) {
            if (slots.completed(n, null, started)) {
                issue();
            }
        }

        @Override
        public void failed(Throwable t, Long started) {
            slots.completed(null, t, started);
        }
    }
}
