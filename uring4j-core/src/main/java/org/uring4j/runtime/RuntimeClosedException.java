package org.uring4j.runtime;

/** Work was handed to an {@link EventLoop} (or a runtime) that is closed or closing. */
public final class RuntimeClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public RuntimeClosedException(String message) {
        super(message);
    }
}
