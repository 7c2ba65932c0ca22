package org.uring4j.net;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Hands a received chunk to a {@link ReceiveHandler} as a read-only view whose scope closes when
 * the handler returns, and lets a write made meanwhile tell such a chunk apart (it must be copied
 * at once: its memory goes back to the kernel when the handler returns).
 */
final class Chunks {
    private Chunks() {
    }

    /** The scope of the chunk being handed over on this thread (handlers may nest through resume()). */
    private static final ThreadLocal<MemorySegment.Scope> CURRENT = new ThreadLocal<>();
    /** The provided buffer of the chunk being handed over on this thread, if a send may take it. */
    private static final ThreadLocal<Lease> LEASE = new ThreadLocal<>();

    /**
     * The provided buffer a chunk lies in: a send of the chunk made in its handler may take it
     * (sending in place, the buffer going back after the send's completion) instead of copying it.
     */
    static final class Lease {
        RingNet.Home home;
        int bid;
        boolean taken;
    }

    /** As {@link #deliver(ReceiveHandler, MemorySegment)}, with the provided buffer {@code lease} names. */
    static boolean deliver(ReceiveHandler handler, MemorySegment src, Lease lease) {
        Lease outer = LEASE.get();
        LEASE.set(lease);
        try {
            return deliver(handler, src);
        } finally {
            LEASE.set(outer);
        }
    }

    /** The lease of the chunk {@code s} is part of, if it is the one being handed over and its buffer is not taken yet. */
    static Lease lease(MemorySegment s) {
        Lease l = LEASE.get();
        return l != null && !l.taken && isCurrent(s) ? l : null;
    }

    /** Calls {@code handler.onData} with a view of {@code src} valid during the call only. */
    static boolean deliver(ReceiveHandler handler, MemorySegment src) {
        if (!src.isNative()) {
            return handler.onData(src.asReadOnly()); // a copy of the stream's own (kept while paused)
        }
        try (Arena scope = Arena.ofConfined()) {
            MemorySegment view = src.reinterpret(scope, null).asReadOnly();
            MemorySegment.Scope outer = CURRENT.get();
            CURRENT.set(view.scope());
            try {
                return handler.onData(view);
            } finally {
                CURRENT.set(outer);
            }
        }
    }

    /** True while a handler on this thread is being given a chunk. */
    static boolean inHandler() {
        return CURRENT.get() != null;
    }

    /** True if {@code s} is (part of) the chunk a handler on this thread is being given. */
    static boolean isCurrent(MemorySegment s) {
        if (!s.isNative()) {
            return false;
        }
        MemorySegment.Scope current = CURRENT.get();
        return current != null && current.equals(s.scope());
    }
}
