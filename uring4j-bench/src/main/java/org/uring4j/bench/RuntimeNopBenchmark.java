package org.uring4j.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.runtime.NopOperation;

/**
 * Per-op cost of the futures layer: a NOP handed to an {@link EventLoop} from another thread and
 * its CompletableFuture joined — one at a time (the full cross-thread round trip) and 32 at a
 * time (what batching buys). Compare with {@link RingNopBenchmark}, the raw ring on one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RuntimeNopBenchmark {
    private static final int BATCH = 32;

    /** LoopOptions.spin in microseconds: 0 (the default, sleep at once) or 20. */
    @Param({"0", "20"})
    public int spinMicros;

    private EventLoop loop;
    private final CompletableFuture<?>[] batch = new CompletableFuture<?>[BATCH];

    @Setup(Level.Trial)
    public void open() throws Exception {
        loop = EventLoop.open(new LoopOptions().spin(java.time.Duration.ofNanos(spinMicros * 1000L)));
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        loop.close();
    }

    /** One NOP, submitted and joined: the latency of a blocking call through the loop. */
    @Benchmark
    public Integer roundTrip() {
        return loop.submit(new NopOperation()).join();
    }

    /** 32 NOPs submitted, then all joined: per-op cost when work arrives together. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object batchOf32() {
        for (int i = 0; i < BATCH; i++) {
            batch[i] = loop.submit(new NopOperation());
        }
        return CompletableFuture.allOf(batch).join();
    }
}
