package org.uring4j.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

import org.uring4j.Errno;
import org.uring4j.ring.BufferRing;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.RuntimeClosedException;

/**
 * A stream receive on io_uring: one multishot RECV per connection into the loop's provided-buffer
 * ring, each completion's chunk handed to the handler on the loop thread and its buffer given back
 * as the handler returns. The kernel ends a multishot receive on its own now and then (no
 * IORING_CQE_F_MORE: the ring ran dry with ENOBUFS, the CQ overflowed): the receiver arms it
 * again, after an ENOBUFS first with one receive into loop memory of its own, so that an empty
 * ring delays a connection but never stalls it. Pausing cancels the request in the kernel (the
 * chunks that complete before the cancel takes hold are copied aside and handed over after the
 * resume); closing the socket cancels it (ASYNC_CANCEL by fd), and the descriptor is closed after
 * its final completion, as for every op.
 *
 * <p>All state but {@link #paused} is the loop thread's.
 */
final class RingReceiver implements Receiving {
    private static final int ENOBUFS = Errno.ENOBUFS.number();
    private static final int ECANCELED = Errno.ECANCELED.number();
    private static final int EINVAL = Errno.EINVAL.number();

    private final RingSocket socket;
    private final ReceiveHandler handler;
    private final Runnable closeSocket;
    private final EventLoop loop;
    private final BufferRing buffers;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile boolean paused;
    /** The provided buffer of the chunk being handed over (reused: one chunk at a time). */
    private final Chunks.Lease lease = new Chunks.Lease();
    /** The buffer ids of the bundle being handed over (reused). */
    private int[] bundleBids;
    /** Completions that filled more than one buffer (for the tests). */
    private int bundles;

    /** The request in the kernel, or null; never two at once (their chunks could be reordered). */
    private RingOps.RecvStream armed;
    /** A cancel was sent for {@link #armed} (pause). */
    private boolean cancelSent;
    /** The next receive goes into loop memory: the provided-buffer ring just ran dry. */
    private boolean ownNext;
    private boolean ended;
    /** Chunks that completed while paused, in order; and whether end of stream followed them. */
    private final ArrayDeque<byte[]> backlog = new ArrayDeque<>();
    private boolean endAfterBacklog;

    RingReceiver(RingSocket socket, ReceiveHandler handler, Runnable closeSocket) {
        this.socket = socket;
        this.handler = handler;
        this.closeSocket = closeSocket;
        this.loop = socket.home.loop();
        this.buffers = socket.home.buffers();
        this.lease.home = socket.home;
    }

    /** Arms the first receive (on the loop thread). */
    void start() {
        onLoop(this::armIfIdle);
    }

    @Override
    public CompletableFuture<Void> done() {
        return done;
    }

    @Override
    public boolean isPaused() {
        return paused;
    }

    @Override
    public void pause() {
        if (paused) {
            return;
        }
        paused = true;
        onLoop(this::cancelArmed);
    }

    @Override
    public void resume() {
        if (!paused) {
            return;
        }
        paused = false;
        onLoop(this::drainAndArm);
    }

    private void onLoop(Runnable r) {
        if (loop.inLoop()) {
            r.run();
            return;
        }
        try {
            loop.call(ring -> {
                r.run();
                return null;
            });
        } catch (RuntimeClosedException e) {
            fail(NetErrors.asyncClosed());
        }
    }

    /** Handling a completion failed (not the handler: a bug, or memory gone): the stream ends with it and the socket closes. */
    void broken(Throwable t) {
        closeSocket.run();
        fail(t);
    }

    /** The socket is closing and nothing of it is in the kernel: a stream not yet over (paused) ends now. */
    void socketClosed() {
        onLoop(() -> fail(NetErrors.asyncClosed()));
    }

    // ------------------------------------------------------------------ loop thread

    private void cancelArmed() {
        if (paused && armed != null && !cancelSent) {
            cancelSent = true;
            armed.cancelRequest();
        }
    }

    private void drainAndArm() {
        while (!paused && !ended && !backlog.isEmpty()) {
            hand(MemorySegment.ofArray(backlog.poll()));
        }
        if (!paused && !ended && backlog.isEmpty() && endAfterBacklog) {
            end();
        }
        armIfIdle();
    }

    private void armIfIdle() {
        if (paused || ended || armed != null || endAfterBacklog) {
            return;
        }
        RingOps.StreamMode mode = ownNext || buffers == null ? RingOps.StreamMode.SINGLE_OWN
                : socket.net.multishotRecv ? RingOps.StreamMode.MULTISHOT : RingOps.StreamMode.SINGLE_PROVIDED;
        ownNext = false;
        RingOps.RecvStream op = new RingOps.RecvStream(this, socket.fd, socket.gate, mode, buffers, socket.net.recvBundle);
        armed = op;
        cancelSent = false;
        if (socket.net.stats != null) {
            socket.net.stats.rearmed();
        }
        // Refused, at once (the socket is closing) or later (the loop closed with the op still in
        // its inbox, failing it on the loop thread): nothing will complete it, so the stream ends.
        socket.submit(op).whenComplete((v, t) -> {
            if (t != null && armed == op) {
                armed = null;
                fail(NetErrors.asyncClosed());
            }
        });
    }

