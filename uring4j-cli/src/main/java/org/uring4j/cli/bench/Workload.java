package org.uring4j.cli.bench;

import java.util.SplittableRandom;

/**
 * Where each request of one thread goes: a random block or the next one, and whether it reads
 * or writes (half and half for randrw). One per thread; not thread-safe.
 */
final class Workload {
    private final BenchSpec spec;
    private final SplittableRandom random;
    private final long blocks;
    private long next;

    Workload(BenchSpec spec, int thread) {
        this.spec = spec;
        this.random = new SplittableRandom(0x5eed + thread * 7919L);
        this.blocks = spec.blocks();
        // Sequential threads start at different places so they do not read the same blocks.
        this.next = blocks * thread / Math.max(1, spec.threads());
    }

    /** The byte offset of the next request. */
    long nextOffset() {
        long block;
        if (spec.rw().random()) {
            block = random.nextLong(blocks);
        } else {
            block = next;
            next = next + 1 == blocks ? 0 : next + 1;
        }
        return block * spec.bs();
    }

    /** Whether the next request writes. */
    boolean nextIsWrite() {
        return switch (spec.rw()) {
            case WRITE, RANDWRITE -> true;
            case RANDRW -> random.nextBoolean();
            default -> false;
        };
    }
}
