package org.uring4j.runtime;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The blocking form of every asynchronous call: waits for a future and rethrows its failure as
 * thrown, not wrapped. Called from a virtual thread it parks that thread without pinning its
 * carrier (CompletableFuture waits with LockSupport); from a platform thread it simply blocks.
 */
public final class Await {
    private Await() {
    }

    /**
     * The future's value.
     *
     * @throws IOException            the op's failure (a {@link org.uring4j.UringException} for an errno)
     * @throws InterruptedIOException if the waiting thread is interrupted (the op keeps running)
     */
    public static <T> T get(CompletableFuture<T> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException ie = new InterruptedIOException("interrupted while waiting for an io_uring operation");
            ie.initCause(e);
            throw ie;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        } catch (CancellationException e) {
            throw e;
        }
    }
}
