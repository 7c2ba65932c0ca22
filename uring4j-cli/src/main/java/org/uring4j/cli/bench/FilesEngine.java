package org.uring4j.cli.bench;

import java.lang.foreign.MemorySegment;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.uring4j.fs.AsyncFile;
import org.uring4j.fs.Backend;
import org.uring4j.fs.UringFiles;
import org.uring4j.fs.UringOpenOption;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.runtime.UringRuntime;

/**
 * uring4j's file API ({@link UringFiles}, {@link AsyncFile}) with {@code qd} futures in flight:
 * each completion records the latency and issues the next request. On {@link Backend#IO_URING}
 * that is the futures layer over one event loop; on {@link Backend#PORTABLE} each request is a
 * FileChannel call on a virtual thread.
 */
final class FilesEngine implements Engine {
    private final Backend backend;

    FilesEngine(Backend backend) {
        this.backend = backend;
    }

    @Override
    public long run(BenchSpec spec, int thread, long deadline, ThreadStats stats) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicInteger inFlight = new AtomicInteger(spec.qd());
        CompletableFuture<Void> finished = new CompletableFuture<>();
        Workload workload = new Workload(spec, thread);
        // io_uring for "files" or an error saying why not: never a silent fallback that would measure the other backend.
        UringRuntime runtime = backend == Backend.PORTABLE ? null
                : UringRuntime.open(1, new LoopOptions().entries(Math.max(256, Integer.highestOneBit(spec.qd()) * 2)));
        try (UringFiles files = runtime == null ? UringFiles.portable() : UringFiles.over(runtime);
             AsyncFile f = files.open(spec.file(), options(spec))) {
            for (int i = 0; i < spec.qd(); i++) {
                MemorySegment buf = MemorySegment.ofBuffer(FileChannelEngine.buffer(spec));
                new Request(f, spec, workload, buf, deadline, stats, done, inFlight, finished).issue();
            }
            finished.get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000) + 60_000, TimeUnit.MILLISECONDS);
        } finally {
            if (runtime != null) {
                runtime.close();
            }
        }
        return done.get();
    }

    private static Set<OpenOption> options(BenchSpec spec) {
        Set<OpenOption> o = new HashSet<>();
        o.add(StandardOpenOption.READ);
        if (spec.rw().writes()) {
            o.add(StandardOpenOption.WRITE);
        }
        if (spec.direct()) {
            o.add(UringOpenOption.DIRECT);
        }
        return o;
    }

    /** One of the qd request slots: re-issues itself from its completion until the deadline. */
    private record Request(AsyncFile file, BenchSpec spec, Workload workload, MemorySegment buf, long deadline,
                           ThreadStats stats, AtomicLong done, AtomicInteger inFlight, CompletableFuture<Void> finished) {

        void issue() {
            long off;
            boolean write;
            synchronized (workload) { // shared by the qd slots; completions run on the loop or on virtual threads
                off = workload.nextOffset();
                write = workload.nextIsWrite();
            }
            long started = System.nanoTime();
            (write ? file.writeAsync(buf, off) : file.readAsync(buf, off)).whenComplete((n, t) -> completed(n, t, started));
        }

        private void completed(Integer n, Throwable t, long started) {
            long now = System.nanoTime();
            if (t != null || n != spec.bs()) {
                finished.completeExceptionally(t != null ? t : new IllegalStateException("short transfer: " + n + " of " + spec.bs()));
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
    }
}
