package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.Objects;
import java.util.Set;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.UringUnavailableException;
import org.uring4j.UringUnavailableException.Reason;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Syscalls;

/**
 * An io_uring instance: its submission and completion queues mapped into this process
 * ({@code struct io_uring} and {@code io_uring_queue_init_params} in liburing).
 *
 * <p>Queue entries with {@link #getSqe()}, prepare each with one of {@link Sqe}'s {@code prep*}
 * methods, hand them to the kernel with {@link #submit()}, and take completions with
 * {@link #waitCqe()}, {@link #copyCqes(CqeBatch)} or {@link #forEachCqe(CqeHandler)}:
 *
 * <pre>{@code
 * try (Ring ring = Ring.open(8)) {
 *     ring.getSqe().prepNop().userData(42);
 *     ring.submit();
 *     Cqe cqe = ring.waitCqe();   // Cqe[userData=42, res=0, flags=0]
 * }
 * }</pre>
 *
 * <p>A ring is not thread-safe, like liburing's: one thread submits and reaps at a time (the
 * runtime layer hands work to a ring's owner from other threads). Memory an operation points the
 * kernel at must stay alive until that operation's completion arrives; this layer cannot check
 * that, the runtime layer guarantees it. Everything else is checked: a bad argument, a full queue
 * or a closed ring is a typed exception, never a JVM crash.
 */
public final class Ring implements AutoCloseable {
    private static final VarHandle INT = JAVA_INT.varHandle();
    /** Plain reads of ring memory skip the alignment check of the aligned layouts (the fields are aligned). */
    private static final ValueLayout.OfInt U_INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U_LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    /** IORING_MAX_ENTRIES: the most SQ entries io_uring_setup accepts without IORING_SETUP_CLAMP. */
    private static final int MAX_ENTRIES = 32768;
    private static final long PARAMS_SIZE = Layouts.IO_URING_PARAMS.byteSize();
    private static final long OFF_SQ_OFF = Layouts.offsetOf(Layouts.IO_URING_PARAMS, "sq_off");
    private static final long OFF_CQ_OFF = Layouts.offsetOf(Layouts.IO_URING_PARAMS, "cq_off");

    private final int ringFd;
    private final int setupFlags;
    private final int features;
    private final Arena arena;
    private final MemorySegment sq;
    private final MemorySegment cq;
    private final MemorySegment sqes;
    private final MemorySegment waitArg;
    private final MemorySegment errnoBox;

    private final long sqHead;
    private final long sqTail;
    private final long sqFlags;
    private final long sqDropped;
    private final int sqMask;
    private final int sqEntries;
    private final long cqHead;
    private final long cqTail;
    private final long cqOverflow;
    private final long cqFlags;
    private final long cqes;
    private final int cqMask;
    private final int cqEntries;
    private final int cqeShift;
    private final boolean sqPoll;
    private final boolean mixedCqes;
    /** Completions only appear after an io_uring_enter(GETEVENTS): IOPOLL and DEFER_TASKRUN rings. */
    private final boolean reapNeedsEnter;

    private final Sqe[] sqeViews;
    /** Entries handed out by getSqe: [sqeHead, sqeTail) are queued but not yet published. */
    private int sqeHead;
    private int sqeTail;
    /**
     * The kernel's SQ head as last read: it only grows, so while it leaves room getSqe needs
     * neither the shared memory nor the volatile closed flag. close() sets it so that the next
     * getSqe takes the slow path, which reports the closed ring.
     */
    private int sqHeadSeen;
    private int enterFd;
    private int enterFlags;
    private int registeredRingIndex = -1;
    private volatile boolean closed;

    private Ring(int ringFd, MemorySegment params, Arena arena, MemorySegment sq, MemorySegment cq,
                 MemorySegment sqes, int sqeSize) {
        this.ringFd = ringFd;
        this.enterFd = ringFd;
        this.arena = arena;
        this.sq = sq;
        this.cq = cq;
        this.sqes = sqes;
        this.setupFlags = params.get(JAVA_INT, 8);
        this.features = params.get(JAVA_INT, 20);
        this.sqEntries = params.get(JAVA_INT, 0);
        this.cqEntries = params.get(JAVA_INT, 4);
        long so = OFF_SQ_OFF;
        long co = OFF_CQ_OFF;
        this.sqHead = params.get(JAVA_INT, so) & 0xffffffffL;
        this.sqTail = params.get(JAVA_INT, so + 4) & 0xffffffffL;
        this.sqMask = sq.get(JAVA_INT, params.get(JAVA_INT, so + 8) & 0xffffffffL);
        this.sqFlags = params.get(JAVA_INT, so + 16) & 0xffffffffL;
        this.sqDropped = params.get(JAVA_INT, so + 20) & 0xffffffffL;
        this.cqHead = params.get(JAVA_INT, co) & 0xffffffffL;
        this.cqTail = params.get(JAVA_INT, co + 4) & 0xffffffffL;
        this.cqMask = cq.get(JAVA_INT, params.get(JAVA_INT, co + 8) & 0xffffffffL);
        this.cqOverflow = params.get(JAVA_INT, co + 16) & 0xffffffffL;
        this.cqes = params.get(JAVA_INT, co + 20) & 0xffffffffL;
        this.cqFlags = params.get(JAVA_INT, co + 24) & 0xffffffffL;
        this.cqeShift = (setupFlags & Uapi.IORING_SETUP_CQE32) != 0 ? 5 : 4;
        this.sqPoll = (setupFlags & Uapi.IORING_SETUP_SQPOLL) != 0;
        this.mixedCqes = (setupFlags & Uapi.IORING_SETUP_CQE_MIXED) != 0;
        this.reapNeedsEnter = (setupFlags & (Uapi.IORING_SETUP_IOPOLL | Uapi.IORING_SETUP_DEFER_TASKRUN)) != 0;
        if ((setupFlags & Uapi.IORING_SETUP_NO_SQARRAY) == 0) {
            // Identity-map the index array once, as liburing does: entry i always lives in slot i.
            long array = params.get(JAVA_INT, so + 24) & 0xffffffffL;
            for (int i = 0; i < sqEntries; i++) {
                sq.set(JAVA_INT, array + 4L * i, i);
            }
        }
        this.sqeViews = new Sqe[sqEntries];
        for (int i = 0; i < sqEntries; i++) {
            sqeViews[i] = new Sqe(sqes, (long) i * sqeSize, sqeSize);
        }
        // An automatic arena, not the ring's shared one: a downcall must keep the session of each
        // segment it is passed alive, which for a shared arena is an atomic add before and after
        // every io_uring_enter; an automatic one costs nothing and lives as long as this ring.
        this.errnoBox = Syscalls.newErrnoBox(Arena.ofAuto());
        this.waitArg = arena.allocate(Layouts.IO_URING_GETEVENTS_ARG.byteSize() + Layouts.KERNEL_TIMESPEC.byteSize(), 8);
    }

