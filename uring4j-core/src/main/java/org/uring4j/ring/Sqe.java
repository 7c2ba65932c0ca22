package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

import org.uring4j.sys.Layouts;

/**
 * One submission queue entry ({@code struct io_uring_sqe}), handed out by {@link Ring#getSqe()}
 * and prepared by exactly one {@code prep*} method: the one place each io_uring operation is
 * encoded. Each method's Javadoc names the liburing function it matches; preparing sets every
 * field that operation reads and returns {@code this}, so that the common settings chain:
 *
 * <pre>{@code
 * ring.getSqe().prepRead(Fd.fixed(0), buffer, 0).userData(7).link();
 * }</pre>
 *
 * <p>Arguments are checked before they reach the kernel: memory must be native segments (a heap
 * segment has no address the kernel can use), lengths fit their fields, offsets are -1 (the
 * file position) or more, paths are NUL-terminated inside their segment. A failed check is an
 * {@link IllegalArgumentException} naming the op, thrown before anything is written, so the
 * entry stays a NOP (user_data 0). The segments themselves must stay alive until
 * the operation's completion arrives. An {@code Sqe} object is a view of its queue slot: use it
 * only until the next {@link Ring#submit()}.
 */
public final class Sqe {
    // Unaligned layouts: the fields are aligned anyway, and these skip a per-access alignment check.
    private static final ValueLayout.OfInt JAVA_INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong JAVA_LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfShort JAVA_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    /** The wide stores below put narrow fields side by side; which half is which depends on the byte order. */
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final MemorySegment sqes;
    private final long base;
    private final int size;
    /**
     * Handed out by {@link Ring#getSqe()} and not yet written: the slot still holds the bytes of
     * its previous op. The first prep writes all of it at once (as {@code io_uring_prep_rw} does);
     * anything else written or read first zeroes it, and {@link Ring} zeroes what is still fresh
     * when it publishes the queue, so an entry nobody prepared is still a NOP with user_data 0.
     */
    boolean fresh;

    Sqe(MemorySegment sqes, long base, int size) {
        this.sqes = sqes;
        this.base = base;
        this.size = size;
    }

    /** Zeroes the entry: it becomes a NOP with user_data 0, as {@link Ring#getSqe()} hands it out. */
    public Sqe reset() {
        // Unrolled: the JIT merges the checks of straight-line stores.
        MemorySegment s = sqes;
        long b = base;
        s.set(JAVA_LONG, b, 0L);
        s.set(JAVA_LONG, b + 8, 0L);
        s.set(JAVA_LONG, b + 16, 0L);
        s.set(JAVA_LONG, b + 24, 0L);
        s.set(JAVA_LONG, b + 32, 0L);
        s.set(JAVA_LONG, b + 40, 0L);
        s.set(JAVA_LONG, b + 48, 0L);
        s.set(JAVA_LONG, b + 56, 0L);
        if (size > 64) {
            zeroUpperHalf();
        }
        fresh = false;
        return this;
    }

    /** The second 64 bytes of an SQE128 entry, which only URING_CMD uses: zero for every other op. */
    private void zeroUpperHalf() {
        for (long off = 64; off < size; off += 8) {
            sqes.set(JAVA_LONG, base + off, 0L);
        }
    }

    /** Zeroes a fresh entry before a single field of it is written or read. */
    private void settle() {
        if (fresh) {
            reset();
        }
    }

    // ------------------------------------------------------------------ raw fields

    private void opcode(int op) {
        settle();
        sqes.set(JAVA_BYTE, base + Layouts.OFF_SQE_OPCODE, (byte) op);
    }

    private void fdField(int fd) {
        settle();
        sqes.set(JAVA_INT, base + Layouts.OFF_SQE_FD, fd);
    }

    private void off(long v) {
        settle();
        sqes.set(JAVA_LONG, base + Layouts.OFF_SQE_OFF, v);
    }

    private void addr(long v) {
        settle();
        sqes.set(JAVA_LONG, base + Layouts.OFF_SQE_ADDR, v);
    }

    private void len(int v) {
        settle();
        sqes.set(JAVA_INT, base + Layouts.OFF_SQE_LEN, v);
    }

    private void opFlags(int v) {
        settle();
        sqes.set(JAVA_INT, base + Layouts.OFF_SQE_OP_FLAGS, v);
    }

    private void bufIndex(int v) {
        settle();
        sqes.set(JAVA_SHORT, base + Layouts.OFF_SQE_BUF_INDEX, (short) v);
    }

    private void fileIndex(int v) {
        settle();
        sqes.set(JAVA_INT, base + Layouts.OFF_SQE_FILE_INDEX, v);
    }

    private void addr3(long v) {
        settle();
        sqes.set(JAVA_LONG, base + Layouts.OFF_SQE_ADDR3, v);
    }

    private void orFlags(int f) {
        settle();
        long at = base + Layouts.OFF_SQE_FLAGS;
        sqes.set(JAVA_BYTE, at, (byte) (sqes.get(JAVA_BYTE, at) | f));
    }

    /** Two u32 fields side by side as the u64 that holds them, {@code lo} at the lower address. */
    private static long pair(int lo, int hi) {
        return LITTLE_ENDIAN
                ? Integer.toUnsignedLong(lo) | (long) hi << 32
                : (long) lo << 32 | Integer.toUnsignedLong(hi);
    }

    /** opcode, flags and ioprio (0), fd: the first u64 of the entry. */
    private static long head(int op, int sqeFlags, int fd) {
        int op8 = op & 0xff;
        int flags8 = sqeFlags & 0xff;
        return pair(LITTLE_ENDIAN ? op8 | flags8 << 8 : op8 << 24 | flags8 << 16, fd);
    }

