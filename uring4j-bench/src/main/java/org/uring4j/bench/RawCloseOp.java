package org.uring4j.bench;

import org.uring4j.UringException;
import org.uring4j.ring.Fd;
import org.uring4j.ring.Sqe;
import org.uring4j.runtime.Operation;

/** A bare IORING_OP_CLOSE of a plain descriptor through an event loop (the pair of {@link RawOpenOp}). */
public final class RawCloseOp extends Operation<Void> {
    private final int fd;

    public RawCloseOp(int fd) {
        this.fd = fd;
    }

    @Override
    protected String name() {
        return "CLOSE";
    }

    @Override
    protected void prepare(Sqe sqe) {
        sqe.prepClose(Fd.raw(fd));
    }

    @Override
    protected Void complete(int res, int flags) throws UringException {
        if (res < 0) {
            throw new UringException(name(), -res, fd, null);
        }
        return null;
    }
}
