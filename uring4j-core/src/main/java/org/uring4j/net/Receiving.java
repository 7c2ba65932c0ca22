package org.uring4j.net;

import java.util.concurrent.CompletableFuture;

/**
 * A stream receive started by {@link UringSocket#receive(ReceiveHandler)}: pause and resume it
 * (from any thread, the handler's own included), and see when it ends.
 */
public interface Receiving {
    /**
     * Stops handing chunks to the handler until {@link #resume()}; on io_uring the receive in the
     * kernel is cancelled, so a paused stream holds no buffer and the peer meets TCP's flow control.
     * Bytes that arrived meanwhile are kept and handed over, in order, after the resume. Called in
     * the handler, no further call follows until the resume; called from another thread, none
     * starts once the handler's thread has seen the pause (on the portable backend this waits for
     * a handler call in progress; on io_uring a call the loop thread is already making may still
     * run). Idempotent.
     */
    void pause();

    /** Goes on after {@link #pause()} (or after the handler returned false). Idempotent; nothing after the end. */
    void resume();

    /** True while paused. */
    boolean isPaused();

    /**
     * Completes once the stream has ended: normally at end of stream (after {@link ReceiveHandler#onEnd()}),
     * exceptionally with what {@link ReceiveHandler#onError} was given.
     */
    CompletableFuture<Void> done();
}
