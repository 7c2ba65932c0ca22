package org.uring4j.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * The native memory a loop's operations borrow: paths, structs, and bounce buffers for heap
 * arrays. Segments come from power-of-two size classes kept on free lists, so after warm-up an
 * operation allocates nothing native; the memory lives until the loop closes.
 *
 * <p>Part of it, the <em>registered region</em>, is registered with the ring as fixed buffer 0:
 * a bounce buffer carved from it is read and written with READ_FIXED/WRITE_FIXED, which saves the
 * kernel pinning pages per request. {@link #registeredIndex(MemorySegment)} tells whether a
 * segment lies in it.
 *
 * <p>Loop-thread only: operations borrow in {@link Operation#prepare} and give back in
 * {@link Operation#release()}, both of which run there.
 */
public final class NativeMemoryPool {
    private static final int MIN_SHIFT = 6;   // 64 bytes
    private static final int MAX_SHIFT = 20;  // 1 MiB: larger requests get memory of their own
    /** Size of each bounce buffer carved from the registered region. */
    public static final int REGISTERED_CHUNK = 64 * 1024;

    private final Arena arena;
    @SuppressWarnings("unchecked")
    private final ArrayDeque<MemorySegment>[] free = new ArrayDeque[MAX_SHIFT + 1];
    private final MemorySegment registered;
    private final ArrayDeque<MemorySegment> registeredFree = new ArrayDeque<>();
    private boolean registeredActive;
    /** Bytes taken from the arena so far: the free lists hold them once released. */
    private long allocatedBytes;

    NativeMemoryPool(Arena arena, long registeredBytes) {
        this.arena = arena;
        for (int i = MIN_SHIFT; i <= MAX_SHIFT; i++) {
            free[i] = new ArrayDeque<>();
        }
        long chunks = registeredBytes / REGISTERED_CHUNK;
        this.registered = chunks > 0 ? arena.allocate(chunks * REGISTERED_CHUNK, 4096) : MemorySegment.NULL;
        for (long i = 0; i < chunks; i++) {
            registeredFree.add(registered.asSlice(i * REGISTERED_CHUNK, REGISTERED_CHUNK));
        }
        allocatedBytes = registered.byteSize();
    }

    /**
     * The native memory this pool has taken from its arena so far, the registered region included
     * (requests above 1 MiB, which get memory of their own, are not counted). It only grows, and
     * stops growing once the free lists cover the most the loop's operations hold at once: a
     * figure that keeps rising under a steady load is a leak.
     */
    public long allocatedBytes() {
        return allocatedBytes;
    }

    /** The whole registered region, to hand to {@code io_uring_register_buffers}; empty if none. */
    MemorySegment registeredRegion() {
        return registered;
    }

    /** Marks the region as registered with the ring (it may not be, if memlock forbade it). */
    void registeredActive(boolean active) {
        this.registeredActive = active;
    }

    /**
     * A segment of at least {@code size} bytes, 64-byte aligned (page-aligned from 4 KiB up),
     * contents undefined. Return it with
     * {@link #release(MemorySegment)} once the kernel is done with it.
     */
    public MemorySegment acquire(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        int shift = Math.max(MIN_SHIFT, 64 - Long.numberOfLeadingZeros(Math.max(1, size) - 1));
        if (shift > MAX_SHIFT) {
            return Arena.ofAuto().allocate(size, 4096); // freed by the GC once released and unreachable
        }
        MemorySegment s = free[shift].poll();
        if (s != null) {
            return s;
        }
        allocatedBytes += 1L << shift;
        // Page-aligned from a page up, so bounce buffers also serve O_DIRECT files.
        return arena.allocate(1L << shift, shift >= 12 ? 4096 : 64);
    }

    /**
     * A bounce buffer for I/O of up to {@link #REGISTERED_CHUNK} bytes from the registered region,
     * or null if the region is exhausted or not registered (then use {@link #acquire}).
     */
    public MemorySegment acquireRegistered() {
        return registeredActive ? registeredFree.poll() : null;
    }

    /** The registered buffer index {@code segment} lies in (0), or -1 if it is not registered memory. */
    public int registeredIndex(MemorySegment segment) {
        if (!registeredActive) {
            return -1;
        }
        long a = segment.address() - registered.address();
        return a >= 0 && a + segment.byteSize() <= registered.byteSize() ? 0 : -1;
    }

    /** Gives back a segment from {@link #acquire} or {@link #acquireRegistered}. */
    public void release(MemorySegment segment) {
        if (segment == null) {
            return;
        }
        long a = segment.address() - registered.address();
        if (registered.byteSize() > 0 && a >= 0 && a < registered.byteSize()) {
            registeredFree.push(registered.asSlice(a - a % REGISTERED_CHUNK, REGISTERED_CHUNK));
            return;
        }
        long size = segment.byteSize();
        if (Long.bitCount(size) == 1) {
            int shift = Long.numberOfTrailingZeros(size);
            if (shift >= MIN_SHIFT && shift <= MAX_SHIFT) {
                free[shift].push(segment);
            }
        }
    }
}
