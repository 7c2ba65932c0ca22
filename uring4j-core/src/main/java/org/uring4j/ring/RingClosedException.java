package org.uring4j.ring;

/** The ring (or a resource registered with it) was used after {@link Ring#close()}. */
public final class RingClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public RingClosedException(String what) {
        super(what + ": the ring is closed");
    }
}
