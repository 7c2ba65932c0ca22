package org.uring4j.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.InterruptedByTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.Await;
import org.uring4j.sys.Scopes;

/**
 * A stream socket on an event loop: a plain descriptor whose connect, bind, receive, send and
 * shutdown are ring requests on its loop ({@link RingNet.Home}). As the kernel does for a
 * request, a send is first tried on the caller's thread without waiting, and so is a receive
 * when the last one said more data was there; only what would wait goes to the ring.
 */
final class RingSocket extends RingDescriptor implements SocketIo {

    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = Errno.EAGAIN.number();
    private static final int EINTR = Errno.EINTR.number();
    /** Chunks smaller than this are copied rather than sent from their provided buffer: the copy is cheap, the buffer scarcer. */
    private static final int MIN_LENT = 4096;
    /** The most one inline send or receive copies. */
    private static final int INLINE_CHUNK = 64 * 1024;
    /**
     * The last receive left data in the socket, so the next one is tried inline first. True at
     * the start: a new connection's first bytes often arrive with it.
     */
    private volatile boolean moreToRead = true;
    /** Sends of native memory of at least this many bytes go as SEND_ZC; 0 never (see {@link UringSocketOptions#SEND_ZEROCOPY_THRESHOLD}). */
    private volatile int zeroCopyThreshold;

    RingSocket(RingNet net, RingNet.Home home, int fd, ProtocolFamily family) {
        super(net, home, fd, family, false);
        sendZeroCopyThreshold(UringSocketOptions.defaultSendZeroCopyThreshold());
    }

    @Override
    public void sendZeroCopyThreshold(int bytes) {
        zeroCopyThreshold = net.sendZeroCopy && family != java.net.StandardProtocolFamily.UNIX ? bytes : 0;
    }

    /** Whether a send of {@code length} bytes of memory that stays put until its completion goes zero-copy. */
    private boolean zeroCopy(long length) {
        int t = zeroCopyThreshold;
        return t > 0 && length >= t;
    }

    /** {@code op}, made a SEND_ZC if {@code zeroCopy}. */
    private RingOps.Send zeroCopyIf(boolean zeroCopy, RingOps.Send op) {
        if (zeroCopy) {
            op.zeroCopy(net);
            if (net.stats != null) {
                net.stats.zeroCopySend();
            }
        }
        return op;
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        bindTo(local);
    }

