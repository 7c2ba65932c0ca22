package org.uring4j.fs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Native buffers for transfers of heap memory made on the caller's thread: preadv2 and pwritev2
 * take an iovec, which can only hold the address of native memory (the JDK's FileChannel copies
 * a heap buffer through a temporary direct buffer for the same reason).
 *
 * <p>Shared by all threads, so that thousands of virtual threads do not each keep a buffer of
 * their own: a few slots, taken and given back with one atomic swap each, starting at a slot
 * chosen by the thread so that threads on different cores rarely meet. A buffer that finds no
 * free slot on return is left to the GC.
 */
final class InlineBounce {
    /** The largest transfer bounced here; larger heap transfers go to the ring, which has its own. */
    static final int MAX = 64 * 1024;
    private static final int SLOTS = 16;
    private static final AtomicReferenceArray<MemorySegment> FREE = new AtomicReferenceArray<>(SLOTS);

    private InlineBounce() {
    }

    /** A page-aligned native buffer of {@link #MAX} bytes; give it back with {@link #give}. */
    static MemorySegment take() {
        int start = (int) Thread.currentThread().threadId();
        for (int i = 0; i < SLOTS; i++) {
            int at = (start + i) & (SLOTS - 1);
            if (FREE.getPlain(at) != null) {
                MemorySegment s = FREE.getAndSet(at, null);
                if (s != null) {
                    return s;
                }
            }
        }
        return Arena.ofAuto().allocate(MAX, 4096);
    }

    static void give(MemorySegment buffer) {
        int start = (int) Thread.currentThread().threadId();
        for (int i = 0; i < SLOTS; i++) {
            int at = (start + i) & (SLOTS - 1);
            if (FREE.getPlain(at) == null && FREE.compareAndSet(at, null, buffer)) {
                return;
            }
        }
    }
}
