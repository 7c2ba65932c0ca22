package org.uring4j.net;

import java.lang.foreign.MemorySegment;

/**
 * What {@link UringSocket#receive(ReceiveHandler)} calls with a connection's bytes as they arrive,
 * in order, one call at a time: on the socket's event-loop thread on io_uring, on a virtual thread
 * of the stream's own on the portable backend. On io_uring a chunk is never more than one provided
 * buffer (16 KiB): where the kernel hands over several buffers in one completion (a receive
 * bundle, Linux 6.10), each is a call of its own, in order.
 *
 * <p>{@link #onData} gets each chunk as a read-only segment that is valid only during the call:
 * on io_uring it is the provided buffer the kernel received into, given back to the kernel when
 * the call returns, and any use of the segment afterwards throws IllegalStateException (its scope
 * is closed; from another thread, WrongThreadException: it is confined to the handler's) rather
 * than read bytes that are no longer there. Copy what must outlive the call; a
 * chunk passed to {@link UringSocket#writeAsync(MemorySegment)} from the handler is safe to send:
 * on io_uring the send takes the provided buffer (sent in place, given back after the send's
 * completion) when it goes to the kernel at once, else the chunk is copied before that call
 * returns.
 *
 * <p>After the last chunk exactly one of {@link #onEnd()} (the peer shut its output down) or
 * {@link #onError} (a failure, or the socket closed) is called, and nothing after it.
 */
@FunctionalInterface
public interface ReceiveHandler {
    /**
     * A chunk of at least one byte.
     *
     * @return true to go on receiving, false to pause until {@link Receiving#resume()} (bytes the
     *         kernel has received by then are kept, in order, and handed over after the resume)
     * @throws RuntimeException ends the stream: the socket is closed (bytes already taken from it
     *                          cannot be given back) and {@link #onError} gets what was thrown
     */
    boolean onData(MemorySegment data);

    /** The peer shut down its output (end of stream), after every chunk before it was handed over. */
    default void onEnd() {
    }

    /**
     * The stream failed: a {@link java.net.SocketException} "Connection reset", an
     * {@link java.nio.channels.AsynchronousCloseException} when the socket was closed while
     * receiving, or what {@link #onData} threw. On io_uring a kernel failure's cause is a
     * {@link org.uring4j.UringException} naming RECV, the descriptor and the errno.
     */
    default void onError(Throwable error) {
    }
}
