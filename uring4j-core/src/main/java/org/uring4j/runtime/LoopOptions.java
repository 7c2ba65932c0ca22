package org.uring4j.runtime;

import java.time.Duration;
import java.util.Objects;

/** How an {@link EventLoop} sets up its ring and how long its close waits for the kernel. */
public final class LoopOptions {
    private int entries = 256;
    private int cqEntries = 4096;
    private Duration closeTimeout = Duration.ofSeconds(10);

    /** Submission queue entries (default 256): how many ops one io_uring_enter can carry. */
    public LoopOptions entries(int entries) {
        if (entries < 2 || entries > 32768) {
            throw new IllegalArgumentException("entries must be 2..32768: " + entries);
        }
        this.entries = entries;
        return this;
    }

    /** Completion queue entries (default 4096); overflow beyond it is held by the kernel, not lost. */
    public LoopOptions cqEntries(int cqEntries) {
        if (cqEntries < 2) {
            throw new IllegalArgumentException("cqEntries must be at least 2: " + cqEntries);
        }
        this.cqEntries = cqEntries;
        return this;
    }

    /** How long {@link EventLoop#close()} waits for in-flight ops to complete (default 10 s). */
    public LoopOptions closeTimeout(Duration closeTimeout) {
        if (Objects.requireNonNull(closeTimeout, "closeTimeout").isNegative() || closeTimeout.isZero()) {
            throw new IllegalArgumentException("closeTimeout must be positive: " + closeTimeout);
        }
        this.closeTimeout = closeTimeout;
        return this;
    }

    public int entries() {
        return entries;
    }

    public int cqEntries() {
        return Math.max(cqEntries, entries);
    }

    public Duration closeTimeout() {
        return closeTimeout;
    }
}