    /**
     * Writes every field of a fresh entry in eight stores, each once ({@code io_uring_prep_rw}
     * with {@code io_uring_initialize_sqe}); {@code bufIndex} -1 leaves buf_index 0. An entry
     * already written to (a setting before the prep, or a second prep) keeps what it has and gets
     * only the op's own fields, as it did before this fast path.
     */
    private Sqe put(int op, int sqeFlags, int fd, long off, long addr, int len, int opFlags, boolean setOpFlags,
                    int bufIndex) {
        if (fresh) {
            fresh = false;
            MemorySegment s = sqes;
            long b = base;
            s.set(JAVA_LONG, b, head(op, sqeFlags, fd));
            s.set(JAVA_LONG, b + 8, off);
            s.set(JAVA_LONG, b + 16, addr);
            s.set(JAVA_LONG, b + 24, pair(len, opFlags));
            s.set(JAVA_LONG, b + 32, 0L);
            // buf_index u16 first, then personality and file_index, all 0 but buf_index.
            long idx = bufIndex < 0 ? 0 : bufIndex & 0xffffL;
            s.set(JAVA_LONG, b + 40, LITTLE_ENDIAN ? idx : idx << 48);
            s.set(JAVA_LONG, b + 48, 0L);
            s.set(JAVA_LONG, b + 56, 0L);
            if (size > 64) {
                zeroUpperHalf();
            }
        } else {
            putFields(op, sqeFlags, fd, off, addr, len, opFlags, setOpFlags, bufIndex);
        }
        return this;
    }

    /** put() for an entry already written to: field by field, out of line to keep the prep small. */
    private void putFields(int op, int sqeFlags, int fd, long off, long addr, int len, int opFlags,
                           boolean setOpFlags, int bufIndex) {
        opcode(op);
        if (sqeFlags != 0) {
            orFlags(sqeFlags);
        }
        fdField(fd);
        addr(addr);
        len(len);
        off(off);
        if (setOpFlags) {
            opFlags(opFlags);
        }
        if (bufIndex >= 0) {
            bufIndex(bufIndex);
        }
    }

    /** Sets the op, fd (setting FIXED_FILE for a fixed slot), address, length and offset: {@code io_uring_prep_rw}. */
    private Sqe rw(int op, Fd fd, long addr, int len, long off) {
        return put(op, fixedFlag(fd), fd.value(), off, addr, len, 0, false, -1);
    }

    /** As {@link #rw(int, Fd, long, int, long)} and the op's flags ({@code rw_flags}, {@code msg_flags}...) too. */
    private Sqe rw(int op, Fd fd, long addr, int len, long off, int opFlags) {
        return put(op, fixedFlag(fd), fd.value(), off, addr, len, opFlags, true, -1);
    }

    /** As {@link #rw(int, Fd, long, int, long)} for a plain number in the fd field (dirfd, domain, count...). */
    private Sqe rw(int op, int fd, long addr, int len, long off) {
        return put(op, 0, fd, off, addr, len, 0, false, -1);
    }

    /** As {@link #rw(int, int, long, int, long)} with the op's flags. */
    private Sqe rw(int op, int fd, long addr, int len, long off, int opFlags) {
        return put(op, 0, fd, off, addr, len, opFlags, true, -1);
    }

    private static int fixedFlag(Fd fd) {
        return Objects.requireNonNull(fd, "fd").isFixed() ? Uapi.IOSQE_FIXED_FILE : 0;
    }

    // ------------------------------------------------------------------ checks

    static void requireNative(String op, MemorySegment seg) {
        Objects.requireNonNull(seg, op);
        if (!seg.isNative()) {
            throw new IllegalArgumentException(op + ": a heap segment has no address the kernel can use; "
                    + "pass native memory (Arena.allocate, or MemorySegment.ofBuffer of a direct ByteBuffer)");
        }
        if (!seg.scope().isAlive()) {
            throw new IllegalArgumentException(op + ": the segment's arena is closed; the kernel would use freed memory");
        }
    }

    private static long address(String op, MemorySegment seg) {
        requireNative(op, seg);
        return seg.address();
    }

    private static long address(String op, MemorySegment seg, long minSize) {
        requireNative(op, seg);
        if (seg.byteSize() < minSize) {
            throw new IllegalArgumentException(op + ": segment of " + seg.byteSize() + " bytes is too small; needs "
                    + minSize);
        }
        return seg.address();
    }

    /** The address of a nullable segment, 0 for null. */
    private static long addressOrNull(String op, MemorySegment seg, long minSize) {
        return seg == null ? 0 : address(op, seg, minSize);
    }

    /** The segment's size as a u32 length field. */
    private static int length(String op, MemorySegment seg) {
        long n = seg.byteSize();
        if (n > 0xffff_ffffL) {
            throw new IllegalArgumentException(op + ": " + n + " bytes do not fit the 32-bit length field");
        }
        return (int) n;
    }

    private static int nonNegative(String op, String what, int v) {
        if (v < 0) {
            throw new IllegalArgumentException(op + ": " + what + " must not be negative: " + v);
        }
        return v;
    }

    private static long nonNegative(String op, String what, long v) {
        if (v < 0) {
            throw new IllegalArgumentException(op + ": " + what + " must not be negative: " + v);
        }
        return v;
    }

    /** A file offset: -1 means "the file position" (IORING_FEAT_RW_CUR_POS). */
    private static long fileOffset(String op, long offset) {
        if (offset < -1) {
            throw new IllegalArgumentException(op + ": offset must be >= 0, or -1 for the file position: " + offset);
        }
        return offset;
    }

    /** The address of a C string: it must end in NUL inside the segment, or the kernel reads past it. */
    private static long cString(String op, MemorySegment path) {
        requireNative(op, path);
        long n = path.byteSize();
        if (n == 0 || path.get(JAVA_BYTE, n - 1) != 0) {
            throw new IllegalArgumentException(op + ": path segment must end with a NUL byte "
                    + "(Arena.allocateFrom(String) adds one)");
        }
        return path.address();
    }

    private static int rawFd(String op, Fd fd) {
        Objects.requireNonNull(fd, op);
        if (fd.isFixed()) {
            throw new IllegalArgumentException(op + ": this argument must be a plain descriptor, not " + fd);
        }
        return fd.value();
    }

    private static int group(int group) {
        if (group < 0 || group > 0xffff) {
            throw new IllegalArgumentException("buffer group must be 0..65535: " + group);
        }
        return group;
    }

    private static void slot(String op, int slot) {
        if (slot < 0) {
            throw new IllegalArgumentException(op + ": fixed file slot must not be negative: " + slot);
        }
    }

    // ------------------------------------------------------------------ common settings

    /** The value that comes back in this op's completion ({@code io_uring_sqe_set_data64}). */
    public Sqe userData(long userData) {
        settle();
        sqes.set(JAVA_LONG, base + Layouts.OFF_SQE_USER_DATA, userData);
        return this;
    }

