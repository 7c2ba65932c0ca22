package org.uring4j.ring;

import java.util.EnumSet;
import java.util.Set;

/** The {@code IORING_FEAT_*} bits the kernel reports in {@code io_uring_params.features}. */
public enum Feature {
    /** IORING_FEAT_SINGLE_MMAP. */
    SINGLE_MMAP(Uapi.IORING_FEAT_SINGLE_MMAP),
    /** IORING_FEAT_NODROP. */
    NODROP(Uapi.IORING_FEAT_NODROP),
    /** IORING_FEAT_SUBMIT_STABLE. */
    SUBMIT_STABLE(Uapi.IORING_FEAT_SUBMIT_STABLE),
    /** IORING_FEAT_RW_CUR_POS. */
    RW_CUR_POS(Uapi.IORING_FEAT_RW_CUR_POS),
    /** IORING_FEAT_CUR_PERSONALITY. */
    CUR_PERSONALITY(Uapi.IORING_FEAT_CUR_PERSONALITY),
    /** IORING_FEAT_FAST_POLL. */
    FAST_POLL(Uapi.IORING_FEAT_FAST_POLL),
    /** IORING_FEAT_POLL_32BITS. */
    POLL_32BITS(Uapi.IORING_FEAT_POLL_32BITS),
    /** IORING_FEAT_SQPOLL_NONFIXED. */
    SQPOLL_NONFIXED(Uapi.IORING_FEAT_SQPOLL_NONFIXED),
    /** IORING_FEAT_EXT_ARG. */
    EXT_ARG(Uapi.IORING_FEAT_EXT_ARG),
    /** IORING_FEAT_NATIVE_WORKERS. */
    NATIVE_WORKERS(Uapi.IORING_FEAT_NATIVE_WORKERS),
    /** IORING_FEAT_RSRC_TAGS. */
    RSRC_TAGS(Uapi.IORING_FEAT_RSRC_TAGS),
    /** IORING_FEAT_CQE_SKIP. */
    CQE_SKIP(Uapi.IORING_FEAT_CQE_SKIP),
    /** IORING_FEAT_LINKED_FILE. */
    LINKED_FILE(Uapi.IORING_FEAT_LINKED_FILE),
    /** IORING_FEAT_REG_REG_RING. */
    REG_REG_RING(Uapi.IORING_FEAT_REG_REG_RING),
    /** IORING_FEAT_RECVSEND_BUNDLE. */
    RECVSEND_BUNDLE(Uapi.IORING_FEAT_RECVSEND_BUNDLE),
    /** IORING_FEAT_MIN_TIMEOUT. */
    MIN_TIMEOUT(Uapi.IORING_FEAT_MIN_TIMEOUT),
    /** IORING_FEAT_RW_ATTR. */
    RW_ATTR(Uapi.IORING_FEAT_RW_ATTR),
    /** IORING_FEAT_NO_IOWAIT. */
    NO_IOWAIT(Uapi.IORING_FEAT_NO_IOWAIT);

    private final int bit;

    Feature(int bit) {
        this.bit = bit;
    }

    /** The flag's value in {@code io_uring_params.features}. */
    public int bit() {
        return bit;
    }

    /** The features set in {@code mask}. */
    public static Set<Feature> of(int mask) {
        EnumSet<Feature> set = EnumSet.noneOf(Feature.class);
        for (Feature f : values()) {
            if ((mask & f.bit) != 0) {
                set.add(f);
            }
        }
        return set;
    }
}
