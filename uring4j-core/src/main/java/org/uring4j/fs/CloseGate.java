package org.uring4j.fs;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Makes an open file's close wait for its operations in flight, on either backend: an operation
 * {@link #enter}s before it starts and {@link #exit}s once it no longer touches the file (on
 * io_uring: once the kernel has given back its memory); {@link #close} refuses new operations and
 * runs the closer exactly once, when the last one has exited.
 */
final class CloseGate {
    private final String path;
    private final Consumer<CompletableFuture<Void>> closer;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean closing;

    /** {@code closer} closes the file and completes the future it is given. */
    CloseGate(String path, Consumer<CompletableFuture<Void>> closer) {
        this.path = path;
        this.closer = closer;
    }

    /** True once close has begun. */
    boolean isClosing() {
        return closing;
    }

    /** Admits an operation, or refuses it (counting nothing) once close has begun. */
    boolean enter() {
        if (closing) {
            return false;
        }
        inFlight.incrementAndGet();
        if (closing) { // close began in between: it may not have seen this one
            exit();
            return false;
        }
        return true;
    }

    /** An admitted operation is done with the file: the last one lets a pending close go ahead. */
    void exit() {
        if (inFlight.decrementAndGet() == 0 && closing) {
            startClose();
        }
    }

    /** Begins closing; the future completes once the closer has run. Idempotent. */
    CompletableFuture<Void> close() {
        closing = true;
        if (inFlight.get() == 0) {
            startClose();
        }
        return closed;
    }

    private void startClose() {
        if (closeStarted.compareAndSet(false, true)) {
            closer.accept(closed);
        }
    }

    /** What an operation started after close fails with. */
    ClosedChannelException closedException() {
        ClosedChannelException e = new ClosedChannelException();
        e.initCause(new IOException(path + " is closed"));
        return e;
    }
}
