package org.uring4j.ring;

/**
 * {@link Ring#getSqe()} found no free submission queue entry: submit what is queued first.
 * liburing's {@code io_uring_get_sqe} returns NULL here; a Java caller gets a loud, typed failure.
 */
public final class SubmissionQueueFullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public SubmissionQueueFullException(int entries) {
        super("submission queue full: all " + entries + " entries are queued; call submit() first");
    }
}
