package org.uring4j.runtime;

import java.time.Duration;
import java.util.Objects;

/** How an {@link EventLoop} sets up its ring and how long its close waits for the kernel. */
public final class LoopOptions {
    private int entries = 256;
    private int cqEntries = 4096;
    private Duration closeTimeout = Duration.ofSeconds(10);
    private int fixedFiles = 4096;
    private long registeredBufferBytes = 4L << 20;
    private Duration spin = Duration.ZERO;

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

    /** Slots of the loop's registered file table (default 4096, at most the soft RLIMIT_NOFILE; 0 for none). */
    public LoopOptions fixedFiles(int slots) {
        if (slots < 0 || slots > 1 << 20) {
            throw new IllegalArgumentException("fixedFiles must be 0..1048576: " + slots);
        }
        this.fixedFiles = slots;
        return this;
    }

    /**
     * Bytes of bounce buffers registered with the ring for heap-array I/O (default 4 MiB, in
     * 64 KiB buffers; 0 for none). Registered buffers count against RLIMIT_MEMLOCK for
     * unprivileged users; if the limit refuses them, the loop uses unregistered ones.
     */
    public LoopOptions registeredBufferBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("registeredBufferBytes must not be negative: " + bytes);
        }
        this.registeredBufferBytes = bytes;
        return this;
    }

    /**
     * How long the loop stays awake, polling for new work and completions, before it sleeps in
     * {@code io_uring_enter} (default zero: sleep at once). Spinning spares a caller that answers
     * each completion with new work the wake-up of a sleeping loop — one loop's lone round trip
     * halves (docs/benchmarks.md) — but a spinning loop holds a core: with as many loops as
     * cores, the callers' own threads lose the CPU, and blocking calls measured slower. Worth it
     * with a core to spare per loop.
     */
    public LoopOptions spin(Duration spin) {
        if (Objects.requireNonNull(spin, "spin").isNegative() || spin.compareTo(Duration.ofMillis(10)) > 0) {
            throw new IllegalArgumentException("spin must be 0..10 ms: " + spin);
        }
        this.spin = spin;
        return this;
    }

    public Duration spin() {
        return spin;
    }

    public int fixedFiles() {
        return fixedFiles;
    }

    public long registeredBufferBytes() {
        return registeredBufferBytes;
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
