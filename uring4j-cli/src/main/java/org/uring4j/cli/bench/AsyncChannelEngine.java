package org.uring4j.cli.bench;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The JDK's AsynchronousFileChannel with {@code qd} requests in flight: each completion handler
 * records the latency and issues the next request (the JDK runs the blocking calls on a pool of
 * {@code qd} threads, which is how it keeps qd requests going on Linux).
 */
final class AsyncChannelEngine implements Engine {

    @Override
    public long run(BenchSpec spec, int thread, long deadline, ThreadStats stats) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(spec.qd());
        AtomicLong done = new AtomicLong();
        AtomicInteger inFlight = new AtomicInteger(spec.qd());
        CompletableFuture<Void> finished = new CompletableFuture<>();
        Workload workload = new Workload(spec, thread);
        try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(spec.file(), FileChannelEngine.options(spec), pool)) {
            for (int i = 0; i < spec.qd(); i++) {
                ByteBuffer buf = FileChannelEngine.buffer(spec);
                new Request(ch, spec, workload, buf, deadline, stats, done, inFlight, finished).issue();
            }
            finished.get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000) + 60_000, TimeUnit.MILLISECONDS);
        } finally {
            pool.shutdownNow();
        }
        return done.get();
    }

    /** One of the qd request slots: re-issues itself from its completion until the deadline. */
    private record Request(AsynchronousFileChannel ch, BenchSpec spec, Workload workload, ByteBuffer buf, long deadline,
                           ThreadStats stats, AtomicLong done, AtomicInteger inFlight, CompletableFuture<Void> finished)
            implements CompletionHandler<Integer, Long> {

        void issue() {
            long off;
            boolean write;
            synchronized (workload) { // shared by the qd slots; the handlers run on pool threads
                off = workload.nextOffset();
                write = workload.nextIsWrite();
            }
            buf.clear().limit(spec.bs());
            if (write) {
                ch.write(buf, off, System.nanoTime(), this);
            } else {
                ch.read(buf, off, System.nanoTime(), this);
            }
        }

        @Override
        public void completed(Integer n, Long started) {
            long now = System.nanoTime();
            if (n != spec.bs()) {
                finished.completeExceptionally(new IllegalStateException("short transfer: " + n + " of " + spec.bs()));
                return;
            }
            synchronized (stats) {
                stats.record(now - started, 1);
            }
            done.incrementAndGet();
            if (now < deadline) {
                issue();
            } else if (inFlight.decrementAndGet() == 0) {
                finished.complete(null);
            }
        }

        @Override
        public void failed(Throwable t, Long started) {
            finished.completeExceptionally(t);
        }
    }
}
