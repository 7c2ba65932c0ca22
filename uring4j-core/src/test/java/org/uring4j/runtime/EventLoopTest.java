package org.uring4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class EventLoopTest {

    @Test
    void nopFromAnotherThreadCompletes() throws Exception {
        try (EventLoop loop = EventLoop.open()) {
            assertEquals(0, Await.get(loop.submit(new NopOperation())));
        }
    }

    @Test
    void sixteenThreadsSubmittingAMillionOpsEachCompleteOnce() throws Exception {
        int threads = 16;
        int perThread = 1_000_000 / threads;
        AtomicInteger completions = new AtomicInteger();
        try (EventLoop loop = EventLoop.open(); ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(CompletableFuture.runAsync(() -> {
                    // Keep a bounded window in flight per thread, as a real client would.
                    CompletableFuture<?>[] window = new CompletableFuture<?>[256];
                    for (int i = 0; i < perThread; i++) {
                        int w = i % window.length;
                        if (window[w] != null) {
                            window[w].join();
                        }
                        window[w] = loop.submit(new NopOperation()).thenRun(completions::incrementAndGet);
                    }
                    for (CompletableFuture<?> f : window) {
                        if (f != null) {
                            f.join();
                        }
                    }
                }, pool));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        }
        assertEquals(threads * perThread, completions.get());
    }

    @Test
    void tinyCompletionQueueOverflowsWithoutLosingCompletions() throws Exception {
        // A 2-entry CQ with thousands in flight: the kernel keeps the overflow (NODROP) and the loop
        // reaps it; every future completes exactly once.
        AtomicInteger completions = new AtomicInteger();
        try (EventLoop loop = EventLoop.open(new LoopOptions().entries(2).cqEntries(2))) {
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                all.add(loop.submit(new NopOperation()).thenRun(completions::incrementAndGet));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        }
        assertEquals(20_000, completions.get());
    }

    @Test
    void closedLoopRefusesWork() throws Exception {
        EventLoop loop = EventLoop.open();
        loop.close();
        loop.close();
        assertTrue(loop.isClosed());
        assertThrows(RuntimeClosedException.class, () -> loop.submit(new NopOperation()));
    }

    @Test
    void virtualThreadsBlockOnOps() throws Exception {
        try (EventLoop loop = EventLoop.open(); ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                results.add(vts.submit(() -> Await.get(loop.submit(new NopOperation()))));
            }
            for (var r : results) {
                assertEquals(0, r.get());
            }
        }
    }
}
