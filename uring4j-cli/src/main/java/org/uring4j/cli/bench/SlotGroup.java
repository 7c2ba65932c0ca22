package org.uring4j.cli.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the {@code qd} request slots of an asynchronous engine share: the workload they draw
 * offsets from, the latency record, the count, and the end. Each slot issues a request, and from
 * its completion, {@link #completed}, the next one until the deadline; completions may come on
 * any thread.
 */
final class SlotGroup {
    private final BenchSpec spec;
    private final Workload workload;
    private final long deadline;
    private final ThreadStats stats;
    private final AtomicLong done = new AtomicLong();
    private final AtomicInteger inFlight;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    SlotGroup(BenchSpec spec, int thread, long deadline, ThreadStats stats) {
        this.spec = spec;
        this.workload = new Workload(spec, thread);
        this.deadline = deadline;
        this.stats = stats;
        this.inFlight = new AtomicInteger(spec.qd());
    }

    /** The next request: its offset, negated and less one ({@code ~offset}) if it writes. */
    synchronized long next() {
        long off = workload.nextOffset();
        return workload.nextIsWrite() ? ~off : off;
    }

    /**
     * A request of {@code n} bytes (or failure {@code t}) started at {@code started} ended: records
     * it, and says whether its slot issues the next one.
     */
    boolean completed(Integer n, Throwable t, long started) {
        long now = System.nanoTime();
        if (t != null || n == null || n != spec.bs()) {
            finished.completeExceptionally(t != null ? t : new IllegalStateException("short transfer: " + n + " of " + spec.bs()));
            return false;
        }
        synchronized (stats) {
            stats.record(now - started, 1);
        }
        done.incrementAndGet();
        if (now < deadline) {
            return true;
        }
        if (inFlight.decrementAndGet() == 0) {
            finished.complete(null);
        }
        return false;
    }

    /** Waits for the last slot to end (or the first failure); the requests done. */
    long await() throws Exception {
        finished.get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000) + 60_000, TimeUnit.MILLISECONDS);
        return done.get();
    }
}