    /** The user_data set so far. */
    public long userData() {
        settle();
        return sqes.get(JAVA_LONG, base + Layouts.OFF_SQE_USER_DATA);
    }

    /** The opcode set so far. */
    public int opcode() {
        settle();
        return Byte.toUnsignedInt(sqes.get(JAVA_BYTE, base + Layouts.OFF_SQE_OPCODE));
    }

    /** The IOSQE_* flags set so far. */
    public int flags() {
        settle();
        return Byte.toUnsignedInt(sqes.get(JAVA_BYTE, base + Layouts.OFF_SQE_FLAGS));
    }

    /** IOSQE_IO_LINK: the next entry starts only after this one succeeds; a failure cancels the rest of the chain. */
    public Sqe link() {
        orFlags(Uapi.IOSQE_IO_LINK);
        return this;
    }

    /** IOSQE_IO_HARDLINK: the next entry starts after this one completes, even if it failed. */
    public Sqe hardLink() {
        orFlags(Uapi.IOSQE_IO_HARDLINK);
        return this;
    }

    /** IOSQE_IO_DRAIN: start only after everything submitted before has completed. */
    public Sqe drain() {
        orFlags(Uapi.IOSQE_IO_DRAIN);
        return this;
    }

    /** IOSQE_ASYNC: go straight to an io-wq worker instead of trying inline first. */
    public Sqe async() {
        orFlags(Uapi.IOSQE_ASYNC);
        return this;
    }

    /** IOSQE_CQE_SKIP_SUCCESS: post no completion if the op succeeds. */
    public Sqe skipSuccess() {
        orFlags(Uapi.IOSQE_CQE_SKIP_SUCCESS);
        return this;
    }

    /** IOSQE_BUFFER_SELECT: take the buffer from provided-buffer group {@code group}. */
    public Sqe bufferSelect(int group) {
        group(group);
        orFlags(Uapi.IOSQE_BUFFER_SELECT);
        bufIndex(group);
        return this;
    }

    /** The I/O priority ({@code sqe->ioprio}); for ops that use ioprio as flags, prepare first. */
    public Sqe ioprio(int ioprio) {
        settle();
        sqes.set(JAVA_SHORT, base + Layouts.OFF_SQE_IOPRIO, (short) ioprio);
        return this;
    }

    /** Runs the op with registered credentials {@code id} from {@link Ring#registerPersonality()}. */
    public Sqe personality(int id) {
        if (id < 0 || id > 0xffff) {
            throw new IllegalArgumentException("personality id must be 0..65535: " + id);
        }
        settle();
        sqes.set(JAVA_SHORT, base + Layouts.OFF_SQE_PERSONALITY, (short) id);
        return this;
    }

    /**
     * Puts the descriptor this op creates (open, accept, socket, pipe) into fixed-file slot
     * {@code slot} instead of the process's fd table ({@code __io_uring_set_target_fixed_file}).
     */
    public Sqe directSlot(int slot) {
        slot("directSlot", slot);
        fileIndex(slot + 1);
        return this;
    }

    /** As {@link #directSlot}, letting the kernel pick a free slot; the completion's res is the slot. */
    public Sqe directAlloc() {
        fileIndex(Uapi.IORING_FILE_INDEX_ALLOC);
        return this;
    }

    /** The RWF_* flags of a read or write (e.g. RWF_NOWAIT); set after preparing. */
    public Sqe rwFlags(int flags) {
        opFlags(flags);
        return this;
    }

    // ------------------------------------------------------------------ operations, in opcode order

    /** NOP: completes with 0 ({@code io_uring_prep_nop}). */
    public Sqe prepNop() {
        return rw(Uapi.IORING_OP_NOP, -1, 0, 0, 0);
    }

    /** NOP that completes with {@code result} (IORING_NOP_INJECT_RESULT, 6.9+). */
    public Sqe prepNop(int result) {
        return rw(Uapi.IORING_OP_NOP, -1, 0, result, 0, Uapi.IORING_NOP_INJECT_RESULT);
    }

    /** READV into {@code nrVecs} iovecs at {@code offset} ({@code io_uring_prep_readv2}). */
    public Sqe prepReadv(Fd fd, MemorySegment iovecs, int nrVecs, long offset, int rwFlags) {
        long a = address("READV", iovecs, 16L * nonNegative("READV", "nrVecs", nrVecs));
        return rw(Uapi.IORING_OP_READV, fd, a, nrVecs, fileOffset("READV", offset), rwFlags);
    }

    /** WRITEV from {@code nrVecs} iovecs at {@code offset} ({@code io_uring_prep_writev2}). */
    public Sqe prepWritev(Fd fd, MemorySegment iovecs, int nrVecs, long offset, int rwFlags) {
        long a = address("WRITEV", iovecs, 16L * nonNegative("WRITEV", "nrVecs", nrVecs));
        return rw(Uapi.IORING_OP_WRITEV, fd, a, nrVecs, fileOffset("WRITEV", offset), rwFlags);
    }

    /** FSYNC; {@code flags} IORING_FSYNC_DATASYNC makes it fdatasync ({@code io_uring_prep_fsync}). */
    public Sqe prepFsync(Fd fd, int flags) {
        return rw(Uapi.IORING_OP_FSYNC, fd, 0, 0, 0, flags);
    }

    /** READ_FIXED into {@code buf}, which lies in registered buffer {@code bufIndex} ({@code io_uring_prep_read_fixed}). */
    public Sqe prepReadFixed(Fd fd, MemorySegment buf, long offset, int bufIndex) {
        long a = address("READ_FIXED", buf);
        int n = length("READ_FIXED", buf);
        long off = fileOffset("READ_FIXED", offset);
        int idx = nonNegative("READ_FIXED", "bufIndex", bufIndex);
        return put(Uapi.IORING_OP_READ_FIXED, fixedFlag(fd), fd.value(), off, a, n, 0, false, idx);
    }

    /** WRITE_FIXED from {@code buf}, which lies in registered buffer {@code bufIndex} ({@code io_uring_prep_write_fixed}). */
    public Sqe prepWriteFixed(Fd fd, MemorySegment buf, long offset, int bufIndex) {
        long a = address("WRITE_FIXED", buf);
        int n = length("WRITE_FIXED", buf);
        long off = fileOffset("WRITE_FIXED", offset);
        int idx = nonNegative("WRITE_FIXED", "bufIndex", bufIndex);
        return put(Uapi.IORING_OP_WRITE_FIXED, fixedFlag(fd), fd.value(), off, a, n, 0, false, idx);
    }

