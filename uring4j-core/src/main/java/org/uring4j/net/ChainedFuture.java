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
    private volatile Future<?> step;

    ChainedFuture(Future<?> step) {
        this.step = step;
    }

    /** The step now in flight; cancelled at once if this future already is. */
    void step(Future<?> next) {
        step = next;
        if (isCancelled()) {
            next.cancel(false);
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            step.cancel(false);
        }
        return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>(); // stages chained by callers do not cancel the call
    }
}