    @Override
    public CompletableFuture<Void> connect(SocketAddress remote) {
        byte[] sa;
        try {
            sa = sockaddr(remote);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return submit(new RingOps.AddressOp("CONNECT", fd, gate, sa, remote));
    }

    // ------------------------------------------------------------------ receive

    private CompletableFuture<Integer> recv(MemorySegment dst, ByteBuffer advance, boolean provided, long timeoutNanos) {
        // Past the first receive, the ring only gets one when the socket is known empty (nothing
        // inline, or the last completion said so): the kernel may skip its first attempt.
        RingOps.Recv op = new RingOps.Recv(this, dst, advance, provided ? home.buffers() : null, !moreToRead);
        if (timeoutNanos > 0) {
            op.timeout(timeoutNanos);
        }
        return submit(op);
    }

    @Override
    public CompletableFuture<Integer> read(MemorySegment dst, ByteBuffer advance, long timeoutNanos) {
        ReadAhead reads = readAhead;
        if (reads != null) {
            return reads.readAsync(dst, advance, timeoutNanos);
        }
        if (moreToRead) {
            try {
                int n = recvInline(dst, advance);
                if (n != 0) {
                    return CompletableFuture.completedFuture(n);
                }
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        // On the loop thread a RECV rides along in the io_uring_enter the loop makes anyway, into
        // the caller's own memory if the kernel may use it in place; anywhere else the reads'
        // stream receive is the cheaper way.
        if (!home.loop().inLoop() || !inPlace(dst)) {
            reads = readAhead();
            if (reads != null) {
                return reads.readAsync(dst, advance, timeoutNanos);
            }
        }
        CompletableFuture<Integer> f = recv(dst, advance, true, timeoutNanos);
        if (inPlace(dst) && timeoutNanos == 0) {
            return f; // received in place: neither an empty buffer ring nor a timeout to translate
        }
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        ChainedFuture<Integer> result = new ChainedFuture<>(f);
        f.whenComplete((n, t) -> {
            if (t == null) {
                result.complete(n);
                return;
            }
            Throwable c = unwrap(t);
            if (c != RingOps.NO_BUFFERS || result.isDone()) {
                result.completeExceptionally(timeout(c));
                return;
            }
            // The retry gets what is left of the caller's time, not a new timeout.
            long left = deadline == 0 ? 0 : deadline - System.nanoTime();
            if (deadline != 0 && left <= 0) {
                result.completeExceptionally(new InterruptedByTimeoutException());
                return;
            }
            CompletableFuture<Integer> retry = recv(dst, advance, false, left);
            result.step(retry);
            retry.whenComplete((m, u) -> {
                if (u == null) {
                    result.complete(m);
                } else {
                    result.completeExceptionally(timeout(unwrap(u)));
                }
            });
        });
        return result;
    }

    @Override
    public int readNow(MemorySegment dst, ByteBuffer advance) throws IOException {
        MemorySegment target = callersView(dst);
        ReadAhead reads = readAhead;
        if (reads == null) {
            if (moreToRead) {
                int n = recvInline(target, advance);
                if (n != 0) {
                    return n;
                }
            }
            reads = readAhead();
            if (reads == null) {
                try {
                    return Await.get(recv(target, advance, true, 0));
                } catch (IOException e) {
                    if (e != RingOps.NO_BUFFERS) {
                        throw e;
                    }
                    return Await.get(recv(target, advance, false, 0));
                }
            }
        }
        return reads.read(target, advance);
    }

    /**
     * The reads' stream receive, started by the first read that has to wait off the loop thread
     * (or into memory the kernel cannot use in place); from then on every read of this socket
     * goes through it, so that bytes keep their order. Null where the loop has no provided-buffer
     * ring (reads then stay a RECV each, into loop memory) or {@link RingNet#READ_AHEAD_PROPERTY}
     * turned it off.
     */
    private ReadAhead readAhead() {
        if (home.buffers() == null || !net.readAhead) {
            return null;
        }
        synchronized (this) {
            ReadAhead reads = readAhead;
            if (reads == null) {
                reads = new ReadAhead(this);
                RingReceiver r = new RingReceiver(this, reads, this::close);
                reads.fedBy(r);
                receiver = r;
                readAhead = reads;
                r.start();
            }
            return reads;
        }
    }

    /** Set once a read has started the reads' stream receive ({@link #readAhead()}). */
    private volatile ReadAhead readAhead;

    /** For the tests: the reads' stream receive, or null if none started. */
    ReadAhead readAheadIfStarted() {
        return readAhead;
    }

    /**
     * A receive on the caller's thread (recv(2) with MSG_DONTWAIT), tried when the last
     * completion said the socket had more data (IORING_CQE_F_SOCK_NONEMPTY): the count, -1 at end
     * of stream, or 0 if nothing is there after all (then the ring waits for it).
     */
    int recvInline(MemorySegment dst, ByteBuffer advance) throws IOException {
        long r = withFd(() -> {
            long n;
            do {
                n = SocketCalls.recvNow(fd, dst.asSlice(0, Math.min(dst.byteSize(), INLINE_CHUNK)), MSG_DONTWAIT);
            } while (n == -EINTR);
            return n;
        });
        if (r == -EAGAIN) {
            moreToRead = false;
            return 0;
        }
        if (r < 0) {
            throw NetErrors.of("recv", (int) r, fd, null);
        }
        if (r == 0) {
            return -1;
        }
        if (advance != null) {
            advance.position(advance.position() + (int) r);
        }
        return (int) r;
    }

    /** Set by each receive's completion: whether the socket still held data (a next read may go inline). */
    void moreToRead(boolean more) {
        moreToRead = more;
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /** A link timeout's ETIME as the JDK's InterruptedByTimeoutException. */
    private static Throwable timeout(Throwable t) {
        if (t instanceof UringException u && u.errno() == Errno.ETIME.number()) {
            InterruptedByTimeoutException e = new InterruptedByTimeoutException();
            e.initCause(u);
            return e;
        }
        return t;
    }

    /**
     * Native memory as a segment the loop thread may use: the caller waits for the op, so memory
     * of a confined arena (which only the caller may touch) stays alive and is handed over by
     * address. Any other keeps its scope: a shared arena's, which another thread may close during
     * the call, then goes through loop memory ({@link #inPlace}).
     */
    private static MemorySegment callersView(MemorySegment seg) {
        if (!seg.isNative() || !Scopes.confined(seg)) {
            return seg;
        }
        if (!seg.scope().isAlive()) {
            throw new IllegalStateException("Already closed");
        }
        return MemorySegment.ofAddress(seg.address()).reinterpret(seg.byteSize());
    }

    // ------------------------------------------------------------------ send

    /**
     * Sends what the socket takes now on the caller's thread (send(2) with MSG_DONTWAIT), which is
     * usually all of it; the ring sends the rest once there is room. A timed write goes to the
     * ring whole, where its link timeout applies.
     */
    @Override
    public CompletableFuture<Integer> write(MemorySegment src, ByteBuffer advance, long timeoutNanos) {
        if (Chunks.isCurrent(src)) {
            // A received chunk, whose buffer goes back to the kernel when its handler returns. If
            // this send goes to the kernel at once, it takes the buffer instead (sent in place,
            // given back after its completion), within a bound that leaves most buffers to receives.
            Chunks.Lease lease = src.byteSize() >= MIN_LENT ? Chunks.lease(src) : null;
            if (lease != null && home.loop().inLoop() && timeoutNanos == 0 && lease.home.buffers() == home.buffers()
                    && loopSendsOut == 0 && home.lent()[0] < home.maxLent()) {
                MemorySegment buffer = home.buffers().buffer(lease.bid);
                lease.taken = true;
                home.lent()[0]++;
                if (net.stats != null) {
                    net.stats.lentSend();
                }
                return sendInOrder(zeroCopyIf(zeroCopy(src.byteSize()), RingOps.Send.ofProvided(fd, gate,
                        buffer.asSlice(src.address() - buffer.address(), src.byteSize()), home, lease.bid)));
            }
            // Else copy it now.
            if (home.loop().inLoop() && timeoutNanos == 0) {
                if (net.stats != null) {
                    net.stats.copiedChunkSend();
                }
                MemorySegment pooled = home.loop().memory().acquire(src.byteSize());
                MemorySegment.copy(src, 0, pooled, 0, src.byteSize());
                return sendInOrder(zeroCopyIf(zeroCopy(src.byteSize()), RingOps.Send.ofLoopCopy(fd, gate, pooled, src.byteSize())));
            }
            src = MemorySegment.ofArray(src.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
        int done = 0;
        // Native memory of the caller's, large enough: a zero-copy send of all of it, which the
        // caller holds until the future completes (after the kernel's notification).
        boolean zeroCopy = timeoutNanos == 0 && inPlace(src) && zeroCopy(src.byteSize());
        // On the loop's own thread (a completion callback answering a receive) the ring is the
        // cheaper way: the SEND rides along in the io_uring_enter the loop makes anyway, batched
        // with every other connection's, where an inline send(2) is one more system call each.
        boolean triedInline = timeoutNanos == 0 && !home.loop().inLoop() && !zeroCopy;
        if (triedInline) {
            try {
                done = sendInline(src, advance);
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
            if (done == src.byteSize()) {
                return CompletableFuture.completedFuture(done);
            }
        }
        // What is left did not fit in the socket buffer (when tried inline): the ring waits for room first.
        MemorySegment rest = src.asSlice(done);
        if (zeroCopy && !home.loop().inLoop()) {
            return submit(zeroCopyIf(true, new RingOps.Send(fd, gate, rest, advance, false)));
        }
        if (!triedInline && timeoutNanos == 0 && oneSend(rest)) {
            return sendInOrder(zeroCopyIf(zeroCopy, new RingOps.Send(fd, gate, rest, advance, false)));
        }
        CompletableFuture<Integer> f = send(rest, advance, timeoutNanos, triedInline);
        if (done == 0 && timeoutNanos == 0 && oneSend(rest)) {
            return f; // the op's own future: cancelling it cancels the SEND
        }
        ChainedFuture<Integer> result = new ChainedFuture<>(f);
        sendRest(result, f, rest, advance, timeoutNanos == 0 ? 0 : System.nanoTime() + timeoutNanos, done);
        return result;
    }

    private CompletableFuture<Integer> send(MemorySegment src, ByteBuffer advance, long timeoutNanos, boolean pollFirst) {
        RingOps.Send op = new RingOps.Send(fd, gate, src, advance, pollFirst);
        if (timeoutNanos > 0) {
            op.timeout(timeoutNanos);
        }
        return submit(op);
    }

    /** On-loop SENDs of this socket in the kernel (0 or 1), and those queued behind it. Loop thread only. */
    private int loopSendsOut;
    private java.util.ArrayDeque<RingOps.Send> loopSendQueue;

    /**
     * A send made on the loop thread (a handler answering a receive): submitted at once if no other
     * such send of this socket is in the kernel, else queued behind it. Two SENDs in the kernel at
     * once could interleave their bytes once the socket buffer fills; one at a time, writes made
     * from completion handlers go out whole and in the order they were made.
     */
    private CompletableFuture<Integer> sendInOrder(RingOps.Send op) {
        op.ordered = this;
        if (loopSendsOut == 0) {
            loopSendsOut = 1;
            CompletableFuture<Integer> f = submit(op);
            if (f.isDone()) {
                loopSendsOut = 0; // refused: the socket is closing
                op.refuse(NetErrors.closed());
            }
            return op.future();
        }
        if (net.stats != null) {
            net.stats.queuedSend();
        }
        if (loopSendQueue == null) {
            loopSendQueue = new java.util.ArrayDeque<>();
        }
        loopSendQueue.add(op);
        return op.future();
    }

    /** The on-loop SEND in the kernel is done (its final completion is in): the next queued one goes. */
    void loopSendDone() {
        loopSendsOut = 0;
        RingOps.Send next;
        while (loopSendQueue != null && (next = loopSendQueue.poll()) != null) {
            if (next.future().isDone()) {
                next.refuse(NetErrors.asyncClosed()); // cancelled while queued: it never goes out
                continue;
            }
            loopSendsOut = 1;
            CompletableFuture<Integer> f = submit(next);
            if (!f.isDone() || !f.isCompletedExceptionally()) {
                return;
            }
            loopSendsOut = 0;
            next.refuse(gate.isClosing() ? NetErrors.asyncClosed() : NetErrors.closed());
        }
    }

    /** Native memory is sent in place; heap memory (and a shared arena's) in copies of at most MAX_HEAP_SEND bytes. */
    private static boolean oneSend(MemorySegment src) {
        return inPlace(src) || src.byteSize() <= RingOps.MAX_HEAP_SEND;
    }

    /**
     * True if the kernel may use {@code seg} in place until the op's completion ({@link
     * Scopes#usableInPlace}); a shared arena's memory, which any thread may close meanwhile, is
     * received and sent through loop memory instead, copied on the loop thread, where a closed
     * arena fails the copy rather than the kernel writing or reading freed memory.
     */
    static boolean inPlace(MemorySegment seg) {
        return seg.isNative() && Scopes.usableInPlace(seg);
    }

    /**
     * Completes {@code result} once the SEND {@code f} of {@code src} is out, sending heap data
     * beyond one op's copy in further SENDs, each within what is left before {@code deadline}
     * (0: none). When the time runs out, a write that sent part of its bytes completes with that
     * count (a SEND cut short ends it: the rest must not follow a gap).
     */
    private void sendRest(ChainedFuture<Integer> result, CompletableFuture<Integer> f, MemorySegment src,
                          ByteBuffer advance, long deadline, int done) {
        f.whenComplete((n, t) -> {
            if (t != null) {
                Throwable c = deadline == 0 ? unwrap(t) : timeout(unwrap(t));
                if (done > 0 && c instanceof InterruptedByTimeoutException) {
                    result.complete(done);
                } else {
                    result.completeExceptionally(c);
                }
                return;
            }
            long part = oneSend(src) ? src.byteSize() : RingOps.MAX_HEAP_SEND;
            long left = deadline == 0 ? 0 : deadline - System.nanoTime();
            if (n == src.byteSize() || n < part || result.isDone() || (deadline != 0 && left <= 0)) {
                result.complete(done + n);
                return;
            }
            MemorySegment rest = src.asSlice(n);
            CompletableFuture<Integer> next = send(rest, advance, left, false);
            result.step(next);
            sendRest(result, next, rest, advance, deadline, done + n);
        });
    }

    @Override
    public int writeNow(MemorySegment src, ByteBuffer advance) throws IOException {
        MemorySegment from = callersView(src);
        if (inPlace(from) && zeroCopy(from.byteSize())) {
            // The caller waits, so its memory stays put until the notification.
            return Await.get(submit(zeroCopyIf(true, new RingOps.Send(fd, gate, from, advance, false))));
        }
        long total = sendInline(from, advance);
        boolean full = true; // the inline send stopped short: no room in the socket buffer
        while (total < from.byteSize()) {
            total += Await.get(submit(new RingOps.Send(fd, gate, from.asSlice(total), advance, full)));
            full = false;
        }
        return (int) total;
    }

    /** What send(2) with MSG_DONTWAIT takes now, in chunks (a critical call holds off the GC while it copies). */
    private int sendInline(MemorySegment src, ByteBuffer advance) throws IOException {
        long sent = withFd(() -> {
            long done = 0;
            while (done < src.byteSize()) {
                MemorySegment part = src.asSlice(done, Math.min(src.byteSize() - done, INLINE_CHUNK));
                long r = SocketCalls.sendNow(fd, part, MSG_DONTWAIT | Uapi.MSG_NOSIGNAL);
                if (r == -EINTR) {
                    continue;
                }
                if (r == -EAGAIN) {
                    break;
                }
                if (r < 0) {
                    throw NetErrors.of("send", (int) r, fd, null);
                }
                done += r;
                if (r < part.byteSize()) {
                    break; // the socket buffer is full
                }
            }
            return done;
        });
        if (advance != null) {
            advance.position(advance.position() + (int) sent);
        }
        return (int) sent;
    }

    // ------------------------------------------------------------------ stream receive

    /** The last stream receive started on this socket, told when the socket closes. */
    private volatile RingReceiver receiver;

    @Override
    public Receiving receive(ReceiveHandler handler, Runnable closeSocket) {
        ReadAhead reads = readAhead;
        if (reads != null) {
            return reads.takeOver(handler, closeSocket);
        }
        RingReceiver r = new RingReceiver(this, handler, closeSocket);
        receiver = r;
        r.start();
        return r;
    }

    @Override
    void beforeClose() {
        RingReceiver r = receiver;
        if (r != null) {
            r.socketClosed(); // a paused stream has nothing in the kernel whose completion would end it
        }
        ReadAhead reads = readAhead;
        if (reads != null) {
            reads.socketClosed(); // a stream that took over after the receive underneath had ended
        }
    }

    // ------------------------------------------------------------------ control

    @Override
    public void shutdown(int how) throws IOException {
        Await.get(submit(new RingOps.ControlOp("SHUTDOWN", fd, gate, how)));
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        return withFd(() -> name(true));
    }
}
