package org.uring4j.cli.bench;

import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;

/** One thread's latencies (in a histogram of its own) and a shared progress counter. */
final class ThreadStats {
    /** 1 ns to 100 s, 3 significant digits. */
    final Histogram latency = new Histogram(1, 100_000_000_000L, 3);
    final LongAdder progress;

    ThreadStats(LongAdder progress) {
        this.progress = progress;
    }

    void record(long nanos, int count) {
        latency.recordValueWithCount(Math.max(1, Math.min(nanos, 100_000_000_000L)), count);
        progress.add(count);
    }
}
