package org.uring4j.ring;

/**
 * How to set up a {@link Ring}: the {@code io_uring_params} of {@code io_uring_setup(2)} as typed,
 * chainable settings ({@code io_uring_queue_init_params} in liburing).
 *
 * <pre>{@code
 * try (Ring ring = Ring.open(new RingOptions(256).cqSize(1024).singleIssuer().deferTaskrun())) { ... }
 * }</pre>
 */
public final class RingOptions {
    private final int entries;
    private int flags;
    private int cqEntries;
    private int sqThreadCpu = -1;
    private int sqThreadIdleMillis;
    private Ring attachTo;
    private boolean registerRingFd;

    /**
     * @param entries submission queue entries, rounded up to a power of two by the kernel: 1 to
     *                32768, or more with {@link #clamp()}, which lowers them to 32768
     */
    public RingOptions(int entries) {
        if (entries < 1) {
            throw new IllegalArgumentException("entries must be positive: " + entries);
        }
        this.entries = entries;
    }

    /** IORING_SETUP_CQSIZE: a completion queue of {@code cqEntries} (default twice the SQ). */
    public RingOptions cqSize(int cqEntries) {
        if (cqEntries < 1) {
            throw new IllegalArgumentException("cqEntries must be positive: " + cqEntries);
        }
        this.cqEntries = cqEntries;
        return set(Uapi.IORING_SETUP_CQSIZE);
    }

    /** IORING_SETUP_CLAMP: clamp sizes above the kernel's maximum instead of failing with EINVAL. */
    public RingOptions clamp() {
        return set(Uapi.IORING_SETUP_CLAMP);
    }

    /** IORING_SETUP_SQPOLL: a kernel thread polls the SQ; it sleeps after {@code idleMillis} idle. */
    public RingOptions sqPoll(int idleMillis) {
        if (idleMillis < 0) {
            throw new IllegalArgumentException("idleMillis must not be negative: " + idleMillis);
        }
        this.sqThreadIdleMillis = idleMillis;
        return set(Uapi.IORING_SETUP_SQPOLL);
    }

    /** IORING_SETUP_SQ_AFF: pin the SQPOLL thread to {@code cpu} (needs {@link #sqPoll}). */
    public RingOptions sqThreadCpu(int cpu) {
        if (cpu < 0) {
            throw new IllegalArgumentException("cpu must not be negative: " + cpu);
        }
        this.sqThreadCpu = cpu;
        return set(Uapi.IORING_SETUP_SQ_AFF);
    }

    /** IORING_SETUP_IOPOLL: busy-poll completions (O_DIRECT on devices that support polling). */
    public RingOptions ioPoll() {
        return set(Uapi.IORING_SETUP_IOPOLL);
    }

    /** IORING_SETUP_HYBRID_IOPOLL: IOPOLL that sleeps before polling (6.13+; implies {@link #ioPoll}). */
    public RingOptions hybridIoPoll() {
        return set(Uapi.IORING_SETUP_IOPOLL | Uapi.IORING_SETUP_HYBRID_IOPOLL);
    }

    /** IORING_SETUP_SINGLE_ISSUER: only the thread that first submits may submit (6.0+). */
    public RingOptions singleIssuer() {
        return set(Uapi.IORING_SETUP_SINGLE_ISSUER);
    }

    /** IORING_SETUP_DEFER_TASKRUN: run completion work only when the issuer waits (6.1+; implies single issuer). */
    public RingOptions deferTaskrun() {
        return set(Uapi.IORING_SETUP_DEFER_TASKRUN | Uapi.IORING_SETUP_SINGLE_ISSUER);
    }

    /** IORING_SETUP_COOP_TASKRUN: no interrupting IPI for completion work (5.19+). */
    public RingOptions coopTaskrun() {
        return set(Uapi.IORING_SETUP_COOP_TASKRUN);
    }

    /** IORING_SETUP_TASKRUN_FLAG: flag IORING_SQ_TASKRUN when completion work waits (with COOP or DEFER taskrun). */
    public RingOptions taskrunFlag() {
        return set(Uapi.IORING_SETUP_TASKRUN_FLAG);
    }

    /** IORING_SETUP_SUBMIT_ALL: keep submitting a batch after an entry fails to prepare. */
    public RingOptions submitAll() {
        return set(Uapi.IORING_SETUP_SUBMIT_ALL);
    }

    /** IORING_SETUP_NO_SQARRAY: no SQ index array; entries are consumed in ring order (6.6+). */
    public RingOptions noSqArray() {
        return set(Uapi.IORING_SETUP_NO_SQARRAY);
    }

    /** IORING_SETUP_R_DISABLED: start disabled, for {@link Ring#registerRestrictions}; then {@link Ring#enable()}. */
    public RingOptions disabled() {
        return set(Uapi.IORING_SETUP_R_DISABLED);
    }

    /** IORING_SETUP_ATTACH_WQ: share {@code other}'s io-wq worker pool. */
    public RingOptions attachWq(Ring other) {
        this.attachTo = java.util.Objects.requireNonNull(other, "other");
        return set(Uapi.IORING_SETUP_ATTACH_WQ);
    }

    /** IORING_SETUP_SQE128: 128-byte SQEs, for URING_CMD payloads. */
    public RingOptions sqe128() {
        return set(Uapi.IORING_SETUP_SQE128);
    }

    /** IORING_SETUP_CQE32: 32-byte CQEs. */
    public RingOptions cqe32() {
        return set(Uapi.IORING_SETUP_CQE32);
    }

    /** IORING_SETUP_CQE_MIXED: both 16- and 32-byte CQEs in one ring (6.18+). */
    public RingOptions cqeMixed() {
        return set(Uapi.IORING_SETUP_CQE_MIXED);
    }

    /**
     * Register the ring's own fd with itself after setup ({@code io_uring_register_ring_fd}), so
     * that every {@code io_uring_enter} skips the fd lookup.
     */
    public RingOptions registerRingFd() {
        this.registerRingFd = true;
        return this;
    }

    private RingOptions set(int flag) {
        flags |= flag;
        return this;
    }

    public int entries() {
        return entries;
    }

    /** The IORING_SETUP_* flags these options ask for. */
    public int setupFlags() {
        return flags;
    }

    int cqEntries() {
        return cqEntries;
    }

    int sqThreadCpu() {
        return sqThreadCpu;
    }

    int sqThreadIdleMillis() {
        return sqThreadIdleMillis;
    }

    Ring attachTo() {
        return attachTo;
    }

    boolean wantsRegisteredRingFd() {
        return registerRingFd;
    }
}
