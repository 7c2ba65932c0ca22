package org.uring4j.net;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * The future of a socket call made of steps (a receive retried without provided buffers, a send
 * in parts, an accepted connection being wrapped): cancelling it cancels the step in flight, so
 * the request does not stay in the kernel (ASYNC_CANCEL) nor a waiter in a queue. A future
 * derived with {@code thenApply} and the like would only complete itself.
 */
final class ChainedFuture<T> extends CompletableFuture<T> {
    /** The first step: final, so that the common one-step call pays no volatile store. */
    private final Future<?> first;
    /** A later step, once there is one. */
    private volatile Future<?> later;

    ChainedFuture(Future<?> first) {
        this.first = first;
    }

    /** The step now in flight; cancelled at once if this future already is. */
    void step(Future<?> next) {
        later = next;
        if (isCancelled()) {
            next.cancel(false);
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            Future<?> step = later;
            (step != null ? step : first).cancel(false);
        }
        return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>(); // stages chained by callers do not cancel the call
    }
}
