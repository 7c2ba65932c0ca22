package org.uring4j.net;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Makes a socket's close wait for its operations in the kernel: an operation {@link #enter}s
 * before it is submitted and {@link #exit}s once its last completion has arrived; {@link #close}
 * refuses new operations and runs the closer once, when the last one has exited, so the
 * descriptor is never closed (and its number reused) under a request still naming it.
 */
final class OpGate {
    private final Consumer<CompletableFuture<Void>> closer;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean closing;

    /** {@code closer} closes the descriptor and completes the future it is given. */
    OpGate(Consumer<CompletableFuture<Void>> closer) {
        this.closer = closer;
    }

    boolean isClosing() {
        return closing;
    }

    /** Admits an operation, or refuses it once close has begun. */
    boolean enter() {
        if (closing) {
            return false;
        }
        inFlight.incrementAndGet();
        if (closing) {
            exit();
            return false;
        }
        return true;
    }

    void exit() {
        if (inFlight.decrementAndGet() == 0 && closing) {
            startClose();
        }
    }

    /** Operations admitted and not yet exited. */
    int inFlight() {
        return inFlight.get();
    }

    /** Begins closing (idempotent); the future completes once the closer has run. */
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
}
