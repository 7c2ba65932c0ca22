package org.uring4j.sys;

import java.io.IOException;

/** How a blocking call reports the failure an operation ended with. */
public final class Failures {
    private Failures() {
    }

    /**
     * {@code t} as a blocking call throws it: an IOException is returned for the caller to throw,
     * an unchecked exception or an error is thrown here, anything else comes back wrapped.
     */
    public static IOException asThrown(Throwable t) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IOException(t);
    }
}