    /** POLL_ADD for POLL* {@code events}; {@code flags} IORING_POLL_ADD_MULTI for multishot ({@code io_uring_prep_poll_add}). */
    public Sqe prepPollAdd(Fd fd, int events, int flags) {
        return rw(Uapi.IORING_OP_POLL_ADD, fd, 0, flags, 0, events);
    }

    /** POLL_REMOVE of the poll with {@code userData} ({@code io_uring_prep_poll_remove}). */
    public Sqe prepPollRemove(long userData) {
        rw(Uapi.IORING_OP_POLL_REMOVE, -1, userData, 0, 0);
        return this;
    }

    /** POLL_REMOVE as update: new events and/or user_data for a poll ({@code io_uring_prep_poll_update}). */
    public Sqe prepPollUpdate(long oldUserData, long newUserData, int events, int flags) {
        return rw(Uapi.IORING_OP_POLL_REMOVE, -1, oldUserData, flags, newUserData, events);
    }

    /** SYNC_FILE_RANGE of {@code length} bytes at {@code offset} ({@code io_uring_prep_sync_file_range}). */
    public Sqe prepSyncFileRange(Fd fd, int length, long offset, int flags) {
        return rw(Uapi.IORING_OP_SYNC_FILE_RANGE, fd, 0, nonNegative("SYNC_FILE_RANGE", "length", length),
                nonNegative("SYNC_FILE_RANGE", "offset", offset), flags);
    }

    /** SENDMSG of a {@code struct msghdr} ({@code io_uring_prep_sendmsg}). */
    public Sqe prepSendmsg(Fd fd, MemorySegment msghdr, int msgFlags) {
        return rw(Uapi.IORING_OP_SENDMSG, fd, address("SENDMSG", msghdr, Layouts.MSGHDR.byteSize()), 1, 0, msgFlags);
    }

    /** RECVMSG into a {@code struct msghdr} ({@code io_uring_prep_recvmsg}). */
    public Sqe prepRecvmsg(Fd fd, MemorySegment msghdr, int msgFlags) {
        return rw(Uapi.IORING_OP_RECVMSG, fd, address("RECVMSG", msghdr, Layouts.MSGHDR.byteSize()), 1, 0, msgFlags);
    }

    /**
     * TIMEOUT that fires after {@code ts} (a {@code __kernel_timespec}) or once {@code count}
     * other completions arrived; flags IORING_TIMEOUT_* ({@code io_uring_prep_timeout}). Completes
     * with -ETIME when it fires.
     */
    public Sqe prepTimeout(MemorySegment ts, int count, int flags) {
        return rw(Uapi.IORING_OP_TIMEOUT, -1, address("TIMEOUT", ts, 16), 1, nonNegative("TIMEOUT", "count", count), flags);
    }

    /** TIMEOUT_REMOVE of the timeout with {@code userData} ({@code io_uring_prep_timeout_remove}). */
    public Sqe prepTimeoutRemove(long userData, int flags) {
        return rw(Uapi.IORING_OP_TIMEOUT_REMOVE, -1, userData, 0, 0, flags);
    }

    /** TIMEOUT_REMOVE as update: a new expiry for timeout {@code userData} ({@code io_uring_prep_timeout_update}). */
    public Sqe prepTimeoutUpdate(MemorySegment ts, long userData, int flags) {
        return rw(Uapi.IORING_OP_TIMEOUT_REMOVE, -1, userData, 0, address("TIMEOUT_REMOVE", ts, 16),
                flags | Uapi.IORING_TIMEOUT_UPDATE);
    }

    /**
     * ACCEPT a connection; {@code addr}/{@code addrLen} may be null, else receive the peer's address
     * ({@code io_uring_prep_accept}). Ioprio flags IORING_ACCEPT_MULTISHOT etc. via {@link #ioprio}.
     */
    public Sqe prepAccept(Fd fd, MemorySegment addr, MemorySegment addrLen, int flags) {
        if ((addr == null) != (addrLen == null)) {
            throw new IllegalArgumentException("ACCEPT: addr and addrLen are both null or both given");
        }
        long a = addressOrNull("ACCEPT", addr, 0);
        long l = addressOrNull("ACCEPT", addrLen, 4);
        if (addrLen != null && Integer.toUnsignedLong(addrLen.get(JAVA_INT, 0)) > addr.byteSize()) {
            throw new IllegalArgumentException("ACCEPT: *addrLen exceeds the addr segment");
        }
        return rw(Uapi.IORING_OP_ACCEPT, fd, a, 0, l, flags);
    }

    /** ASYNC_CANCEL of the request with {@code userData}; IORING_ASYNC_CANCEL_* {@code flags} ({@code io_uring_prep_cancel64}). */
    public Sqe prepCancel(long userData, int flags) {
        return rw(Uapi.IORING_OP_ASYNC_CANCEL, -1, userData, 0, 0, flags);
    }

    /** ASYNC_CANCEL of requests on {@code fd} ({@code io_uring_prep_cancel_fd}). */
    public Sqe prepCancelFd(Fd fd, int flags) {
        opcode(Uapi.IORING_OP_ASYNC_CANCEL);
        fdField(Objects.requireNonNull(fd, "fd").value());
        opFlags(flags | Uapi.IORING_ASYNC_CANCEL_FD | (fd.isFixed() ? Uapi.IORING_ASYNC_CANCEL_FD_FIXED : 0));
        return this;
    }

    /** ASYNC_CANCEL of requests of opcode {@code op} (IORING_ASYNC_CANCEL_OP, 6.6+). */
    public Sqe prepCancelOp(Opcode op, int flags) {
        return rw(Uapi.IORING_OP_ASYNC_CANCEL, -1, 0, Objects.requireNonNull(op, "op").code(), 0,
                flags | Uapi.IORING_ASYNC_CANCEL_OP);
    }

    /** LINK_TIMEOUT for the entry linked before this one ({@code io_uring_prep_link_timeout}). */
    public Sqe prepLinkTimeout(MemorySegment ts, int flags) {
        return rw(Uapi.IORING_OP_LINK_TIMEOUT, -1, address("LINK_TIMEOUT", ts, 16), 1, 0, flags);
    }

