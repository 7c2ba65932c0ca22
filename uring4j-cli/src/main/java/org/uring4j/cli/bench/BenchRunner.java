package org.uring4j.cli.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

import org.HdrHistogram.Histogram;
import org.uring4j.fs.Backend;

/** Runs a job on its threads and puts their numbers together. */
final class BenchRunner {
    private BenchRunner() {
    }

    static Engine engine(Engine.Kind kind) {
        return switch (kind) {
            case URING -> new RingEngine(false);
            case URING_FIXED -> new RingEngine(true);
            case FILECHANNEL -> new FileChannelEngine();
            case ASYNCCHANNEL -> new AsyncChannelEngine();
            case FILES -> new FilesEngine(Backend.IO_URING);
            case PORTABLE -> new FilesEngine(Backend.PORTABLE);
        };
    }

    /**
     * Runs {@code spec}; {@code progress} (may be null) hears the running count of completed
     * requests about five times a second.
     */
    static BenchResult run(BenchSpec spec, LongConsumer progress) throws Exception {
        return run(spec, 1.0, progress);
    }

    /**
     * Runs {@code spec} after {@code warmupSeconds} of the same work whose numbers are dropped:
     * the JIT compiles the hot paths of every engine (ours and the JDK's) during the warm-up, as
     * fio's ramp_time or JMH's warm-up iterations would let it.
     */
    static BenchResult run(BenchSpec spec, double warmupSeconds, LongConsumer progress) throws Exception {
        if (warmupSeconds > 0) {
            measure(new BenchSpec(spec.rw(), spec.bs(), spec.qd(), spec.size(), warmupSeconds, spec.file(), spec.direct(),
                    spec.threads(), spec.engine(), spec.sqpoll()), null);
        }
        return measure(spec, progress);
    }

    private static BenchResult measure(BenchSpec spec, LongConsumer progress) throws Exception {
        if (spec.rw() == BenchSpec.Rw.NOP && spec.engine() != Engine.Kind.URING && spec.engine() != Engine.Kind.URING_FIXED) {
            throw new IllegalArgumentException("--rw nop measures the ring itself: use --engine uring");
        }
        Engine engine = engine(spec.engine());
        LongAdder counter = new LongAdder();
        List<ThreadStats> stats = new ArrayList<>();
        List<CompletableFuture<Long>> done = new ArrayList<>();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        long deadline = t0 + (long) (spec.seconds() * 1e9);
        for (int t = 0; t < spec.threads(); t++) {
            ThreadStats s = new ThreadStats(counter);
            stats.add(s);
            int thread = t;
            CompletableFuture<Long> f = new CompletableFuture<>();
            Thread th = new Thread(() -> {
                try {
                    f.complete(engine.run(spec, thread, deadline, s));
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            }, "bench-" + spec.engine().label() + "-" + t);
            th.setDaemon(true);
            th.start();
            done.add(f);
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
        while (!all.isDone()) {
            try {
                all.get(200, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (progress != null) {
                    progress.accept(counter.sum());
                }
            } catch (ExecutionException e) {
                break;
            }
        }
        long ops = 0;
        for (CompletableFuture<Long> f : done) {
            try {
                ops += f.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (processCpuNanos() - cpu0) / 1e9;
        Histogram merged = new Histogram(1, 100_000_000_000L, 3);
        for (ThreadStats s : stats) {
            merged.add(s.latency);
        }
        return new BenchResult(spec, seconds, ops, merged.getValueAtPercentile(50), merged.getValueAtPercentile(99),
                merged.getValueAtPercentile(99.9), cpu);
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }
}
