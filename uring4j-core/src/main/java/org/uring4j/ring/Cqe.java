package org.uring4j.ring;

import org.uring4j.Errno;
import org.uring4j.UringException;

/**
 * One completion queue entry, copied out of the ring ({@code struct io_uring_cqe}).
 *
 * @param userData the submission's {@code user_data}
 * @param res      the result: a count or descriptor, or a negative errno
 * @param flags    {@code IORING_CQE_F_*} flags
 */
public record Cqe(long userData, int res, int flags) {

    /** True if {@link #res()} is a negative errno. */
    public boolean isError() {
        return res < 0;
    }

    /** The errno of a failed op, or null if it succeeded. */
    public Errno errno() {
        return res < 0 ? Errno.of(-res) : null;
    }

    /** IORING_CQE_F_MORE: the request (multishot, zero-copy send) will post more completions. */
    public boolean hasMore() {
        return (flags & Uapi.IORING_CQE_F_MORE) != 0;
    }

    /** IORING_CQE_F_BUFFER: a provided buffer was used; its id is {@link #bufferId()}. */
    public boolean hasBuffer() {
        return (flags & Uapi.IORING_CQE_F_BUFFER) != 0;
    }

    /** The provided buffer's id (liburing: {@code cqe->flags >> IORING_CQE_BUFFER_SHIFT}). */
    public int bufferId() {
        return flags >>> Uapi.IORING_CQE_BUFFER_SHIFT;
    }

    /** IORING_CQE_F_NOTIF: a zero-copy send's notification that the buffer may be reused. */
    public boolean isNotification() {
        return (flags & Uapi.IORING_CQE_F_NOTIF) != 0;
    }

    /**
     * The result, or a {@link UringException} naming {@code op} and {@code fd} if it is an errno.
     *
     * @param fd the descriptor involved, or {@link UringException#NO_FD}
     */
    public int check(String op, int fd) throws UringException {
        if (res < 0) {
            throw new UringException(op, -res, fd, null, res == -Errno.EINVAL.number() ? Probe.kernelLacks(op) : null);
        }
        return res;
    }

    /** As {@link #check(String, int)} with no descriptor to name. */
    public int check(String op) throws UringException {
        return check(op, UringException.NO_FD);
    }
}