    /** CONNECT to the socket address in {@code addr} (its whole size is the addrlen) ({@code io_uring_prep_connect}). */
    public Sqe prepConnect(Fd fd, MemorySegment addr) {
        return rw(Uapi.IORING_OP_CONNECT, fd, address("CONNECT", addr), 0, addr.byteSize());
    }

    /** FALLOCATE {@code length} bytes at {@code offset} with FALLOC_FL_* {@code mode} ({@code io_uring_prep_fallocate}). */
    public Sqe prepFallocate(Fd fd, int mode, long offset, long length) {
        return rw(Uapi.IORING_OP_FALLOCATE, fd, nonNegative("FALLOCATE", "length", length), mode,
                nonNegative("FALLOCATE", "offset", offset));
    }

    /** OPENAT {@code path} relative to {@code dirfd} (or AT_FDCWD) ({@code io_uring_prep_openat}). */
    public Sqe prepOpenat(int dirfd, MemorySegment path, int flags, int mode) {
        return rw(Uapi.IORING_OP_OPENAT, dirfd, cString("OPENAT", path), mode, 0, flags);
    }

    /**
     * CLOSE a descriptor, or for a {@link Fd.Fixed} empty its slot ({@code io_uring_prep_close},
     * {@code io_uring_prep_close_direct}).
     */
    public Sqe prepClose(Fd fd) {
        opcode(Uapi.IORING_OP_CLOSE);
        if (Objects.requireNonNull(fd, "fd").isFixed()) {
            fdField(0);
            fileIndex(fd.value() + 1);
        } else {
            fdField(fd.value());
        }
        return this;
    }

    /** FILES_UPDATE: replace {@code nr} fixed slots from {@code offset} with the ints in {@code fds} ({@code io_uring_prep_files_update}). */
    public Sqe prepFilesUpdate(MemorySegment fds, int nr, int offset) {
        return rw(Uapi.IORING_OP_FILES_UPDATE, -1,
                address("FILES_UPDATE", fds, 4L * nonNegative("FILES_UPDATE", "nr", nr)), nr,
                nonNegative("FILES_UPDATE", "offset", offset));
    }

    /** STATX of {@code path} relative to {@code dirfd} into a 256-byte {@code struct statx} ({@code io_uring_prep_statx}). */
    public Sqe prepStatx(int dirfd, MemorySegment path, int flags, int mask, MemorySegment statx) {
        return rw(Uapi.IORING_OP_STATX, dirfd, cString("STATX", path), mask,
                address("STATX", statx, Layouts.STATX.byteSize()), flags);
    }

    /** READ into all of {@code buf} at {@code offset} (-1: the file position) ({@code io_uring_prep_read}). */
    public Sqe prepRead(Fd fd, MemorySegment buf, long offset) {
        return rw(Uapi.IORING_OP_READ, fd, address("READ", buf), length("READ", buf), fileOffset("READ", offset));
    }

    /**
     * READ of up to {@code length} bytes into a buffer the kernel picks from group {@code group}
     * (IOSQE_BUFFER_SELECT); the completion names the buffer ({@link Cqe#bufferId()}).
     */
    public Sqe prepReadSelect(Fd fd, int length, long offset, int group) {
        group(group);
        rw(Uapi.IORING_OP_READ, fd, 0, nonNegative("READ", "length", length), fileOffset("READ", offset));
        return bufferSelect(group);
    }

    /** WRITE all of {@code buf} at {@code offset} (-1: the file position) ({@code io_uring_prep_write}). */
    public Sqe prepWrite(Fd fd, MemorySegment buf, long offset) {
        return rw(Uapi.IORING_OP_WRITE, fd, address("WRITE", buf), length("WRITE", buf), fileOffset("WRITE", offset));
    }

    /** FADVISE POSIX_FADV_* {@code advice} for {@code length} bytes at {@code offset} ({@code io_uring_prep_fadvise64}). */
    public Sqe prepFadvise(Fd fd, long offset, long length, int advice) {
        // Kernels before 6.7 read the length only from the 32-bit len (and reject addr != 0);
        // 6.7+ read a 64-bit one from addr first.
        long n = nonNegative("FADVISE", "length", length);
        boolean small = n <= 0xffff_ffffL;
        return rw(Uapi.IORING_OP_FADVISE, fd, small ? 0 : n, small ? (int) n : 0,
                nonNegative("FADVISE", "offset", offset), advice);
    }

    /** MADVISE MADV_* {@code advice} for {@code region} ({@code io_uring_prep_madvise64}). */
    public Sqe prepMadvise(MemorySegment region, int advice) {
        // As for FADVISE: 32-bit len for older kernels, the 64-bit off field (6.7+) only when needed.
        long a = address("MADVISE", region);
        long n = region.byteSize();
        boolean small = n <= 0xffff_ffffL;
        return rw(Uapi.IORING_OP_MADVISE, -1, a, small ? (int) n : 0, small ? 0 : n, advice);
    }

    /** SEND all of {@code buf} with MSG_* {@code flags} ({@code io_uring_prep_send}). */
    public Sqe prepSend(Fd fd, MemorySegment buf, int flags) {
        return rw(Uapi.IORING_OP_SEND, fd, address("SEND", buf), length("SEND", buf), 0, flags);
    }

    /** RECV into {@code buf} with MSG_* {@code flags} ({@code io_uring_prep_recv}). */
    public Sqe prepRecv(Fd fd, MemorySegment buf, int flags) {
        return rw(Uapi.IORING_OP_RECV, fd, address("RECV", buf), length("RECV", buf), 0, flags);
    }

    /** Multishot RECV into buffers from group {@code group}, one completion per message ({@code io_uring_prep_recv_multishot}). */
    public Sqe prepRecvMultishot(Fd fd, int group, int flags) {
        group(group);
        rw(Uapi.IORING_OP_RECV, fd, 0, 0, 0, flags);
        ioprio(Uapi.IORING_RECV_MULTISHOT);
        return bufferSelect(group);
    }

    /** OPENAT2 {@code path} relative to {@code dirfd} with a {@code struct open_how} ({@code io_uring_prep_openat2}). */
    public Sqe prepOpenat2(int dirfd, MemorySegment path, MemorySegment openHow) {
        return rw(Uapi.IORING_OP_OPENAT2, dirfd, cString("OPENAT2", path), (int) Layouts.OPEN_HOW.byteSize(),
                address("OPENAT2", openHow, Layouts.OPEN_HOW.byteSize()));
    }

