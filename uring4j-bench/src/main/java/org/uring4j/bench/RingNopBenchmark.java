package org.uring4j.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.uring4j.ring.CqeBatch;
import org.uring4j.ring.Ring;

/**
 * Per-op cost of the raw ring: NOPs prepared, submitted and reaped in batches of 32 (one
 * io_uring_enter per batch), the workload liburing's NOP benchmark measures.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RingNopBenchmark {
    private static final int BATCH = 32;

    private Ring ring;
    private CqeBatch cqes;

    @Setup(Level.Trial)
    public void open() throws Exception {
        ring = Ring.open(BATCH);
        cqes = new CqeBatch(BATCH);
    }

    @TearDown(Level.Trial)
    public void close() {
        ring.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int nopBatch() throws Exception {
        for (int i = 0; i < BATCH; i++) {
            ring.getSqe().prepNop().userData(i);
        }
        ring.submitAndWait(BATCH);
        return ring.copyCqes(cqes);
    }
}
