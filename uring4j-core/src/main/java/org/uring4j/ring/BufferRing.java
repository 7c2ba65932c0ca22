package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import org.uring4j.UringException;
import org.uring4j.sys.Layouts;

/**
 * A provided-buffer ring ({@code io_uring_setup_buf_ring}, {@code IORING_REGISTER_PBUF_RING}):
 * a group of equal buffers the kernel picks from for ops prepared with
 * {@link Sqe#bufferSelect(int)}, {@link Sqe#prepReadSelect} or multishot receives. The completion
 * names the buffer ({@link Cqe#bufferId()}); read it with {@link #buffer(int)} and give it back
 * with {@link #recycle(int)}.
 *
 * <p>Owns its memory: the ring of {@code struct io_uring_buf} and the buffers, freed by
 * {@link #close()} after the group is unregistered. Not thread-safe; use it from the ring's thread.
 */
public final class BufferRing implements AutoCloseable {
    private static final VarHandle SHORT = JAVA_SHORT.varHandle();

    private final Ring ring;
    private final int groupId;
    private final int entries;
    private final int mask;
    private final int bufferSize;
    private final Arena arena;
    private final MemorySegment bufRing;
    private final MemorySegment buffers;
    /** Local tail; published to the kernel by {@link #advance(int)}. */
    private int tail;
    private boolean closed;
    /**
     * What was queued where, for {@link #bundleBuffer}: the ring position (the unmasked count of
     * entries queued before it) each buffer was last queued at, and for the last
     * {@code history.length} positions, the buffer queued there. The kernel's own entries are
     * overwritten as soon as a position comes round again, which can happen before the completion
     * naming it is seen (completions may come out of ring order); the history reaches back
     * {@link #HISTORY_ROUNDS} times further.
     */
    private final int[] positionOf;
    private final int[] history;
    private final int[] historyPosition;
    /** How many times round the ring {@link #bundleBuffer} can look back. */
    private static final int HISTORY_ROUNDS = 8;