    /** EPOLL_CTL: EPOLL_CTL_* {@code op} of {@code fd} on {@code epfd} ({@code io_uring_prep_epoll_ctl}). */
    public Sqe prepEpollCtl(Fd epfd, int fd, int op, MemorySegment event) {
        return rw(Uapi.IORING_OP_EPOLL_CTL, epfd, addressOrNull("EPOLL_CTL", event, Layouts.EPOLL_EVENT.byteSize()),
                op, fd);
    }

    /**
     * SPLICE {@code length} bytes from {@code in} at {@code offIn} to {@code out} at {@code offOut};
     * an offset of -1 means "no offset" (a pipe, or the file position) ({@code io_uring_prep_splice}).
     */
    public Sqe prepSplice(Fd in, long offIn, Fd out, long offOut, int length, int flags) {
        Objects.requireNonNull(in, "in");
        rw(Uapi.IORING_OP_SPLICE, out, fileOffset("SPLICE", offIn), nonNegative("SPLICE", "length", length),
                fileOffset("SPLICE", offOut));
        fileIndex(in.value());
        opFlags(flags | (in.isFixed() ? Uapi.SPLICE_F_FD_IN_FIXED : 0));
        return this;
    }

    /**
     * PROVIDE_BUFFERS: hand {@code count} buffers of {@code bufferLength} bytes, laid end to end in
     * {@code memory}, to group {@code group} with ids from {@code firstId} ({@code io_uring_prep_provide_buffers}).
     */
    public Sqe prepProvideBuffers(MemorySegment memory, int bufferLength, int count, int group, int firstId) {
        long need = (long) nonNegative("PROVIDE_BUFFERS", "bufferLength", bufferLength)
                * nonNegative("PROVIDE_BUFFERS", "count", count);
        group(group);
        rw(Uapi.IORING_OP_PROVIDE_BUFFERS, count, address("PROVIDE_BUFFERS", memory, need), bufferLength,
                nonNegative("PROVIDE_BUFFERS", "firstId", firstId));
        bufIndex(group);
        return this;
    }

    /** REMOVE_BUFFERS: take back up to {@code count} buffers of group {@code group} ({@code io_uring_prep_remove_buffers}). */
    public Sqe prepRemoveBuffers(int count, int group) {
        group(group);
        rw(Uapi.IORING_OP_REMOVE_BUFFERS, nonNegative("REMOVE_BUFFERS", "count", count), 0, 0, 0);
        bufIndex(group);
        return this;
    }

    /** TEE {@code length} bytes from pipe {@code in} to pipe {@code out} without consuming them ({@code io_uring_prep_tee}). */
    public Sqe prepTee(Fd in, Fd out, int length, int flags) {
        Objects.requireNonNull(in, "in");
        rw(Uapi.IORING_OP_TEE, out, 0, nonNegative("TEE", "length", length), 0);
        fileIndex(in.value());
        opFlags(flags | (in.isFixed() ? Uapi.SPLICE_F_FD_IN_FIXED : 0));
        return this;
    }

    /** SHUTDOWN a socket with SHUT_* {@code how} ({@code io_uring_prep_shutdown}). */
    public Sqe prepShutdown(Fd fd, int how) {
        return rw(Uapi.IORING_OP_SHUTDOWN, fd, 0, how, 0);
    }

    /** RENAMEAT with RENAME_* {@code flags} ({@code io_uring_prep_renameat}). */
    public Sqe prepRenameat(int oldDirfd, MemorySegment oldPath, int newDirfd, MemorySegment newPath, int flags) {
        return rw(Uapi.IORING_OP_RENAMEAT, oldDirfd, cString("RENAMEAT", oldPath), newDirfd,
                cString("RENAMEAT", newPath), flags);
    }

    /** UNLINKAT; {@code flags} AT_REMOVEDIR removes a directory ({@code io_uring_prep_unlinkat}). */
    public Sqe prepUnlinkat(int dirfd, MemorySegment path, int flags) {
        return rw(Uapi.IORING_OP_UNLINKAT, dirfd, cString("UNLINKAT", path), 0, 0, flags);
    }

    /** MKDIRAT with permission bits {@code mode} ({@code io_uring_prep_mkdirat}). */
    public Sqe prepMkdirat(int dirfd, MemorySegment path, int mode) {
        return rw(Uapi.IORING_OP_MKDIRAT, dirfd, cString("MKDIRAT", path), mode, 0);
    }

    /** SYMLINKAT: make {@code linkPath} (relative to {@code newDirfd}) point at {@code target} ({@code io_uring_prep_symlinkat}). */
    public Sqe prepSymlinkat(MemorySegment target, int newDirfd, MemorySegment linkPath) {
        return rw(Uapi.IORING_OP_SYMLINKAT, newDirfd, cString("SYMLINKAT", target), 0,
                cString("SYMLINKAT", linkPath));
    }

    /** LINKAT: a hard link; {@code flags} AT_SYMLINK_FOLLOW ({@code io_uring_prep_linkat}). */
    public Sqe prepLinkat(int oldDirfd, MemorySegment oldPath, int newDirfd, MemorySegment newPath, int flags) {
        return rw(Uapi.IORING_OP_LINKAT, oldDirfd, cString("LINKAT", oldPath), newDirfd, cString("LINKAT", newPath), flags);
    }

    /**
     * MSG_RING: post a completion with {@code res} and {@code userData} to the ring {@code target}
     * ({@code io_uring_prep_msg_ring}).
     */
    public Sqe prepMsgRing(Fd target, int res, long userData, int flags) {
        return rw(Uapi.IORING_OP_MSG_RING, target, Uapi.IORING_MSG_DATA, res, userData, flags);
    }

    /**
     * MSG_RING whose completion in the target carries {@code cqeFlags} as its flags
     * (IORING_MSG_RING_FLAGS_PASS, 6.10+; {@code io_uring_prep_msg_ring_cqe_flags}).
     */
    public Sqe prepMsgRing(Fd target, int res, long userData, int flags, int cqeFlags) {
        prepMsgRing(target, res, userData, flags | Uapi.IORING_MSG_RING_FLAGS_PASS);
        fileIndex(cqeFlags);
        return this;
    }