    /** Each completion of {@code op}, in order. */
    void completion(RingOps.RecvStream op, int res, int flags) {
        boolean last = (flags & org.uring4j.ring.Uapi.IORING_CQE_F_MORE) == 0;
        if (last && armed == op) {
            armed = null;
        }
        if (res > 0) {
            if (op.mode == RingOps.StreamMode.MULTISHOT && !socket.net.multishotRecvSeen) {
                socket.net.multishotRecvSeen = true;
            }
            int filled = op.buffersFilled(res, flags);
            if (socket.net.stats != null) {
                socket.net.stats.received(res, filled);
            }
            if (filled > 1) {
                bundle(op, res, flags >>> 16, filled);
            } else {
                lease.taken = false;
                lease.bid = filled == 1 ? flags >>> 16 : -1;
                try {
                    chunk(op.chunk(res, flags));
                } finally {
                    if (!lease.taken) {
                        op.recycle(flags);
                    }
                }
            }
        } else if (res == 0) {
            if (socket.gate.isClosing()) {
                fail(NetErrors.asyncClosed());
            } else if (paused || !backlog.isEmpty()) {
                endAfterBacklog = true;
            } else {
                end();
            }
        } else if (res == -ENOBUFS && buffers != null && !socket.gate.isClosing()) {
            ownNext = true; // the ring ran dry: one receive into memory of our own, then multishot again
            if (socket.net.stats != null) {
                socket.net.stats.noBuffers();
            }
        } else if (res == -EINVAL && op.mode == RingOps.StreamMode.MULTISHOT && !socket.net.multishotRecvSeen) {
            socket.net.multishotRecv = false; // a kernel before 6.0: single-shot receives from now on
        } else if (res == -ECANCELED && !socket.gate.isClosing() && (cancelSent || paused)) {
            // the pause's cancel: armed again by resume()
        } else if (socket.gate.isClosing()) {
            fail(NetErrors.asyncClosed());
        } else {
            fail(NetErrors.of("RECV", res, socket.fd, null));
        }
        if (last) {
            armIfIdle();
            idleIfPaused();
        }
    }

    /**
     * A completion that filled {@code count} provided buffers (a bundle): each is handed over as
     * a chunk of its own, in ring order, so that a chunk is never more than one buffer and a send
     * from the handler can still take the buffer it lies in; each goes back as its call returns
     * (or after the send that took it), the rest even if one call fails.
     */
    private void bundle(RingOps.RecvStream op, int res, int firstBid, int count) {
        bundles++;
        if (bundleBids == null || bundleBids.length < count) {
            bundleBids = new int[Math.max(count, buffers.entries())];
        }
        int[] bids = bundleBids;
        op.bundleBuffers(firstBid, count, bids); // before any goes back and its ring entry is reused
        int size = buffers.bufferSize();
        int next = 0;
        try {
            while (next < count) {
                int bid = bids[next];
                int length = Math.min(size, res - next * size);
                next++;
                lease.taken = false;
                lease.bid = bid;
                try {
                    chunk(buffers.buffer(bid).asSlice(0, length));
                } finally {
                    if (!lease.taken) {
                        buffers.recycle(bid);
                    }
                }
            }
        } finally {
            while (next < count) {
                buffers.recycle(bids[next++]);
            }
        }
    }

    private void chunk(MemorySegment data) {
        if (ended || socket.gate.isClosing()) {
            return; // dropped: the stream is over or the socket is closing
        }
        if ((paused || !backlog.isEmpty()) && !readsUntakenOver()) {
            if (socket.net.stats != null) {
                socket.net.stats.backlogged();
            }
            backlog.add(data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            return;
        }
        hand(data);
    }

    /** The handler is the reads' {@link ReadAhead}, no stream has taken over: it keeps chunks itself, paused or not. */
    private boolean readsUntakenOver() {
        return handler instanceof ReadAhead reads && !reads.takenOver();
    }

    /**
     * Paused with nothing in the kernel, after the last completion's chunks (all of a bundle's)
     * were handed over: the reads may now take the socket's bytes themselves, since no chunk of
     * this receive is still to come.
     */
    private void idleIfPaused() {
        if (paused && armed == null && !ended && readsUntakenOver()) {
            ((ReadAhead) handler).receiverIdle();
        }
    }

    private void hand(MemorySegment data) {
        boolean more;
        try {
            if (readsUntakenOver()) {
                more = ((ReadAhead) handler).onData(data); // copies the chunk before it returns: no scope needed
            } else {
                more = data.isNative() && lease.bid >= 0 ? Chunks.deliver(handler, data, lease) : Chunks.deliver(handler, data);
            }
        } catch (Throwable t) {
            closeSocket.run(); // bytes were taken from the socket that nobody will see: the stream cannot go on
            fail(t);
            return;
        }
        if (!more && !paused) {
            paused = true;
            cancelArmed();
        }
    }

    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        try {
            handler.onEnd();
        } catch (Throwable ignored) {
            // the stream is over either way
        }
        done.complete(null);
    }

    private void fail(Throwable t) {
        if (ended) {
            return;
        }
        ended = true;
        backlog.clear();
        if (armed != null && !cancelSent) {
            cancelSent = true;
            armed.cancelRequest();
        }
        try {
            handler.onError(t);
        } catch (Throwable ignored) {
            // the stream is over either way
        }
        done.completeExceptionally(t);
    }

    @Override
    public String toString() {
        return "Receiving[" + socket + (paused ? ", paused" : "") + "]";
    }

    /** For the tests: how many completions were bundles of several buffers. */
    int bundles() throws IOException {
        return org.uring4j.runtime.Await.get(loop.call(r -> bundles));
    }

    /** For the tests: whether a request is in the kernel. */
    boolean armed() throws IOException {
        return org.uring4j.runtime.Await.get(loop.call(r -> armed != null));
    }
}
