package org.uring4j.ring;

import java.util.StringJoiner;
import java.util.function.IntPredicate;

/**
 * The IORING_SETUP_* flags {@link RingOptions} sets, with the Linux release that added each: a
 * kernel refuses a flag it does not know with a bare EINVAL from io_uring_setup, and
 * {@link Ring#open(RingOptions)} names the ones it lacks instead.
 */
enum SetupFlag {
    IOPOLL(Uapi.IORING_SETUP_IOPOLL, "5.1", 0),
    SQPOLL(Uapi.IORING_SETUP_SQPOLL, "5.1", 0),
    SQ_AFF(Uapi.IORING_SETUP_SQ_AFF, "5.1", Uapi.IORING_SETUP_SQPOLL),
    CQSIZE(Uapi.IORING_SETUP_CQSIZE, "5.5", 0),
    CLAMP(Uapi.IORING_SETUP_CLAMP, "5.6", 0),
    ATTACH_WQ(Uapi.IORING_SETUP_ATTACH_WQ, "5.6", 0),
    R_DISABLED(Uapi.IORING_SETUP_R_DISABLED, "5.10", 0),
    SUBMIT_ALL(Uapi.IORING_SETUP_SUBMIT_ALL, "5.18", 0),
    COOP_TASKRUN(Uapi.IORING_SETUP_COOP_TASKRUN, "5.19", 0),
    TASKRUN_FLAG(Uapi.IORING_SETUP_TASKRUN_FLAG, "5.19", Uapi.IORING_SETUP_COOP_TASKRUN),
    SQE128(Uapi.IORING_SETUP_SQE128, "5.19", 0),
    CQE32(Uapi.IORING_SETUP_CQE32, "5.19", 0),
    SINGLE_ISSUER(Uapi.IORING_SETUP_SINGLE_ISSUER, "6.0", 0),
    DEFER_TASKRUN(Uapi.IORING_SETUP_DEFER_TASKRUN, "6.1", Uapi.IORING_SETUP_SINGLE_ISSUER),
    NO_SQARRAY(Uapi.IORING_SETUP_NO_SQARRAY, "6.6", 0),
    HYBRID_IOPOLL(Uapi.IORING_SETUP_HYBRID_IOPOLL, "6.13", Uapi.IORING_SETUP_IOPOLL),
    CQE_MIXED(Uapi.IORING_SETUP_CQE_MIXED, "6.18", 0);

    final int bit;
    final String since;
    /** The flags it cannot be set up without (SQ_AFF needs SQPOLL...), for testing it alone. */
    final int needs;

    SetupFlag(int bit, String since, int needs) {
        this.bit = bit;
        this.since = since;
        this.needs = needs;
    }

    /** The names of the flags in {@code flags}: {@code "SINGLE_ISSUER|DEFER_TASKRUN"}. */
    static String names(int flags) {
        StringJoiner j = new StringJoiner("|");
        for (SetupFlag f : values()) {
            if ((flags & f.bit) != 0) {
                j.add(f.name());
            }
        }
        return j.toString();
    }

    /**
     * Which of {@code flags} the kernel lacks, as {@code accepted} (does io_uring_setup take the
     * flag with what it needs?) tells: {@code "this kernel lacks IORING_SETUP_NO_SQARRAY (Linux
     * 6.6+)"}, or null if it takes each of them alone (then their combination is what it refuses).
     * ATTACH_WQ is not tried alone: it needs the other ring's fd, and every kernel with io_uring_setup
     * flags this library can use has it.
     */
    static String lacking(int flags, IntPredicate accepted) {
        StringJoiner j = new StringJoiner(", ");
        for (SetupFlag f : values()) {
            if ((flags & f.bit) != 0 && f != ATTACH_WQ && !accepted.test(f.bit | f.needs)) {
                j.add("IORING_SETUP_" + f.name() + " (Linux " + f.since + "+)");
            }
        }
        return j.length() == 0 ? null : "this kernel lacks " + j;
    }
}
