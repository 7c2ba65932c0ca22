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
}