    /** A ring with {@code entries} submission queue entries and default settings ({@code io_uring_queue_init}). */
    public static Ring open(int entries) throws UringException {
        return open(new RingOptions(entries));
    }

    /**
     * Sets up a ring ({@code io_uring_queue_init_params}).
     *
     * @throws UringUnavailableException if io_uring cannot be used in this process, saying why
     * @throws UringException            if the kernel refuses these options (EINVAL for a flag it lacks)
     */
    public static Ring open(RingOptions options) throws UringException {
        Objects.requireNonNull(options, "options");
        if (options.entries() > MAX_ENTRIES && (options.setupFlags() & Uapi.IORING_SETUP_CLAMP) == 0) {
            throw new IllegalArgumentException("entries must be 1.." + MAX_ENTRIES
                    + " (RingOptions.clamp() lowers larger values): " + options.entries());
        }
        requireSupportedPlatform();
        Arena arena = Arena.ofShared();
        int fd = -1;
        try {
            MemorySegment params = arena.allocate(PARAMS_SIZE, 8);
            params.set(JAVA_INT, 8, options.setupFlags());
            params.set(JAVA_INT, 4, options.cqEntries());
            params.set(JAVA_INT, 12, Math.max(options.sqThreadCpu(), 0));
            params.set(JAVA_INT, 16, options.sqThreadIdleMillis());
            if (options.attachTo() != null) {
                params.set(JAVA_INT, 24, options.attachTo().fd());
            }
            fd = Syscalls.ioUringSetup(options.entries(), params);
            if (fd < 0) {
                throw setupFailure(-fd, options);
            }
            int flags = params.get(JAVA_INT, 8);
            int feats = params.get(JAVA_INT, 20);
            int sqN = params.get(JAVA_INT, 0);
            int cqN = params.get(JAVA_INT, 4);
            int sqeSize = (flags & Uapi.IORING_SETUP_SQE128) != 0 ? 128 : 64;
            int cqeSize = (flags & Uapi.IORING_SETUP_CQE32) != 0 ? 32 : 16;
            long sqSize = (params.get(JAVA_INT, OFF_SQ_OFF + 24) & 0xffffffffL) + 4L * sqN;
            long cqSize = (params.get(JAVA_INT, OFF_CQ_OFF + 20) & 0xffffffffL) + (long) cqeSize * cqN;
            MemorySegment sq;
            MemorySegment cq;
            if ((feats & Uapi.IORING_FEAT_SINGLE_MMAP) != 0) {
                sq = map(arena, Math.max(sqSize, cqSize), fd, Uapi.IORING_OFF_SQ_RING);
                cq = sq;
            } else {
                sq = map(arena, sqSize, fd, Uapi.IORING_OFF_SQ_RING);
                cq = map(arena, cqSize, fd, Uapi.IORING_OFF_CQ_RING);
            }
            MemorySegment sqes = map(arena, (long) sqeSize * sqN, fd, Uapi.IORING_OFF_SQES);
            Ring ring = new Ring(fd, params, arena, sq, cq, sqes, sqeSize);
            if (options.wantsRegisteredRingFd()) {
                ring.registerRingFd();
            }
            return ring;
        } catch (UringException | RuntimeException | Error e) {
            arena.close();
            if (fd >= 0) {
                Syscalls.close(fd);
            }
            throw e;
        }
    }

