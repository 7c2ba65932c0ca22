package org.uring4j.runtime;

/**
 * A blocking call was made on an event loop's own thread — typically from a CompletableFuture
 * callback chained onto an operation's future, which runs on the loop that completed it. The call
 * would wait for work only that loop can do, so the loop and every file on it would hang for good;
 * it fails at once instead, as Netty's BlockingOperationException does. Chain the async form
 * ({@code thenCompose(n -> file.readAsync(...))}) or move the work off the loop
 * ({@code thenApplyAsync(..., executor)}).
 */
public final class BlockingOperationException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public BlockingOperationException(String message) {
        super(message);
    }

    /** The exception for a blocking call made on the current thread, an event loop's. */
    public static BlockingOperationException onThisLoop() {
        return new BlockingOperationException("a blocking uring4j call on " + Thread.currentThread().getName()
                + ", an event loop's own thread (in a callback of one of its futures?), would wait for that loop"
                + " forever; use the async form, or move the work off the loop with thenApplyAsync(..., executor)");
    }
}
