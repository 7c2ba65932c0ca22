package org.uring4j.runtime;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.sys.Failures;

/**
 * The blocking form of every asynchronous call: waits for a future and rethrows its failure as
 * thrown, not wrapped. Called from a virtual thread it parks that thread without pinning its
 * carrier (CompletableFuture waits with LockSupport); from a platform thread it simply blocks.
 *
 * <p>What an interrupt of the waiting thread does depends on the future, so that no byte is ever
 * moved without the caller hearing of it:
 * <ul>
 * <li>an operation that moves data ({@link Operation#cancelledOnInterrupt()}: reads and writes)
 *     is cancelled in the kernel (ASYNC_CANCEL, {@code io_uring_prep_cancel64}) and its completion
 *     awaited: if the cancel won, nothing moved and the call throws InterruptedIOException; if the
 *     op completed first, its result is returned. Either way the interrupt stays set;</li>
 * <li>a future from {@link #throughInterrupt()} (the portable backend's calls, which cannot be
 *     cancelled) is waited for through the interrupt, as the JDK's Process streams do;</li>
 * <li>anything else: the call throws InterruptedIOException at once and the op runs on.</li>
 * </ul>
 */
public final class Await {
    private Await() {
    }

    static {
        // Loaded with this class rather than on the first failure: a thousand virtual threads
        // failing at once would otherwise queue on the class loader's lock (a pinned carrier).
        Failures.class.getName();
    }

    /**
     * The future's value.
     *
     * @throws IOException                the op's failure (a {@link org.uring4j.UringException} for an errno)
     * @throws InterruptedIOException     if the waiting thread is interrupted (see the class comment)
     * @throws BlockingOperationException if called on an event loop's thread with the future not yet done
     */
    public static <T> T get(CompletableFuture<T> future) throws IOException {
        if (!future.isDone() && EventLoop.onLoopThread()) {
            future.cancel(true); // an op already submitted for this call must not go on unseen (ASYNC_CANCEL)
            throw BlockingOperationException.onThisLoop();
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            return afterInterrupt(future, e);
        } catch (ExecutionException e) {
            throw Failures.asThrown(e.getCause());
        } catch (CancellationException e) {
            throw e;
        }
    }

    /**
     * A future that {@link #get} waits for through an interrupt: for a call that cannot be
     * cancelled and whose result must not be dropped (a read of a pipe on a thread of its own).
     */
    public static <T> CompletableFuture<T> throughInterrupt() {
        return new ThroughInterrupt<>();
    }

    private static <T> T afterInterrupt(CompletableFuture<T> future, InterruptedException e) throws IOException {
        boolean cancelled = future instanceof Operation.OpFuture<T> op && op.cancelInKernel();
        if (!cancelled && !(future instanceof ThroughInterrupt)) {
            Thread.currentThread().interrupt();
            throw interrupted(e);
        }
        try {
            return future.join(); // uninterruptible; keeps the interrupt status
        } catch (CompletionException c) {
            Throwable cause = c.getCause();
            if (cancelled && (cancelledInKernel(cause) || cause != null && cancelledInKernel(cause.getCause()))) {
                throw interrupted(cause); // the cancel won: nothing moved
            }
            throw Failures.asThrown(cause);
        } finally {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The kernel's answer to a cancel: ECANCELED or EINTR, as the op's own UringException or as
     * the cause of the exception it was mapped to (a socket op's SocketException).
     */
    private static boolean cancelledInKernel(Throwable t) {
        return t instanceof UringException u && (u.errno() == Errno.ECANCELED.number() || u.errno() == Errno.EINTR.number());
    }

    private static InterruptedIOException interrupted(Throwable cause) {
        InterruptedIOException ie = new InterruptedIOException("interrupted while waiting for an io_uring operation");
        ie.initCause(cause);
        return ie;
    }

    /** See {@link #throughInterrupt()}; what is chained onto it is a plain CompletableFuture. */
    private static final class ThroughInterrupt<T> extends CompletableFuture<T> {
        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
