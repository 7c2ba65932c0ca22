package org.uring4j.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A reusable buffer that {@link Ring#copyCqes(CqeBatch)} fills with completions, so that draining
 * the completion queue allocates nothing (Zig's {@code copy_cqes}, liburing's
 * {@code io_uring_peek_batch_cqe} followed by {@code io_uring_cq_advance}).
 */
public final class CqeBatch {
    private static final ValueLayout.OfLong U_LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final long[] userData;
    private final int[] res;
    private final int[] flags;
    private final long[] big;
    private int count;

    /** A batch of {@code capacity} entries (16-byte CQEs). */
    public CqeBatch(int capacity) {
        this(capacity, false);
    }

    /**
     * @param capacity how many completions one copy takes at most
     * @param bigCqes  also keep the 16 extra bytes of 32-byte CQEs (IORING_SETUP_CQE32)
     */
    public CqeBatch(int capacity, boolean bigCqes) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        userData = new long[capacity];
        res = new int[capacity];
        flags = new int[capacity];
        big = bigCqes ? new long[capacity * 2] : null;
    }

    public int capacity() {
        return res.length;
    }

    /** How many entries the last copy produced. */
    public int count() {
        return count;
    }

    public long userData(int i) {
        return userData[checkIndex(i)];
    }

    public int res(int i) {
        return res[checkIndex(i)];
    }

    public int flags(int i) {
        return flags[checkIndex(i)];
    }

    /** Word {@code word} (0 or 1) of the extra 16 bytes of a 32-byte CQE. */
    public long big(int i, int word) {
        if (big == null) {
            throw new IllegalStateException("this batch was not made for 32-byte CQEs");
        }
        return big[checkIndex(i) * 2 + java.util.Objects.checkIndex(word, 2)];
    }

    /** Entry {@code i} as a record. */
    public Cqe get(int i) {
        return new Cqe(userData(i), res(i), flags(i));
    }

    boolean keepsBig() {
        return big != null;
    }

    void set(int i, long ud, int r, int f) {
        userData[i] = ud;
        res[i] = r;
        flags[i] = f;
    }

    /**
     * Copies the {@code n} completions from ring position {@code head} (CQ array at {@code cqes}
     * in {@code cq}); with no big words and no skipped slots, entry i is slot head + i.
     */
    void fill(MemorySegment cq, long cqes, int head, int n, int mask, int shift) {
        long[] ud = userData;
        int[] r = res;
        int[] f = flags;
        for (int i = 0; i < n; i++) {
            long off = cqes + ((long) ((head + i) & mask) << shift);
            ud[i] = cq.get(U_LONG, off);
            long resAndFlags = cq.get(U_LONG, off + 8); // res (s32) then flags (u32): one load for both
            r[i] = (int) (LITTLE_ENDIAN ? resAndFlags : resAndFlags >>> 32);
            f[i] = (int) (LITTLE_ENDIAN ? resAndFlags >>> 32 : resAndFlags);
        }
        count = n;
    }

    void setBig(int i, long w0, long w1) {
        big[i * 2] = w0;
        big[i * 2 + 1] = w1;
    }

    void count(int n) {
        count = n;
    }

    private int checkIndex(int i) {
        return java.util.Objects.checkIndex(i, count);
    }
}
