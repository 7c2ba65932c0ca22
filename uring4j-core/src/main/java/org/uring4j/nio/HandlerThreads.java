package org.uring4j.nio;

/**
 * Where the {@link java.nio.channels.CompletionHandler}s of a {@link UringAsynchronousSocketChannel}
 * (and of a {@link UringAsynchronousServerSocketChannel} and the channels it accepts) run: the
 * choice the JDK makes with its channel groups.
 */
public enum HandlerThreads {
    /**
     * Each handler on a virtual thread of its own (the default), as the JDK's default group runs
     * them on pooled threads: a handler may block. An operation a handler starts that completes
     * at once (a write the socket took whole, a read of bytes already received) has its handler
     * called directly on that thread, at most 16 deep, as the JDK's groups do.
     */
    VIRTUAL,
    /**
     * Each handler on the event-loop thread that completed its operation, as a group made by
     * {@code AsynchronousChannelGroup.withFixedThreadPool} runs them on its I/O threads: no thread
     * switch between the kernel's completion and the handler, the fastest way (the JDK's echo
     * server code on the drop-in: 1.00-1.12x the JDK's channels on a fixed-pool group of as many
     * threads, where {@link #VIRTUAL} is 0.65x at 64 connections; docs/benchmarks.md).
     * A handler must then not block: it holds up every socket and file of its loop, and a
     * blocking uring4j call or a {@code Future.get()} of an unfinished operation there throws
     * IllegalStateException rather than wait for itself. An operation started on a loop thread
     * (by a handler, or by any code running there) that completes at once has its handler called
     * directly, before the call that started it returns, at most 16 deep, as the JDK's group
     * threads do for operations they start; one started off the loops (or past that depth), and
     * every handler on the portable backend, which has no loops, runs as with {@link #VIRTUAL}.
     */
    EVENT_LOOP
}
