package org.uring4j.sys;

import java.lang.foreign.MemorySegment;

/**
 * What a segment's scope allows an op that hands its memory to the kernel: whether the memory
 * can be used in place until the completion, and whether the segment is confined to one thread.
 */
public final class Scopes {
    /** A thread no segment is confined to: a segment it cannot access is confined to some thread. */
    private static final Thread ELSEWHERE = Thread.ofVirtual().unstarted(() -> { });

    private Scopes() {
    }

    /** True if {@code segment} belongs to a confined arena (only its owner thread may touch it). */
    public static boolean confined(MemorySegment segment) {
        return !segment.isAccessibleBy(ELSEWHERE);
    }

    /**
     * True if the kernel may use {@code segment}'s native memory in place until the completion of
     * an op that keeps a reference to the segment: memory of the global arena, an automatic arena
     * or a direct buffer (freed only once unreachable), or of a confined arena (only its owner can
     * close it, and the owner is the thread waiting for the op). False for a shared arena — any
     * thread may close it under the op, and the JDK gives no public way to hold it open — and for
     * a scope of a kind not known here (read from its class, so a new kind is treated as closeable):
     * such memory goes through loop memory, copied on the loop thread, where a closed arena makes
     * the copy fail instead of the kernel writing freed memory.
     */
    public static boolean usableInPlace(MemorySegment segment) {
        return switch (segment.scope().getClass().getSimpleName()) {
            case "GlobalSession", "HeapSession", "ImplicitSession", "ConfinedSession" -> true;
            default -> false;
        };
    }
}
