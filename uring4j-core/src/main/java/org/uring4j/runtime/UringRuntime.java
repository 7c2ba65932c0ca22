package org.uring4j.runtime;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.uring4j.UringException;

/**
 * Several {@link EventLoop}s run as one: where files and operations go, and the process-wide
 * io_uring controls (io-wq worker limits and CPU affinity, personalities) applied to every loop.
 *
 * <p>By default there is one loop per available processor. Work is spread round-robin unless a
 * caller names a loop ({@link #loop(int)}); a file stays on the loop that opened it, because its
 * registered (fixed) slot belongs to that loop's ring.
 */
public final class UringRuntime implements AutoCloseable {
    private final EventLoop[] loops;
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean closed;

    private UringRuntime(EventLoop[] loops) {
        this.loops = loops;
    }

    /** A runtime with one loop per available processor and default loop options. */
    public static UringRuntime open() throws UringException {
        return open(Runtime.getRuntime().availableProcessors(), new LoopOptions());
    }

    /** A runtime of {@code loops} loops, each set up with {@code options}. */
    public static UringRuntime open(int loops, LoopOptions options) throws UringException {
        if (loops < 1) {
            throw new IllegalArgumentException("loops must be positive: " + loops);
        }
        Objects.requireNonNull(options, "options");
        List<EventLoop> started = new ArrayList<>();
        try {
            for (int i = 0; i < loops; i++) {
                started.add(EventLoop.open(options));
            }
        } catch (UringException | RuntimeException | Error e) { // the loops already started are not left running
            for (EventLoop l : started) {
                try {
                    l.close();
                } catch (UringException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        return new UringRuntime(started.toArray(EventLoop[]::new));
    }

    /** Number of loops. */
    public int loopCount() {
        return loops.length;
    }

    /** Loop {@code index} (0-based). */
    public EventLoop loop(int index) {
        return loops[Objects.checkIndex(index, loops.length)];
    }

    /** The next loop in round-robin order: where new work without a home goes. */
    public EventLoop nextLoop() {
        checkOpen();
        return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
    }

    /** Runs {@code op} on the next loop. */
    public <T> CompletableFuture<T> submit(Operation<T> op) {
        return nextLoop().submit(op);
    }

    /**
     * Sets the most io-wq workers per loop ({@code IORING_REGISTER_IOWQ_MAX_WORKERS}): {@code bounded}
     * for work that finishes (regular file I/O), {@code unbounded} for work that may wait forever
     * (sockets, pipes). 0 leaves a value as it is, so {@code (0, 0)} only reads.
     *
     * @return the previous limits of the first loop: {bounded, unbounded}
     */
    public int[] ioWqMaxWorkers(int bounded, int unbounded) throws IOException {
        int[] first = null;
        for (EventLoop l : loops) {
            int[] prev = Await.get(l.call(r -> r.registerIoWqMaxWorkers(bounded, unbounded)));
            if (first == null) {
                first = prev;
            }
        }
        return first;
    }

    /** Pins every loop's io-wq workers to {@code cpus} ({@code IORING_REGISTER_IOWQ_AFF}); null lets them run anywhere again. */
    public void ioWqAffinity(BitSet cpus) throws IOException {
        for (EventLoop l : loops) {
            Await.get(l.call(r -> {
                if (cpus == null) {
                    r.unregisterIoWqAffinity();
                } else {
                    r.registerIoWqAffinity(cpus);
                }
                return null;
            }));
        }
    }

    /**
     * Registers the credentials of {@code loop}'s thread with its ring as a personality
     * ({@code IORING_REGISTER_PERSONALITY}); ops on that loop given the id run with those
     * credentials even after the process changes its own. The id is known to that loop's ring only.
     *
     * <p>These are the process's credentials as changed by setuid(2) and friends (glibc applies
     * those to every thread), but not a per-thread change the calling thread made for itself
     * (setfsuid(2), or a raw setresuid system call): Linux keeps credentials per thread, and the
     * registration has to run on the loop thread (a SINGLE_ISSUER ring refuses it from any other
     * thread with EEXIST).
     */
    public int registerPersonality(EventLoop loop) throws IOException {
        return Await.get(loop.call(r -> r.registerPersonality()));
    }

    private void checkOpen() {
        if (closed) {
            throw new RuntimeClosedException("the runtime is closed");
        }
    }

    /** Closes every loop (see {@link EventLoop#close()}); idempotent. */
    @Override
    public void close() throws UringException {
        if (EventLoop.onLoopThread()) {
            // Before anything closes: refused by the first loop, it left the runtime marked closed
            // (refusing work) with its loops running.
            throw new IllegalStateException("close() on an event loop's own thread would wait for itself");
        }
        closed = true;
        UringException first = null;
        for (EventLoop l : loops) {
            try {
                l.close();
            } catch (UringException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
