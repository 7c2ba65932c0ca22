package org.uring4j.cli.bench;

import java.lang.foreign.MemorySegment;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
        SlotGroup slots = new SlotGroup(spec, thread, deadline, stats);
        // io_uring for "files" or an error saying why not: never a silent fallback that would measure the other backend.
        UringRuntime runtime = backend == Backend.PORTABLE ? null
                : UringRuntime.open(1, new LoopOptions().entries(Math.max(256, Integer.highestOneBit(spec.qd()) * 2)));
        try (UringFiles files = runtime == null ? UringFiles.portable() : UringFiles.over(runtime);
             AsyncFile f = files.open(spec.file(), options(spec))) {
            for (int i = 0; i < spec.qd(); i++) {
                new Request(f, slots, MemorySegment.ofBuffer(FileChannelEngine.buffer(spec))).issue();
            }
            return slots.await();
        } finally {
            if (runtime != null) {
                runtime.close();
            }
        }
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

    /**
     * One of the qd request slots: re-issues itself from its completion until the deadline. A
     * request served on the caller's path (a page-cache hit) is already complete when it returns:
     * the slot goes on in a loop rather than from a nested callback, which would recurse once per
     * request.
     */
    private record Request(AsyncFile file, SlotGroup slots, MemorySegment buf) {
        void issue() {
            while (true) {
                long next = slots.next();
                long started = System.nanoTime();
                CompletableFuture<Integer> op = next < 0 ? file.writeAsync(buf, ~next) : file.readAsync(buf, next);
                if (!op.isDone()) {
                    op.whenComplete((n, t) -> {
                        if (slots.completed(n, t, started)) {
                            issue();
                        }
                    });
                    return;
                }
                Integer n = null;
                Throwable t = null;
                try {
                    n = op.join();
                } catch (CompletionException e) {
                    t = e.getCause();
                }
                if (!slots.completed(n, t, started)) {
                    return;
                }
            }
        }
    }
}