    /**
     * MSG_RING that passes fixed file {@code sourceSlot} of this ring into slot {@code targetSlot}
     * of ring {@code target} (or any free slot with -1) ({@code io_uring_prep_msg_ring_fd}).
     */
    public Sqe prepMsgRingFd(Fd target, int sourceSlot, int targetSlot, long userData, int flags) {
        slot("MSG_RING", sourceSlot);
        if (targetSlot < -1) {
            throw new IllegalArgumentException("MSG_RING: targetSlot must be >= 0, or -1 for any: " + targetSlot);
        }
        rw(Uapi.IORING_OP_MSG_RING, target, Uapi.IORING_MSG_SEND_FD, 0, userData);
        addr3(sourceSlot);
        fileIndex(targetSlot == -1 ? Uapi.IORING_FILE_INDEX_ALLOC : targetSlot + 1);
        opFlags(flags);
        return this;
    }

    /** FSETXATTR: set attribute {@code name} to all of {@code value}; XATTR_* {@code flags} ({@code io_uring_prep_fsetxattr}). */
    public Sqe prepFsetxattr(Fd fd, MemorySegment name, MemorySegment value, int flags) {
        return rw(Uapi.IORING_OP_FSETXATTR, fd, cString("FSETXATTR", name), length("FSETXATTR", value),
                address("FSETXATTR", value), flags);
    }

    /** SETXATTR on {@code path} ({@code io_uring_prep_setxattr}). */
    public Sqe prepSetxattr(MemorySegment path, MemorySegment name, MemorySegment value, int flags) {
        long p = cString("SETXATTR", path);
        rw(Uapi.IORING_OP_SETXATTR, 0, cString("SETXATTR", name), length("SETXATTR", value),
                address("SETXATTR", value));
        addr3(p);
        opFlags(flags);
        return this;
    }

    /** FGETXATTR: read attribute {@code name} into {@code value}; res is its length ({@code io_uring_prep_fgetxattr}). */
    public Sqe prepFgetxattr(Fd fd, MemorySegment name, MemorySegment value) {
        return rw(Uapi.IORING_OP_FGETXATTR, fd, cString("FGETXATTR", name), length("FGETXATTR", value),
                address("FGETXATTR", value));
    }

    /** GETXATTR of {@code path} ({@code io_uring_prep_getxattr}). */
    public Sqe prepGetxattr(MemorySegment path, MemorySegment name, MemorySegment value) {
        long p = cString("GETXATTR", path);
        rw(Uapi.IORING_OP_GETXATTR, 0, cString("GETXATTR", name), length("GETXATTR", value),
                address("GETXATTR", value));
        addr3(p);
        return this;
    }

    /** SOCKET(domain, type, protocol); res is the fd, or the slot with {@link #directSlot} ({@code io_uring_prep_socket}). */
    public Sqe prepSocket(int domain, int type, int protocol, int flags) {
        return rw(Uapi.IORING_OP_SOCKET, domain, 0, protocol, Integer.toUnsignedLong(type), flags);
    }

    /** URING_CMD {@code cmdOp} to the driver of {@code fd}; command data from {@link #cmdData()} ({@code io_uring_prep_uring_cmd}). */
    public Sqe prepUringCmd(Fd fd, int cmdOp) {
        rw(Uapi.IORING_OP_URING_CMD, fd, 0, 0, 0);
        sqes.set(JAVA_INT, base + Layouts.OFF_SQE_OFF, cmdOp);
        return this;
    }

    /**
     * URING_CMD for a socket: SOCKET_URING_OP_* {@code cmdOp} (SIOCINQ, SIOCOUTQ, GETSOCKOPT,
     * SETSOCKOPT) with {@code optval} for the sockopt ones, or null ({@code io_uring_prep_cmd_sock}).
     */
    public Sqe prepCmdSock(int cmdOp, Fd fd, int level, int optname, MemorySegment optval) {
        long a = addressOrNull("URING_CMD", optval, 0);
        int n = optval == null ? 0 : length("URING_CMD", optval);
        prepUringCmd(fd, cmdOp);
        sqes.set(JAVA_INT, base + Layouts.OFF_SQE_ADDR, level);
        sqes.set(JAVA_INT, base + Layouts.OFF_SQE_ADDR + 4, optname);
        fileIndex(n);
        addr3(a);
        return this;
    }

    /** The 80 bytes of command data of a 128-byte SQE (IORING_SETUP_SQE128), for URING_CMD. */
    public MemorySegment cmdData() {
        if (size < 128) {
            throw new IllegalStateException("URING_CMD data needs a ring opened with RingOptions.sqe128()");
        }
        settle();
        return sqes.asSlice(base + Layouts.OFF_SQE_ADDR3, 80);
    }

    /**
     * SEND_ZC: zero-copy send of {@code buf}; completes twice, the second time with
     * {@link Cqe#isNotification()} when the buffer may be reused ({@code io_uring_prep_send_zc}).
     */
    public Sqe prepSendZc(Fd fd, MemorySegment buf, int msgFlags, int zcFlags) {
        rw(Uapi.IORING_OP_SEND_ZC, fd, address("SEND_ZC", buf), length("SEND_ZC", buf), 0, msgFlags);
        return ioprio(zcFlags);
    }

    /** SENDMSG_ZC: zero-copy sendmsg ({@code io_uring_prep_sendmsg_zc}). */
    public Sqe prepSendmsgZc(Fd fd, MemorySegment msghdr, int msgFlags) {
        return rw(Uapi.IORING_OP_SENDMSG_ZC, fd, address("SENDMSG_ZC", msghdr, Layouts.MSGHDR.byteSize()), 1, 0, msgFlags);
    }

    /**
     * READ_MULTISHOT: read {@code fd} (a pipe, socket or other pollable file) into buffers of group
     * {@code group} each time data arrives ({@code io_uring_prep_read_multishot}).
     */
    public Sqe prepReadMultishot(Fd fd, int length, long offset, int group) {
        group(group);
        rw(Uapi.IORING_OP_READ_MULTISHOT, fd, 0, nonNegative("READ_MULTISHOT", "length", length),
                fileOffset("READ_MULTISHOT", offset));
        return bufferSelect(group);
    }

