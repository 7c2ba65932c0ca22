package org.uring4j.fs;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many carriers of the virtual-thread scheduler may wait in a read or write at once, on the
 * calling virtual thread, instead of parking it on the ring.
 *
 * <p>A transfer that must wait for the device (O_DIRECT, a page-cache miss) costs the ring path
 * two wake-ups the device's own latency does not hide on a small machine: the loop's, to submit,
 * and the carrier's, to run the parked thread again. FileChannel makes the call on its carrier
 * (the JDK lends the scheduler a spare carrier meanwhile). A library cannot do that, so only a
 * few carriers may wait at once: the first waits of a quiet program cost what FileChannel's do,
 * and everything beyond them parks on the ring, where any number can be in flight while the
 * remaining carriers run everything else.
 *
 * <p>The number is a quarter of the scheduler's parallelism (the property
 * {@code jdk.virtualThreadScheduler.parallelism}, else the processor count), at least one, but
 * none with a single carrier; {@code org.uring4j.carrierWaits} sets it (0: always the ring).
 */
final class CarrierWaits {
    private static final int MAX = configured();
    private static final AtomicInteger WAITING = new AtomicInteger();

    private CarrierWaits() {
    }

    /** Takes a permit if one is free; {@link #release} it after the call. */
    static boolean tryAcquire() {
        for (int n = WAITING.get(); n < MAX; n = WAITING.get()) {
            if (WAITING.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    static void release() {
        WAITING.decrementAndGet();
    }

    /** How many carriers may wait at once. */
    static int limit() {
        return MAX;
    }

    private static int configured() {
        Integer set = Integer.getInteger("org.uring4j.carrierWaits");
        if (set != null) {
            return Math.max(0, set);
        }
        int parallelism = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
        // A lone carrier never waits: every other virtual thread would wait with it.
        return parallelism < 2 ? 0 : Math.max(1, parallelism / 4);
    }
}
