package org.uring4j.runtime;

import org.uring4j.UringException;
import org.uring4j.ring.Sqe;

/** IORING_OP_NOP through a loop: the unit of raw runtime overhead, for tests and benchmarks. */
public final class NopOperation extends Operation<Integer> {
    @Override
    protected String name() {
        return "NOP";
    }

    @Override
    protected void prepare(Sqe sqe) {
        sqe.prepNop();
    }

    @Override
    protected Integer complete(int res, int flags) throws UringException {
        if (res < 0) {
            throw UringException.of(name(), res);
        }
        return res;
    }
}
