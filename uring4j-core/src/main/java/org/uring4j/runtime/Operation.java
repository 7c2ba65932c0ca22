package org.uring4j.runtime;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

import org.uring4j.UringException;
import org.uring4j.ring.Sqe;

/**
 * One io_uring request as an {@link EventLoop} runs it: it prepares its submission entry on the
 * loop's thread, turns the completion into a value, and owns the memory the kernel reads or
 * writes until the final completion has arrived, even if its future was cancelled or timed out.
 *
 * <p>Subclass it for an operation the higher layers do not offer; the runtime calls the
 * protected methods on the loop thread only, in this order: {@link #prepare}, then
 * {@link #complete} once per completion until one without {@code IORING_CQE_F_MORE}, then
 * {@link #release()} exactly once.
 *
 * @param <T> the result type
 */
public abstract class Operation<T> {
    final OpFuture<T> future = new OpFuture<>(this);
    /** Set by the loop when the op is admitted: its in-flight slot and loop. */
    EventLoop loop;
    int slot = -1;
    long timeoutNanos;
    int personality;
    /** Completions still owed by the kernel: the op's own (one per chain entry), plus its link timeout's. */
    int pendingCqes;
    /** Chain completions seen so far. */
    int chainSeen;
    boolean cancelRequested;
    /** Its link timeout fired. */
    boolean timedOut;
    /** It ended -ECANCELED before its link timeout's completion said whether the timeout did it. */
    boolean deferredCancel;

    /** The op's name for errors, e.g. "READ". */
    protected abstract String name();

    /**
     * Prepares the entry (one {@code sqe.prep*} call). The runtime sets user_data afterwards and
     * adds the link to a timeout where one is asked for.
     */
    protected abstract void prepare(Sqe sqe) throws UringException;

    /**
     * Turns one completion into the result.
     *
     * @return the value the future completes with; ignored for a non-final completion of a
     *         multishot op, which should deliver its data some other way
     * @throws IOException to fail the future (typically a UringException for a negative {@code res})
     */
    protected abstract T complete(int res, int flags) throws IOException;

    /**
     * How many linked entries this op submits (default 1). An op of several prepares them in
     * {@link #prepareChain}, hears each one's completion in {@link #chainCompletion}, and gets
     * {@link #complete} once, after the last of them, with that one's result.
     */
    protected int chainLength() {
        return 1;
    }

    /** Prepares the entries of a chain, in order; the default prepares the single entry with {@link #prepare}. */
    protected void prepareChain(Sqe[] sqes) throws UringException {
        prepare(sqes[0]);
    }

    /** The completion of entry {@code index} of a chain (called before {@link #complete}). */
    protected void chainCompletion(int index, int res, int flags) {
    }

    /**
     * The final completion arrived after the future was already done (cancelled or timed out):
     * an op whose success creates something (an open file descriptor) undoes it here.
     */
    protected void abandoned(int res, int flags) {
    }

    /**
     * What the future fails with when the loop closed before the op reached the kernel: the loop's
     * {@link RuntimeClosedException} unless the op's layer reports closing otherwise (an op on an
     * open file: ClosedChannelException, as for a closed file).
     */
    protected Throwable closedLoopFailure(RuntimeClosedException e) {
        return e;
    }

    /**
     * Whether an interrupt of a thread waiting in {@link Await#get} cancels this op in the kernel
     * and waits for its completion (true for ops that move data: a read or write must not go on
     * unseen once its caller has left), rather than leaving it running. Default false.
     */
    protected boolean cancelledOnInterrupt() {
        return false;
    }

    /** Frees what this op owns; runs once, after the kernel has posted the final completion. */
    protected void release() {
    }

    /** The loop running this op; set once it is submitted. */
    protected final EventLoop loop() {
        return loop;
    }

    /**
     * Asks the kernel to cancel this request (ASYNC_CANCEL by its user_data) without completing
     * its future: the op goes on receiving its completions (a multishot one's remaining ones, then
     * the final one, typically -ECANCELED) and completes or fails from them as usual. For an op
     * that must see every completion, such as a multishot receive whose buffers hold data. Does
     * nothing before submission, after the final completion, or once the loop is closing.
     */
    protected final void cancelInKernel() {
        if (loop != null) {
            loop.requestCancel(this);
        }
    }

    /** The future the submitter waits on. */
    public final CompletableFuture<T> future() {
        return future;
    }

    /**
     * Fails the op with a timeout if it has not completed {@code nanos} after submission, by
     * linking an IORING_OP_LINK_TIMEOUT to it. The kernel then cancels the request, and the future
     * fails with a {@link UringException} whose errno is ETIME and whose message says "timed out
     * after" the duration (the request's own -ECANCELED is not reported).
     */
    public final Operation<T> timeout(long nanos) {
        if (chainLength() != 1) {
            throw new IllegalStateException(name() + ": a chain of " + chainLength() + " entries cannot take a timeout");
        }
        if (nanos <= 0) {
            throw new IllegalArgumentException("timeout must be positive: " + nanos + " ns");
        }
        this.timeoutNanos = nanos;
        return this;
    }

    /**
     * Runs the op with the credentials registered as personality {@code id} on its loop
     * ({@link UringRuntime#registerPersonality(EventLoop)}); every entry of a chain gets it.
     */
    public final Operation<T> personality(int id) {
        if (id <= 0 || id > 0xffff) {
            throw new IllegalArgumentException("personality id must be 1..65535: " + id);
        }
        this.personality = id;
        return this;
    }

    /** The future of an op: cancelling it asks the kernel to cancel the request (ASYNC_CANCEL). */
    static final class OpFuture<T> extends CompletableFuture<T> {
        private final Operation<T> op;

        OpFuture(Operation<T> op) {
            this.op = op;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled && op.loop != null) {
                op.loop.requestCancel(op);
            }
            return cancelled;
        }

        /**
         * For an op that is {@link #cancelledOnInterrupt()}: asks the kernel to cancel it without
         * completing the future, which the op's own completion (-ECANCELED, or its result if it
         * won) then completes. False if the op is not of that kind.
         */
        boolean cancelInKernel() {
            if (!op.cancelledOnInterrupt()) {
                return false;
            }
            if (op.loop != null && !isDone()) {
                op.loop.requestCancel(op);
            }
            return true;
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
