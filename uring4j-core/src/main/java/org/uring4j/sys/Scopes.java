package org.uring4j.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

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
     * {@code segment}, unless it belongs to a confined arena: an asynchronous call refuses such
     * memory, as the JDK's asynchronous channels do, since its owner could close the arena while
     * the kernel still uses it. (A blocking call takes it: the owner is the thread that waits.)
     *
     * @throws IllegalStateException for a confined arena's memory
     */
    public static MemorySegment shareable(MemorySegment segment) {
        if (confined(segment)) {
            throw new IllegalStateException("Confined session not supported: an async call's memory must outlive the "
                    + "caller's scope (use the blocking form, or a shared or automatic arena)");
        }
        return segment;
    }

    /**
     * True if the kernel may use {@code segment}'s native memory in place until the completion of
     * an op that keeps a reference to the segment: memory of the global arena, an automatic arena
     * or a direct buffer (freed only once unreachable), or of a confined arena (only its owner can
     * close it, and the owner is the thread waiting for the op). False for a shared arena — any
     * thread may close it under the op, and the JDK gives no public way to hold it open — and for
     * a scope of a kind not known here (read from its class, so a new kind is treated as closeable):
     * such memory goes through loop memory, copied on the loop thread, where a closed arena makes
     * the copy fail instead of the kernel writing freed memory. (A shared arena's scope class is
     * none of the known ones: on JDK 22-25 the kinds are GlobalSession, HeapSession,
     * ImplicitSession, ConfinedSession and SharedSession.)
     */
    public static boolean usableInPlace(MemorySegment segment) {
        Class<?> kind = segment.scope().getClass();
        return kind == GLOBAL || kind == AUTOMATIC || kind == CONFINED || kind == BUFFER || kind == HEAP;
    }

    // The scope classes of the kinds that cannot be freed under an op, learnt from live examples
    // (compared by identity: no name lookup per op, and a renamed or new kind counts as closeable).
    private static final Class<?> GLOBAL = Arena.global().allocate(1).scope().getClass();
    private static final Class<?> AUTOMATIC = Arena.ofAuto().allocate(1).scope().getClass();
    private static final Class<?> CONFINED;
    private static final Class<?> BUFFER = MemorySegment.ofBuffer(ByteBuffer.allocateDirect(1)).scope().getClass();
    private static final Class<?> HEAP = MemorySegment.ofArray(new byte[1]).scope().getClass();

    static {
        try (Arena a = Arena.ofConfined()) {
            CONFINED = a.allocate(1).scope().getClass();
        }
    }
}