    BufferRing(Ring ring, int groupId, int entries, int bufferSize) throws UringException {
        if (groupId < 0 || groupId > 0xffff) {
            throw new IllegalArgumentException("buffer group id must be 0..65535: " + groupId);
        }
        if (entries < 1 || entries > 32768 || Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("buffer ring entries must be a power of two up to 32768: " + entries);
        }
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("bufferSize must be positive: " + bufferSize);
        }
        this.ring = ring;
        this.groupId = groupId;
        this.entries = entries;
        this.mask = entries - 1;
        this.bufferSize = bufferSize;
        this.arena = Arena.ofShared();
        try {
            // The kernel maps the ring by pages: it must start on a page boundary.
            this.bufRing = arena.allocate(Layouts.IO_URING_BUF.byteSize() * entries, 4096);
            this.buffers = arena.allocate((long) bufferSize * entries, 64);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment reg = a.allocate(Layouts.IO_URING_BUF_REG);
                reg.set(JAVA_LONG, 0, bufRing.address());
                reg.set(JAVA_INT, 8, entries);
                reg.set(JAVA_SHORT, 12, (short) groupId);
                ring.register(Uapi.IORING_REGISTER_PBUF_RING, reg, 1, "IORING_REGISTER_PBUF_RING");
            }
        } catch (UringException | RuntimeException e) {
            arena.close();
            throw e;
        }
        this.positionOf = new int[entries];
        this.history = new int[entries * HISTORY_ROUNDS];
        this.historyPosition = new int[entries * HISTORY_ROUNDS];
        java.util.Arrays.fill(historyPosition, -1);
        for (int bid = 0; bid < entries; bid++) {
            add(bid, bid);
        }
        advance(entries);
    }

    /** The buffer group id ops select from. */
    public int groupId() {
        return groupId;
    }

    /** Number of buffers. */
    public int entries() {
        return entries;
    }

    /** Size of each buffer. */
    public int bufferSize() {
        return bufferSize;
    }

    /** Buffer {@code bid}'s memory (all of it; a completion's res says how much was filled). */
    public MemorySegment buffer(int bid) {
        checkOpen();
        return buffers.asSlice((long) java.util.Objects.checkIndex(bid, entries) * bufferSize, bufferSize);
    }

    /**
     * Queues buffer {@code bid} at position {@code offset} after the local tail, not yet visible to
     * the kernel ({@code io_uring_buf_ring_add}); {@link #advance(int)} publishes.
     */
    public void add(int bid, int offset) {
        checkOpen();
        java.util.Objects.checkIndex(bid, entries);
        long slot = Layouts.IO_URING_BUF.byteSize() * ((tail + offset) & mask);
        // The tail shares bytes 14..15 of entry 0 with its resv field: write addr, len and bid only.
        bufRing.set(JAVA_LONG, slot, buffers.address() + (long) bid * bufferSize);
        bufRing.set(JAVA_INT, slot + 8, bufferSize);
        bufRing.set(JAVA_SHORT, slot + 12, (short) bid);
        int position = tail + offset;
        positionOf[bid] = position;
        int h = position & (history.length - 1);
        history[h] = bid;
        historyPosition[h] = position;
    }

    /**
     * The buffer {@code index} ring entries after buffer {@code firstBid}: the buffers of a
     * completion of a receive with IORING_RECVSEND_BUNDLE ({@code io_uring_prep_recv} with that
     * flag in ioprio), whose CQE names only the first, are the consecutive ring entries that start
     * at it, whatever their ids. Ask before giving any of them back.
     *
     * @throws IllegalStateException if the ring has come round too often since (the completion was
     *                               held back past {@code 8 * entries()} buffers given back)
     */
    public int bundleBuffer(int firstBid, int index) {
        checkOpen();
        if (index == 0) {
            return java.util.Objects.checkIndex(firstBid, entries);
        }
        int position = positionOf[java.util.Objects.checkIndex(firstBid, entries)] + index;
        int h = position & (history.length - 1);
        if (historyPosition[h] != position || index >= entries) {
            throw new IllegalStateException("buffer ring " + groupId + ": entry " + index + " of the bundle starting at buffer "
                    + firstBid + " is no longer known");
        }
        return history[h];
    }

    /** Publishes {@code count} added buffers to the kernel ({@code io_uring_buf_ring_advance}). */
    public void advance(int count) {
        checkOpen();
        tail += count;
        SHORT.setRelease(bufRing, Layouts.OFF_BUF_RING_TAIL, (short) tail);
    }

    /** Gives buffer {@code bid} back to the kernel: {@link #add} then {@link #advance}(1). */
    public void recycle(int bid) {
        add(bid, 0);
        advance(1);
    }

    /** The kernel's head: how many buffers it has consumed ({@code io_uring_buf_ring_head}). */
    public int head() throws UringException {
        checkOpen();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Layouts.IO_URING_BUF_STATUS);
            st.set(JAVA_INT, 0, groupId);
            ring.register(Uapi.IORING_REGISTER_PBUF_STATUS, st, 1, "IORING_REGISTER_PBUF_STATUS");
            return st.get(JAVA_INT, 4);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("buffer ring " + groupId + " is closed");
        }
    }

    /**
     * Unregisters the group ({@code io_uring_free_buf_ring}) and frees its memory. Idempotent. Ops
     * still waiting to select a buffer fail with ENOBUFS once the group is gone.
     */
    @Override
    public void close() throws UringException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!ring.isClosed()) {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment reg = a.allocate(Layouts.IO_URING_BUF_REG);
                    reg.set(JAVA_SHORT, 12, (short) groupId);
                    ring.register(Uapi.IORING_UNREGISTER_PBUF_RING, reg, 1, "IORING_UNREGISTER_PBUF_RING");
                }
            }
        } finally {
            arena.close();
        }
    }
}