    /**
     * WAITID(idtype, id, infop, options): wait for a child; {@code infop} a 128-byte
     * {@code siginfo_t} or null ({@code io_uring_prep_waitid}).
     */
    public Sqe prepWaitid(int idtype, int id, MemorySegment infop, int options, int flags) {
        long info = addressOrNull("WAITID", infop, Layouts.SIGINFO.byteSize());
        rw(Uapi.IORING_OP_WAITID, id, 0, idtype, info, flags);
        fileIndex(options);
        return this;
    }

    /**
     * FUTEX_WAIT on the futex word at the start of {@code futex} while it equals {@code value};
     * FUTEX2_* {@code futexFlags} give its size ({@code io_uring_prep_futex_wait}).
     */
    public Sqe prepFutexWait(MemorySegment futex, long value, long mask, int futexFlags, int flags) {
        rw(Uapi.IORING_OP_FUTEX_WAIT, futexFlags, address("FUTEX_WAIT", futex, futexSize(futexFlags)), 0, value, flags);
        addr3(mask);
        return this;
    }

    /** FUTEX_WAKE up to {@code count} waiters of {@code futex} ({@code io_uring_prep_futex_wake}). */
    public Sqe prepFutexWake(MemorySegment futex, long count, long mask, int futexFlags, int flags) {
        rw(Uapi.IORING_OP_FUTEX_WAKE, futexFlags, address("FUTEX_WAKE", futex, futexSize(futexFlags)), 0,
                nonNegative("FUTEX_WAKE", "count", count), flags);
        addr3(mask);
        return this;
    }

    private static long futexSize(int futexFlags) {
        return 1L << (futexFlags & 3);
    }

    /** FUTEX_WAITV on {@code count} {@code struct futex_waitv} entries ({@code io_uring_prep_futex_waitv}). */
    public Sqe prepFutexWaitv(MemorySegment futexv, int count, int flags) {
        return rw(Uapi.IORING_OP_FUTEX_WAITV, 0,
                address("FUTEX_WAITV", futexv, Layouts.FUTEX_WAITV.byteSize() * nonNegative("FUTEX_WAITV", "count", count)),
                count, 0, flags);
    }

    /**
     * FIXED_FD_INSTALL: make fixed slot {@code slot} a regular descriptor again; res is the new fd
     * (O_CLOEXEC unless IORING_FIXED_FD_NO_CLOEXEC) ({@code io_uring_prep_fixed_fd_install}).
     */
    public Sqe prepFixedFdInstall(int slot, int flags) {
        slot("FIXED_FD_INSTALL", slot);
        return rw(Uapi.IORING_OP_FIXED_FD_INSTALL, Fd.fixed(slot), 0, 0, 0, flags);
    }

    /** FTRUNCATE to {@code length} bytes ({@code io_uring_prep_ftruncate}). */
    public Sqe prepFtruncate(Fd fd, long length) {
        return rw(Uapi.IORING_OP_FTRUNCATE, fd, 0, 0, nonNegative("FTRUNCATE", "length", length));
    }

    /** BIND to the socket address in {@code addr} ({@code io_uring_prep_bind}). */
    public Sqe prepBind(Fd fd, MemorySegment addr) {
        return rw(Uapi.IORING_OP_BIND, fd, address("BIND", addr), 0, addr.byteSize());
    }

    /** LISTEN with {@code backlog} ({@code io_uring_prep_listen}). */
    public Sqe prepListen(Fd fd, int backlog) {
        return rw(Uapi.IORING_OP_LISTEN, fd, 0, backlog, 0);
    }

    /**
     * RECV_ZC: zero-copy receive into the zcrx area registered as interface queue {@code ifqIndex}
     * (needs a NIC with header split; IORING_RECV_MULTISHOT is set as the kernel requires).
     */
    public Sqe prepRecvZc(Fd fd, int length, int ifqIndex, int ioprioFlags) {
        rw(Uapi.IORING_OP_RECV_ZC, fd, 0, nonNegative("RECV_ZC", "length", length), 0);
        fileIndex(ifqIndex);
        return ioprio(ioprioFlags | Uapi.IORING_RECV_MULTISHOT);
    }

    /** EPOLL_WAIT for up to {@code maxEvents} {@code struct epoll_event} in {@code events} ({@code io_uring_prep_epoll_wait}). */
    public Sqe prepEpollWait(Fd epfd, MemorySegment events, int maxEvents, int flags) {
        return rw(Uapi.IORING_OP_EPOLL_WAIT, epfd,
                address("EPOLL_WAIT", events, Layouts.EPOLL_EVENT.byteSize() * nonNegative("EPOLL_WAIT", "maxEvents", maxEvents)),
                maxEvents, 0, flags);
    }

    /** READV_FIXED: vectored read into registered buffer {@code bufIndex} ({@code io_uring_prep_readv_fixed}). */
    public Sqe prepReadvFixed(Fd fd, MemorySegment iovecs, int nrVecs, long offset, int rwFlags, int bufIndex) {
        long a = address("READV_FIXED", iovecs, 16L * nonNegative("READV_FIXED", "nrVecs", nrVecs));
        long off = fileOffset("READV_FIXED", offset);
        int idx = nonNegative("READV_FIXED", "bufIndex", bufIndex);
        return put(Uapi.IORING_OP_READV_FIXED, fixedFlag(fd), fd.value(), off, a, nrVecs, rwFlags, true, idx);
    }

    /** WRITEV_FIXED: vectored write from registered buffer {@code bufIndex} ({@code io_uring_prep_writev_fixed}). */
    public Sqe prepWritevFixed(Fd fd, MemorySegment iovecs, int nrVecs, long offset, int rwFlags, int bufIndex) {
        long a = address("WRITEV_FIXED", iovecs, 16L * nonNegative("WRITEV_FIXED", "nrVecs", nrVecs));
        long off = fileOffset("WRITEV_FIXED", offset);
        int idx = nonNegative("WRITEV_FIXED", "bufIndex", bufIndex);
        return put(Uapi.IORING_OP_WRITEV_FIXED, fixedFlag(fd), fd.value(), off, a, nrVecs, rwFlags, true, idx);
    }

    /**
     * PIPE: create a pipe, its read and write ends written as two ints into {@code fds}; O_* {@code
     * flags} as pipe2 ({@code io_uring_prep_pipe}). With {@link #directSlot}, both ends go to fixed slots.
     */
    public Sqe prepPipe(MemorySegment fds, int flags) {
        return rw(Uapi.IORING_OP_PIPE, 0, address("PIPE", fds, 8), 0, 0, flags);
    }
}