    /**
     * Refuses, before any system call is made, a platform whose system call numbers uring4j does
     * not know (they are x86-64 Linux's: elsewhere a number names another call) or a JVM that
     * denies this module native access.
     */
    private static void requireSupportedPlatform() throws UringUnavailableException {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new UringUnavailableException(Reason.UNSUPPORTED_PLATFORM, Errno.ENOSYS.number(),
                    "uring4j's io_uring backend runs on Linux x86-64, not " + os + " " + arch);
        }
        try {
            Syscalls.geteuid(); // loads the downcalls
        } catch (IllegalCallerException | ExceptionInInitializerError | NoClassDefFoundError e) {
            UringUnavailableException u = new UringUnavailableException(Reason.OTHER, Errno.EPERM.number(),
                    "this JVM denies uring4j native access; run with --enable-native-access=org.uring4j"
                            + " (or ALL-UNNAMED on the class path)");
            u.initCause(e);
            throw u;
        }
    }

    private static MemorySegment map(Arena arena, long size, int fd, long offset) throws UringException {
        long addr = Syscalls.mmap(size, 0x1 | 0x2 /* PROT_READ|PROT_WRITE */, 0x01 | 0x8000 /* MAP_SHARED|MAP_POPULATE */,
                fd, offset);
        if (addr < 0 && addr > -4096) {
            throw new UringException("mmap", (int) -addr, fd, null, "mapping " + size + " bytes of the ring at offset 0x"
                    + Long.toHexString(offset));
        }
        return MemorySegment.ofAddress(addr).reinterpret(size, arena, s -> Syscalls.munmap(addr, size));
    }

    /** Turns a failed io_uring_setup into the exception that says why (the reasons need different fixes). */
    private static UringException setupFailure(int errno, RingOptions options) {
        String disabled = readSysctl();
        if (errno == Errno.EPERM.number() || errno == Errno.ENOSYS.number()) {
            if ("2".equals(disabled)) {
                return new UringUnavailableException(Reason.DISABLED_BY_SYSCTL, errno,
                        "io_uring is disabled for all processes by kernel.io_uring_disabled = 2");
            }
            if ("1".equals(disabled) && errno == Errno.EPERM.number()) {
                return new UringUnavailableException(Reason.DISABLED_BY_SYSCTL, errno,
                        "io_uring is restricted by kernel.io_uring_disabled = 1 to members of kernel.io_uring_group");
            }
            if (disabled == null && errno == Errno.ENOSYS.number() && !seccompFiltered()) {
                return new UringUnavailableException(Reason.KERNEL_TOO_OLD, errno,
                        "this kernel has no io_uring (needs Linux 5.1+, built with CONFIG_IO_URING)");
            }
            return new UringUnavailableException(Reason.BLOCKED_BY_SECCOMP, errno,
                    "io_uring_setup is blocked by a seccomp filter (as in Docker's default profile)"
                            + (seccompFiltered() ? "" : "; /proc/self/status shows no filter, so perhaps by an LSM"));
        }
        if (errno == Errno.ENOMEM.number()) {
            return new UringUnavailableException(Reason.MEMLOCK_LIMIT, errno,
                    "the ring's memory could not be allocated or locked; raise RLIMIT_MEMLOCK (ulimit -l)"
                            + " or use fewer entries than " + options.entries());
        }
        int flags = options.setupFlags();
        String lacking = errno == Errno.EINVAL.number() ? SetupFlag.lacking(flags, Ring::kernelAccepts) : null;
        return new UringException("io_uring_setup", errno, UringException.NO_FD, null,
                "entries=" + options.entries() + ", flags=0x" + Integer.toHexString(flags)
                        + (flags != 0 ? " (" + SetupFlag.names(flags) + ")" : "") + (lacking != null ? "; " + lacking : ""));
    }

    /** Whether io_uring_setup takes {@code flags} on a ring of two entries (set up and closed at once). */
    static boolean kernelAccepts(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = a.allocate(PARAMS_SIZE, 8);
            params.set(JAVA_INT, 8, flags);
            params.set(JAVA_INT, 4, 4); // cq_entries, for CQSIZE
            int fd = Syscalls.ioUringSetup(2, params);
            if (fd >= 0) {
                Syscalls.close(fd);
            }
            return fd != -Errno.EINVAL.number();
        }
    }

    /** kernel.io_uring_disabled (6.6+), or null where the sysctl does not exist. */
    static String readSysctl() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled")).trim();
        } catch (Exception e) {
            return null;
        }
    }

    /** True if /proc/self/status reports seccomp filter mode (2). */
    static boolean seccompFiltered() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Seccomp:")) {
                    return line.substring(8).trim().equals("2");
                }
            }
        } catch (Exception e) {
            // not Linux, or no procfs: no evidence either way
        }
        return false;
    }

    // ------------------------------------------------------------------ properties

    /** The ring's file descriptor. */
    public int fd() {
        return ringFd;
    }

    /** Submission queue size (a power of two). */
    public int sqEntries() {
        return sqEntries;
    }

    /** Completion queue size. */
    public int cqEntries() {
        return cqEntries;
    }

    /** The IORING_SETUP_* flags the kernel accepted. */
    public int setupFlags() {
        return setupFlags;
    }

    /** The kernel's IORING_FEAT_* features. */
    public Set<Feature> features() {
        return Feature.of(features);
    }

    /** Whether the kernel has {@code feature}. */
    public boolean hasFeature(Feature feature) {
        return (features & feature.bit()) != 0;
    }

    /** True after {@link #close()}. */
    public boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ submission

    /**
     * The next free submission queue entry, zeroed ({@code io_uring_get_sqe}). The entry is queued:
     * prepare it before the next {@link #submit()}.
     *
     * @throws SubmissionQueueFullException if all entries are queued and not yet consumed
     */
    public Sqe getSqe() {
        int tail = sqeTail;
        if (tail - sqHeadSeen >= sqEntries) {
            sqHeadSeen = sqHeadSlow();
            if (tail - sqHeadSeen >= sqEntries) {
                throw new SubmissionQueueFullException(sqEntries);
            }
        }
        Sqe sqe = sqeViews[tail & sqMask];
        // Not zeroed here: its prep writes every byte once, and flushSq zeroes it if none does.
        sqe.fresh = true;
        sqeTail = tail + 1;
        return sqe;
    }

    /** The kernel's SQ head, read when the one last seen says the queue is full; checks the ring is open. */
    private int sqHeadSlow() {
        checkOpen("getSqe");
        return sqPoll ? (int) INT.getAcquire(sq, sqHead) : sq.get(U_INT, sqHead);
    }

    /** Free submission queue entries ({@code io_uring_sq_space_left}). */
    public int sqSpaceLeft() {
        checkOpen("sqSpaceLeft");
        return sqEntries - (sqeTail - (int) INT.getAcquire(sq, sqHead));
    }

    /** Entries queued and not yet consumed by the kernel ({@code io_uring_sq_ready}). */
    public int sqReady() {
        checkOpen("sqReady");
        return sqeTail - (int) INT.getAcquire(sq, sqHead);
    }

    /** The SQ ring's IORING_SQ_* flags: NEED_WAKEUP (an idle SQPOLL thread), CQ_OVERFLOW, TASKRUN. */
    public int sqFlags() {
        checkOpen("sqFlags");
        return (int) INT.getAcquire(sq, sqFlags);
    }

    /** Entries the kernel dropped as invalid since setup (the SQ ring's {@code dropped} counter). */
    public int sqDropped() {
        checkOpen("sqDropped");
        return (int) INT.getAcquire(sq, sqDropped);
    }

    /** Publishes queued entries to the kernel; returns how many are waiting to be consumed. */
    private int flushSq() {
        int tail = sqeTail;
        int head = sqeHead;
        if (head != tail) {
            for (int i = head; i != tail; i++) {
                Sqe sqe = sqeViews[i & sqMask];
                if (sqe.fresh) {
                    sqe.reset(); // handed out but never prepared: a NOP with user_data 0, as getSqe promises
                }
            }
            sqeHead = tail;
            INT.setRelease(sq, sqTail, tail);
        }
        return tail - (int) INT.getAcquire(sq, sqHead);
    }

    /**
     * Hands the queued entries to the kernel ({@code io_uring_submit}).
     *
     * @return how many entries were submitted (with SQPOLL: how many were published to the poller)
     * @throws UringException for EBUSY/EAGAIN (completions must be reaped first) and other errors
     */
    public int submit() throws UringException {
        return submitAndWait(0);
    }

    /**
     * Submits the queued entries and waits until at least {@code waitNr} completions are available
     * ({@code io_uring_submit_and_wait}).
     */
    public int submitAndWait(int waitNr) throws UringException {
        checkOpen("submit");
        if (waitNr < 0) {
            throw new IllegalArgumentException("waitNr must not be negative: " + waitNr);
        }
        int published = sqeTail - sqeHead;
        int pending = flushSq();
        int flags = 0;
        int toSubmit = pending;
        if (sqPoll) {
            VarHandle.fullFence(); // order the tail store before reading NEED_WAKEUP, as the kernel expects
            if (((int) INT.getAcquire(sq, sqFlags) & Uapi.IORING_SQ_NEED_WAKEUP) != 0) {
                flags |= Uapi.IORING_ENTER_SQ_WAKEUP;
            }
            toSubmit = 0;
        }
        if (waitNr > 0 || cqNeedsFlush()) {
            flags |= Uapi.IORING_ENTER_GETEVENTS;
        }
        if (toSubmit == 0 && flags == 0) {
            return sqPoll ? published : pending;
        }
        if (waitNr > 0 && toSubmit > 0 && (flags & ~Uapi.IORING_ENTER_GETEVENTS) == 0
                && (setupFlags & Uapi.IORING_SETUP_IOPOLL) == 0) {
            // Submit first with a call that cannot sleep (a critical downcall, no thread-state
            // transition): ops that complete inline (page-cache reads, NOPs) are then already in the
            // CQ, and only a batch still short of waitNr pays a second, sleeping call.
            int r = enter(toSubmit, 0, 0, null, 0);
            if ((int) INT.getAcquire(cq, cqTail) - cq.get(U_INT, cqHead) < waitNr) {
                enter(0, waitNr, Uapi.IORING_ENTER_GETEVENTS, null, 0);
            }
            return r;
        }
        int r = enter(toSubmit, waitNr, flags, null, 0);
        // With SQPOLL the poller may already have consumed some of them: count what this call published.
        return sqPoll ? published : r;
    }

    private int enter(int toSubmit, int minComplete, int flags, MemorySegment arg, long argSize) throws UringException {
        int r = Syscalls.ioUringEnter(errnoBox, enterFd, toSubmit, minComplete, flags | enterFlags, arg, argSize);
        if (r < 0) {
            throw new UringException("io_uring_enter", -r, ringFd, null);
        }
        return r;
    }

    // ------------------------------------------------------------------ completion

    private boolean cqNeedsFlush() {
        return ((int) INT.getAcquire(sq, sqFlags) & (Uapi.IORING_SQ_CQ_OVERFLOW | Uapi.IORING_SQ_TASKRUN)) != 0;
    }

    /** Completions ready to be reaped ({@code io_uring_cq_ready}). */
    public int cqReady() {
        checkOpen("cqReady");
        return (int) INT.getAcquire(cq, cqTail) - cq.get(U_INT, cqHead);
    }

    /** Completions the kernel could not post and dropped ({@code cq ring overflow}; stays 0 with NODROP). */
    public int cqOverflow() {
        checkOpen("cqOverflow");
        return (int) INT.getAcquire(cq, cqOverflow);
    }

    /** Ready completions, after asking the kernel to flush overflowed or deferred ones if needed. */
    private int available() throws UringException {
        int n = (int) INT.getAcquire(cq, cqTail) - cq.get(U_INT, cqHead);
        // Flagged overflow or deferred work is collected even when the CQ is not empty, so a
        // steady stream of inline completions cannot starve it.
        if (cqNeedsFlush() || (n == 0 && reapNeedsEnter)) {
            enter(0, 0, Uapi.IORING_ENTER_GETEVENTS, null, 0);
            n = (int) INT.getAcquire(cq, cqTail) - cq.get(U_INT, cqHead);
        }
        return n;
    }

    /**
     * Copies up to {@code out.capacity()} ready completions into {@code out} and consumes them with
     * one head update ({@code io_uring_peek_batch_cqe} + {@code io_uring_cq_advance}). Never blocks.
     *
     * @return the number copied, also in {@code out.count()}
     */
    public int copyCqes(CqeBatch out) throws UringException {
        checkOpen("copyCqes");
        int n = Math.min(available(), out.capacity());
        int head = cq.get(U_INT, cqHead);
        if (!mixedCqes && !out.keepsBig()) {
            // Every slot one completion whose big words (if any) are not wanted: one tight loop, and a
            // method small enough for the JIT to inline into the caller's reap loop.
            out.fill(cq, cqes, head, n, cqMask, cqeShift);
            if (n > 0) {
                INT.setRelease(cq, cqHead, head + n);
            }
            return n;
        }
        return copyMixed(out, head, n);
    }

    /** copyCqes for mixed rings (skip slots, two-slot CQEs) and batches that keep the big words. */
    private int copyMixed(CqeBatch out, int head, int n) {
        int copied = 0;
        int consumed = 0;
        while (copied < n && consumed < n) {
            long off = cqes + ((long) ((head + consumed) & cqMask) << cqeShift);
            int flags = cq.get(U_INT, off + 12);
            consumed += entrySlots(flags);
            if (mixedCqes && (flags & Uapi.IORING_CQE_F_SKIP) != 0) {
                continue;
            }
            out.set(copied, cq.get(U_LONG, off), cq.get(U_INT, off + 8), flags);
            if (out.keepsBig()) {
                boolean big = cqeShift == 5 || (flags & Uapi.IORING_CQE_F_32) != 0;
                out.setBig(copied, big ? cq.get(U_LONG, off + 16) : 0, big ? cq.get(U_LONG, off + 24) : 0);
            }
            copied++;
        }
        out.count(copied);
        if (consumed > 0) {
            INT.setRelease(cq, cqHead, head + consumed);
        }
        return copied;
    }

    /** Ring slots a CQE occupies: two for a 32-byte CQE in a mixed ring. */
    private int entrySlots(int flags) {
        return mixedCqes && (flags & Uapi.IORING_CQE_F_32) != 0 ? 2 : 1;
    }

    /**
     * Hands every ready completion to {@code handler}, then consumes them all with one head update
     * ({@code io_uring_for_each_cqe} + {@code io_uring_cq_advance}). Never blocks; allocates nothing.
     *
     * @return the number handled
     */
    public int forEachCqe(CqeHandler handler) throws UringException {
        checkOpen("forEachCqe");
        Objects.requireNonNull(handler, "handler");
        int n = available();
        int head = cq.get(U_INT, cqHead);
        int handled = 0;
        int consumed = 0;
        try {
            while (consumed < n) {
                long off = cqes + ((long) ((head + consumed) & cqMask) << cqeShift);
                int flags = cq.get(U_INT, off + 12);
                consumed += entrySlots(flags);
                if (mixedCqes && (flags & Uapi.IORING_CQE_F_SKIP) != 0) {
                    continue;
                }
                handled++;
                handler.accept(cq.get(U_LONG, off), cq.get(U_INT, off + 8), flags);
            }
        } finally {
            // A handler that throws still consumes what it saw, so no completion is delivered twice.
            if (consumed > 0 && !closed) {
                INT.setRelease(cq, cqHead, head + consumed);
            }
        }
        return handled;
    }

    /** The next completion if one is ready, consumed; else null ({@code io_uring_peek_cqe} + {@code io_uring_cqe_seen}). */
    public Cqe pollCqe() throws UringException {
        checkOpen("pollCqe");
        while (available() > 0) {
            int head = cq.get(U_INT, cqHead);
            long off = cqes + ((long) (head & cqMask) << cqeShift);
            int flags = cq.get(U_INT, off + 12);
            Cqe cqe = new Cqe(cq.get(U_LONG, off), cq.get(U_INT, off + 8), flags);
            INT.setRelease(cq, cqHead, head + entrySlots(flags));
            if (!(mixedCqes && (flags & Uapi.IORING_CQE_F_SKIP) != 0)) {
                return cqe;
            }
        }
        return null;
    }

    /** Waits for the next completion and consumes it ({@code io_uring_wait_cqe} + {@code io_uring_cqe_seen}). */
    public Cqe waitCqe() throws UringException {
        checkOpen("waitCqe");
        Cqe cqe;
        while ((cqe = pollCqe()) == null) {
            enter(0, 1, Uapi.IORING_ENTER_GETEVENTS, null, 0);
        }
        return cqe;
    }

    /**
     * Waits at most {@code timeout} for the next completion ({@code io_uring_wait_cqe_timeout}).
     *
     * @return the completion, consumed, or null if none arrived in time
     */
    public Cqe waitCqe(Duration timeout) throws UringException {
        checkOpen("waitCqe");
        Cqe cqe = pollCqe();
        if (cqe == null && waitTimed(1, timeout)) {
            cqe = pollCqe();
        }
        return cqe;
    }

    /**
     * Submits what is queued, waits until {@code minComplete} completions are ready or
     * {@code timeout} passes, and copies the ready ones into {@code out}
     * ({@code io_uring_submit_and_wait_timeout}).
     *
     * @return the number copied (fewer than {@code minComplete} if the wait timed out)
     */
    public int submitAndWait(CqeBatch out, int minComplete, Duration timeout) throws UringException {
        checkOpen("submitAndWait");
        if (minComplete < 0) {
            throw new IllegalArgumentException("minComplete must not be negative: " + minComplete);
        }
        submit();
        if (minComplete > 0 && cqReady() < minComplete) {
            waitTimed(minComplete, timeout);
        }
        return copyCqes(out);
    }

    /** io_uring_enter(GETEVENTS | EXT_ARG) with a timeout; false if it timed out. */
    private boolean waitTimed(int minComplete, Duration timeout) throws UringException {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        if (!hasFeature(Feature.EXT_ARG)) {
            throw new UringException("io_uring_enter", Errno.EOPNOTSUPP.number(), ringFd, null,
                    "timed waits need IORING_FEAT_EXT_ARG (Linux 5.11+)");
        }
        long argSize = Layouts.IO_URING_GETEVENTS_ARG.byteSize();
        MemorySegment ts = waitArg.asSlice(argSize, Layouts.KERNEL_TIMESPEC.byteSize());
        ts.set(JAVA_LONG, 0, timeout.getSeconds());
        ts.set(JAVA_LONG, 8, timeout.getNano());
        waitArg.set(JAVA_LONG, 0, 0L);
        waitArg.set(JAVA_INT, 8, Uapi.NSIG_BYTES);
        waitArg.set(JAVA_INT, 12, 0);
        waitArg.set(JAVA_LONG, 16, ts.address());
        int r = Syscalls.ioUringEnter(errnoBox, enterFd, 0, minComplete,
                Uapi.IORING_ENTER_GETEVENTS | Uapi.IORING_ENTER_EXT_ARG | enterFlags, waitArg, argSize);
        if (r == -Errno.ETIME.number()) {
            return false;
        }
        if (r < 0) {
            throw new UringException("io_uring_enter", -r, ringFd, null);
        }
        return true;
    }

    // ------------------------------------------------------------------ probe and registration

    /** Which ops the kernel supports ({@code io_uring_get_probe_ring}). */
    public Probe probe() throws UringException {
        checkOpen("probe");
        int nOps = 256;
        try (Arena a = Arena.ofConfined()) {
            long opSize = Layouts.IO_URING_PROBE_OP.byteSize();
            long hdr = Layouts.IO_URING_PROBE.byteSize();
            MemorySegment p = a.allocate(hdr + opSize * nOps, 8);
            register(Uapi.IORING_REGISTER_PROBE, p, nOps, "IORING_REGISTER_PROBE");
            int lastOp = Byte.toUnsignedInt(p.get(JAVA_BYTE, 0));
            int len = Byte.toUnsignedInt(p.get(JAVA_BYTE, 1));
            BitSet supported = new BitSet();
            for (int i = 0; i < len; i++) {
                long off = hdr + i * opSize;
                short flags = p.get(JAVA_SHORT, off + 2);
                if ((flags & Uapi.IO_URING_OP_SUPPORTED) != 0) {
                    supported.set(Byte.toUnsignedInt(p.get(JAVA_BYTE, off)));
                }
            }
            return new Probe(lastOp, supported);
        }
    }

    /** One io_uring_register call; returns its non-negative result or throws naming {@code what}. */
    int register(int opcode, MemorySegment arg, int nrArgs, String what) throws UringException {
        checkOpen(what);
        int r = Syscalls.ioUringRegister(ringFd, opcode, arg, nrArgs);
        if (r < 0) {
            throw new UringException(what, -r, ringFd, null, r == -Errno.EINVAL.number() ? registerLacks(opcode, what) : null);
        }
        return r;
    }

    /** The release that added each io_uring_register opcode from 20 (IORING_REGISTER_RING_FDS) on. */
    private static final String[] REGISTER_SINCE = {"5.18", "5.18", "5.19", "5.19", "6.0", "6.0", "6.8", "6.9", "6.9",
        "6.12", "6.12", "6.13", "6.15", "6.13", "6.13", "6.18"};

    /**
     * Why a register opcode failed with EINVAL, if it is newer than the running kernel (which
     * refuses an opcode it does not know with a bare EINVAL): {@code "IORING_REGISTER_PBUF_STATUS
     * came in Linux 6.8; this kernel is 6.1.0"}; else null.
     */
    static String registerLacks(int opcode, String what) {
        int i = opcode - Uapi.IORING_REGISTER_RING_FDS;
        String running = kernelRelease();
        if (i < 0 || i >= REGISTER_SINCE.length || running == null
                || compareReleases(running, REGISTER_SINCE[i]) >= 0) {
            return null;
        }
        return what + " came in Linux " + REGISTER_SINCE[i] + "; this kernel is " + running;
    }

    /** The running kernel's release (uname -r), or null. */
    static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (Exception e) {
            return null;
        }
    }

    /** Compares the major.minor of two releases ("6.1.0-28-amd64" against "6.8"). */
    static int compareReleases(String a, String b) {
        String[] x = a.split("[.-]");
        String[] y = b.split("[.-]");
        for (int i = 0; i < 2; i++) {
            int c = Integer.compare(leadingInt(x, i), leadingInt(y, i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static int leadingInt(String[] parts, int i) {
        if (i >= parts.length) {
            return 0;
        }
        String digits = parts[i].replaceAll("\\D.*", "");
        return digits.isEmpty() ? 0 : Integer.parseInt(digits);
    }

    /**
     * Registers a table of files ({@code io_uring_register_files}); -1 leaves a slot empty. Ops then
     * name files by slot with {@link Fd#fixed(int)}.
     */
    public void registerFiles(int... fds) throws UringException {
        if (fds.length == 0) {
            throw new IllegalArgumentException("registerFiles: no files (use registerFilesSparse for an empty table)");
        }
        try (Arena a = Arena.ofConfined()) {
            register(Uapi.IORING_REGISTER_FILES, a.allocateFrom(JAVA_INT, fds), fds.length, "IORING_REGISTER_FILES");
        }
    }

    /** Registers an empty table of {@code slots} files ({@code io_uring_register_files_sparse}). */
    public void registerFilesSparse(int slots) throws UringException {
        if (slots <= 0) {
            throw new IllegalArgumentException("registerFilesSparse: slots must be positive: " + slots);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(Layouts.IO_URING_RSRC_REGISTER);
            reg.set(JAVA_INT, 0, slots);
            reg.set(JAVA_INT, 4, Uapi.IORING_RSRC_REGISTER_SPARSE);
            register(Uapi.IORING_REGISTER_FILES2, reg, (int) reg.byteSize(), "IORING_REGISTER_FILES2");
        }
    }

    /**
     * Replaces slots {@code offset..} of the file table ({@code io_uring_register_files_update});
     * -1 empties a slot, {@link Uapi#IORING_REGISTER_FILES_SKIP} leaves it.
     *
     * @return how many slots were updated
     */
    public int registerFilesUpdate(int offset, int... fds) throws UringException {
        if (offset < 0) {
            throw new IllegalArgumentException("registerFilesUpdate: negative offset " + offset);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment upd = a.allocate(Layouts.IO_URING_RSRC_UPDATE);
            upd.set(JAVA_INT, 0, offset);
            upd.set(JAVA_LONG, 8, a.allocateFrom(JAVA_INT, fds).address());
            return register(Uapi.IORING_REGISTER_FILES_UPDATE, upd, fds.length, "IORING_REGISTER_FILES_UPDATE");
        }
    }

    /** Restricts the slots the kernel picks for direct descriptors to {@code [offset, offset+length)} ({@code io_uring_register_file_alloc_range}). */
    public void registerFileAllocRange(int offset, int length) throws UringException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("registerFileAllocRange: negative offset or length");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment range = a.allocate(Layouts.IO_URING_FILE_INDEX_RANGE);
            range.set(JAVA_INT, 0, offset);
            range.set(JAVA_INT, 4, length);
            register(Uapi.IORING_REGISTER_FILE_ALLOC_RANGE, range, 0, "IORING_REGISTER_FILE_ALLOC_RANGE");
        }
    }

    /** Drops the registered file table ({@code io_uring_unregister_files}). */
    public void unregisterFiles() throws UringException {
        register(Uapi.IORING_UNREGISTER_FILES, null, 0, "IORING_UNREGISTER_FILES");
    }

    /**
     * Registers buffers for READ_FIXED/WRITE_FIXED ({@code io_uring_register_buffers}); buffer
     * {@code i} is then index {@code i}. The kernel pins their pages: keep the segments alive until
     * {@link #unregisterBuffers()}.
     */
    public void registerBuffers(MemorySegment... buffers) throws UringException {
        if (buffers.length == 0) {
            throw new IllegalArgumentException("registerBuffers: no buffers (use registerBuffersSparse)");
        }
        try (Arena a = Arena.ofConfined()) {
            register(Uapi.IORING_REGISTER_BUFFERS, iovecs(a, "registerBuffers", buffers), buffers.length,
                    "IORING_REGISTER_BUFFERS");
        }
    }

    /** Registers an empty buffer table of {@code slots} ({@code io_uring_register_buffers_sparse}). */
    public void registerBuffersSparse(int slots) throws UringException {
        if (slots <= 0) {
            throw new IllegalArgumentException("registerBuffersSparse: slots must be positive: " + slots);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(Layouts.IO_URING_RSRC_REGISTER);
            reg.set(JAVA_INT, 0, slots);
            reg.set(JAVA_INT, 4, Uapi.IORING_RSRC_REGISTER_SPARSE);
            register(Uapi.IORING_REGISTER_BUFFERS2, reg, (int) reg.byteSize(), "IORING_REGISTER_BUFFERS2");
        }
    }

    /**
     * Replaces buffer slots {@code offset..} ({@code io_uring_register_buffers_update_tag} without tags).
     *
     * @return how many slots were updated
     */
    public int registerBuffersUpdate(int offset, MemorySegment... buffers) throws UringException {
        if (offset < 0) {
            throw new IllegalArgumentException("registerBuffersUpdate: negative offset " + offset);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment upd = a.allocate(Layouts.IO_URING_RSRC_UPDATE2);
            upd.set(JAVA_INT, 0, offset);
            upd.set(JAVA_LONG, 8, iovecs(a, "registerBuffersUpdate", buffers).address());
            upd.set(JAVA_INT, 24, buffers.length);
            return register(Uapi.IORING_REGISTER_BUFFERS_UPDATE, upd, (int) upd.byteSize(),
                    "IORING_REGISTER_BUFFERS_UPDATE");
        }
    }

    private static MemorySegment iovecs(Arena a, String op, MemorySegment... buffers) {
        MemorySegment iov = a.allocate(Layouts.IOVEC, Math.max(1, buffers.length));
        for (int i = 0; i < buffers.length; i++) {
            MemorySegment b = Objects.requireNonNull(buffers[i], "buffer");
            Sqe.requireNative(op, b);
            iov.set(JAVA_LONG, 16L * i, b.address());
            iov.set(JAVA_LONG, 16L * i + 8, b.byteSize());
        }
        return iov;
    }

    /** Drops the registered buffers ({@code io_uring_unregister_buffers}). */
    public void unregisterBuffers() throws UringException {
        register(Uapi.IORING_UNREGISTER_BUFFERS, null, 0, "IORING_UNREGISTER_BUFFERS");
    }

    /**
     * Sets up a provided-buffer ring of {@code entries} buffers of {@code bufferSize} bytes for
     * group {@code groupId}, all handed to the kernel ({@code io_uring_setup_buf_ring}).
     */
    public BufferRing registerBufferRing(int groupId, int entries, int bufferSize) throws UringException {
        checkOpen("registerBufferRing");
        return new BufferRing(this, groupId, entries, bufferSize);
    }

    /** Registers the calling thread's credentials; returns the id for {@link Sqe#personality(int)} ({@code io_uring_register_personality}). */
    public int registerPersonality() throws UringException {
        return register(Uapi.IORING_REGISTER_PERSONALITY, null, 0, "IORING_REGISTER_PERSONALITY");
    }

    /** Drops a personality ({@code io_uring_unregister_personality}). */
    public void unregisterPersonality(int id) throws UringException {
        register(Uapi.IORING_UNREGISTER_PERSONALITY, null, id, "IORING_UNREGISTER_PERSONALITY");
    }

    /**
     * Sets the most io-wq workers of each kind ({@code io_uring_register_iowq_max_workers}); 0
     * leaves a value unchanged, so {@code (0, 0)} only reads.
     *
     * @return the previous limits: {bounded, unbounded}
     */
    public int[] registerIoWqMaxWorkers(int bounded, int unbounded) throws UringException {
        if (bounded < 0 || unbounded < 0) {
            throw new IllegalArgumentException("registerIoWqMaxWorkers: negative worker count");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocateFrom(JAVA_INT, bounded, unbounded);
            register(Uapi.IORING_REGISTER_IOWQ_MAX_WORKERS, v, 2, "IORING_REGISTER_IOWQ_MAX_WORKERS");
            return new int[] {v.get(JAVA_INT, 0), v.get(JAVA_INT, 4)};
        }
    }

    /** Pins io-wq workers to {@code cpus} ({@code io_uring_register_iowq_aff}). */
    public void registerIoWqAffinity(BitSet cpus) throws UringException {
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("registerIoWqAffinity: empty CPU set");
        }
        int possible = possibleCpus();
        if (possible > 0 && cpus.length() > possible) {
            // The kernel cuts the mask to its own size without a word: refuse CPUs that cannot exist.
            throw new IllegalArgumentException("registerIoWqAffinity: CPU " + (cpus.length() - 1)
                    + " does not exist (possible CPUs: 0-" + (possible - 1) + ")");
        }
        long[] words = cpus.toLongArray();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment set = a.allocateFrom(JAVA_LONG, words);
            register(Uapi.IORING_REGISTER_IOWQ_AFF, set, (int) set.byteSize(), "IORING_REGISTER_IOWQ_AFF");
        }
    }

    /** The number of possible CPU ids (from /sys/devices/system/cpu/possible, "0-N"), or 0 if unknown. */
    private static int possibleCpus() {
        try {
            String s = Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim();
            String last = s.substring(Math.max(s.lastIndexOf('-'), s.lastIndexOf(',')) + 1);
            return Integer.parseInt(last) + 1;
        } catch (Exception e) {
            return 0;
        }
    }

    /** Lets io-wq workers run anywhere again ({@code io_uring_unregister_iowq_aff}). */
    public void unregisterIoWqAffinity() throws UringException {
        register(Uapi.IORING_UNREGISTER_IOWQ_AFF, null, 0, "IORING_UNREGISTER_IOWQ_AFF");
    }

    /**
     * Signals {@code eventFd} on completions ({@code io_uring_register_eventfd}); with
     * {@code asyncOnly}, only for those completed by io-wq ({@code io_uring_register_eventfd_async}).
     */
    public void registerEventFd(int eventFd, boolean asyncOnly) throws UringException {
        try (Arena a = Arena.ofConfined()) {
            int op = asyncOnly ? Uapi.IORING_REGISTER_EVENTFD_ASYNC : Uapi.IORING_REGISTER_EVENTFD;
            register(op, a.allocateFrom(JAVA_INT, eventFd), 1,
                    asyncOnly ? "IORING_REGISTER_EVENTFD_ASYNC" : "IORING_REGISTER_EVENTFD");
        }
    }

    /** Stops eventfd notifications ({@code io_uring_unregister_eventfd}). */
    public void unregisterEventFd() throws UringException {
        register(Uapi.IORING_UNREGISTER_EVENTFD, null, 0, "IORING_UNREGISTER_EVENTFD");
    }

    /**
     * Registers this ring's fd with itself, so {@code io_uring_enter} skips the fd table
     * ({@code io_uring_register_ring_fd}). Idempotent.
     *
     * @return the registered index
     */
    public int registerRingFd() throws UringException {
        if (registeredRingIndex >= 0) {
            return registeredRingIndex;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment upd = a.allocate(Layouts.IO_URING_RSRC_UPDATE);
            upd.set(JAVA_INT, 0, -1); // let the kernel pick the index
            upd.set(JAVA_LONG, 8, ringFd);
            int n = register(Uapi.IORING_REGISTER_RING_FDS, upd, 1, "IORING_REGISTER_RING_FDS");
            if (n != 1) {
                throw new UringException("IORING_REGISTER_RING_FDS", Errno.EINVAL.number(), ringFd, null,
                        "registered " + n + " ring fds");
            }
            registeredRingIndex = upd.get(JAVA_INT, 0);
            enterFd = registeredRingIndex;
            enterFlags = Uapi.IORING_ENTER_REGISTERED_RING;
            return registeredRingIndex;
        }
    }

    /** Undoes {@link #registerRingFd()} ({@code io_uring_unregister_ring_fd}). */
    public void unregisterRingFd() throws UringException {
        if (registeredRingIndex < 0) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment upd = a.allocate(Layouts.IO_URING_RSRC_UPDATE);
            upd.set(JAVA_INT, 0, registeredRingIndex);
            register(Uapi.IORING_UNREGISTER_RING_FDS, upd, 1, "IORING_UNREGISTER_RING_FDS");
            registeredRingIndex = -1;
            enterFd = ringFd;
            enterFlags = 0;
        }
    }

    /** The registered ring index, or -1 if {@link #registerRingFd()} was not called. */
    public int registeredRingIndex() {
        return registeredRingIndex;
    }

    /**
     * Limits what this ring may do once enabled ({@code io_uring_register_restrictions}); the ring
     * must have been opened {@link RingOptions#disabled()}.
     */
    public void registerRestrictions(Restriction... rules) throws UringException {
        if (rules.length == 0) {
            throw new IllegalArgumentException("registerRestrictions: no rules");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment res = a.allocate(Layouts.IO_URING_RESTRICTION, rules.length);
            for (int i = 0; i < rules.length; i++) {
                long off = 16L * i;
                res.set(JAVA_SHORT, off, (short) rules[i].kind());
                res.set(JAVA_BYTE, off + 2, (byte) rules[i].value());
            }
            register(Uapi.IORING_REGISTER_RESTRICTIONS, res, rules.length, "IORING_REGISTER_RESTRICTIONS");
        }
    }

    /** Enables a ring opened {@link RingOptions#disabled()} ({@code io_uring_enable_rings}). */
    public void enable() throws UringException {
        register(Uapi.IORING_REGISTER_ENABLE_RINGS, null, 0, "IORING_REGISTER_ENABLE_RINGS");
    }

    /**
     * Cancels matching in-flight requests and waits for them ({@code io_uring_register_sync_cancel}).
     *
     * @param userData the user_data to match (with no key flag in {@code flags})
     * @param fd       the file to match with {@link Uapi#IORING_ASYNC_CANCEL_FD}, or null
     * @param flags    IORING_ASYNC_CANCEL_* flags
     * @param timeout  how long to wait, or null for no limit
     * @throws UringException ENOENT if nothing matched, ETIME if the wait timed out
     */
    public void syncCancel(long userData, Fd fd, int flags, Duration timeout) throws UringException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(Layouts.IO_URING_SYNC_CANCEL_REG);
            reg.set(JAVA_LONG, 0, userData);
            int f = flags;
            if (fd != null) {
                reg.set(JAVA_INT, 8, fd.value());
                f |= Uapi.IORING_ASYNC_CANCEL_FD | (fd.isFixed() ? Uapi.IORING_ASYNC_CANCEL_FD_FIXED : 0);
            } else {
                reg.set(JAVA_INT, 8, -1);
            }
            reg.set(JAVA_INT, 12, f);
            reg.set(JAVA_LONG, 16, timeout == null ? -1 : timeout.getSeconds());
            reg.set(JAVA_LONG, 24, timeout == null ? -1 : timeout.getNano());
            register(Uapi.IORING_REGISTER_SYNC_CANCEL, reg, 1, "IORING_REGISTER_SYNC_CANCEL");
        }
    }

    // ------------------------------------------------------------------ teardown

    private void checkOpen(String what) {
        if (closed) {
            throw new RingClosedException(what);
        }
    }

    /**
     * Unmaps the queues and closes the ring fd ({@code io_uring_queue_exit}). Idempotent. The kernel
     * cancels what is still in flight; memory those operations point at must outlive this call
     * until the kernel has finished with it, which the runtime layer's close guarantees.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sqHeadSeen = sqeTail - sqEntries;
        arena.close();
        Syscalls.close(ringFd);
    }

    @Override
    public String toString() {
        return "Ring[fd=" + ringFd + ", sq=" + sqEntries + ", cq=" + cqEntries + ", flags=0x"
                + Integer.toHexString(setupFlags) + (closed ? ", closed" : "") + "]";
    }
}
