package org.uring4j.net;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.ReadPendingException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.uring4j.ring.Sqe;
import org.uring4j.runtime.Operation;
import org.uring4j.runtime.RuntimeClosedException;
import org.uring4j.sys.Failures;

/**
 * The reads of a socket served by one stream receive that stays armed ({@link RingReceiver}: a
 * multishot RECV into the loop's provided-buffer ring) rather than by a RECV per read. The loop
 * copies each chunk straight into the memory of the read waiting for it and wakes that read, or
 * keeps the chunk for the next read, which then takes it without a system call. A read that
 * waits thus costs a park and an unpark: a RECV per read also cost its trip through the loop's
 * inbox and, with the loop asleep, an eventfd write to wake it (measured: a virtual thread per
 * connection echoing 64 B messages, docs/benchmarks.md). The JDK's SocketChannel pays a read that
 * finds nothing and an epoll registration there.
 *
 * <p>Kept bytes are bounded: at {@link #HIGH} the receive pauses (cancelled in the kernel, so the
 * peer meets TCP's flow control). A reader that far behind is better served by the socket
 * itself: once the kept bytes are taken and the receive has nothing left in the kernel, reads
 * are made on the caller's thread (recv(2) with MSG_DONTWAIT, one copy, as a RECV per read did)
 * until one finds the socket empty, which arms the receive again and waits for it. One read waits
 * at a time. A stream receive started afterwards ({@link UringSocket#receive}) takes over:
 * the kept chunks first, then each chunk as it arrives.
 *
 * <p>The read's memory is written only under this object's lock, which a read that gives up
 * (interrupt, timeout, cancel) takes to withdraw: once withdrawn, the loop never touches it.
 */
final class ReadAhead implements ReceiveHandler {
    /**
     * Kept bytes at which the receive pauses: a slow reader's memory (plus, at most, the one
     * completion that was in flight). Small, since a reader this far behind reads the socket
     * itself; 64 KiB streamed no slower than 256 KiB (docs/benchmarks.md).
     */
    static final int HIGH = 64 * 1024;

    private final RingSocket socket;
    private final ReentrantLock blockingReads = new ReentrantLock();
    /** The stream receive feeding this; set once, before it starts. */
    private volatile Receiving receiving;

    // Guarded by this.
    private final ArrayDeque<byte[]> kept = new ArrayDeque<>(1); // small: most sockets keep nothing, or one chunk
    /** Bytes of kept.peekFirst() already read. */
    private int keptOffset;
    private long keptBytes;
    /** The receive paused because too much was kept. */
    private boolean pausedFull;
    /** ... and has nothing left in the kernel: reads take the socket's bytes themselves. */
    private boolean kernelIdle;
    /** End of stream came (after the kept bytes). */
    private boolean ended;
    /** A stream receive has taken over and not ended: reads are refused (ReadPendingException). */
    private boolean streamActive;
    /** The stream failed (after the kept bytes); every later read fails with it. */
    private Throwable failure;
    private boolean failureSeen;
    /** The waiting read's memory (null: none waits), its buffer to advance, and who to tell. */
    private MemorySegment dst;
    private ByteBuffer advance;
    private Thread parked;
    private Pending pending;
    /** A blocking read's outcome, handed from the loop. */
    private int parkedResult;
    private Throwable parkedFailure;
    private boolean parkedDone;

    // Loop thread only.
    /** The stream receive that took over, or null. */
    private TakeOver takeOver;

    ReadAhead(RingSocket socket) {
        this.socket = socket;
    }

    /** The stream receive that feeds this, set before it starts. */
    void fedBy(Receiving r) {
        receiving = r;
    }

    // ------------------------------------------------------------------ reads

    /**
     * The blocking read: kept bytes at once, else parks until a chunk, the end or a failure.
     *
     * @throws InterruptedIOException if the thread is interrupted while waiting (the read is withdrawn first)
     */
    int read(MemorySegment to, ByteBuffer adv) throws IOException {
        blockingReads.lock(); // as SocketChannel's read lock: a second blocking read waits its turn
        try {
            return readLocked(to, adv);
        } finally {
            blockingReads.unlock();
        }
    }

    private int readLocked(MemorySegment to, ByteBuffer adv) throws IOException {
        if (to.byteSize() == 0) {
            return 0;
        }
        Thread me = Thread.currentThread();
        int n;
        synchronized (this) {
            if (streamActive) {
                throw new ReadPendingException(); // a stream receive started while this read waited its turn
            }
            n = takeKept(to, adv);
            if (n == 0 && dst == null) {
                n = readInlineIfIdle(to, adv);
            }
            if (n == 0) {
                if (dst != null) {
                    throw new ReadPendingException();
                }
                dst = to;
                advance = adv;
                parked = me;
                parkedDone = false;
            }
        }
        if (n != 0) {
            return n;
        }
        while (true) {
            LockSupport.park(this);
            synchronized (this) {
                if (parkedDone) {
                    parkedDone = false;
                    Throwable t = parkedFailure;
                    parkedFailure = null;
                    if (t != null) {
                        throw Failures.asThrown(t);
                    }
                    return parkedResult;
                }
                if (me.isInterrupted()) {
                    withdraw();
                    throw new InterruptedIOException("interrupted while waiting for a socket read");
                }
            }
        }
    }

    /**
     * The asynchronous read: completed at once from kept bytes, else when a chunk comes; with a
     * timeout, an IORING_OP_TIMEOUT on the loop withdraws it (InterruptedByTimeoutException).
     */
    CompletableFuture<Integer> readAsync(MemorySegment to, ByteBuffer adv, long timeoutNanos) {
        if (to.byteSize() == 0) {
            return CompletableFuture.completedFuture(0);
        }
        Pending p;
        int n;
        synchronized (this) {
            if (streamActive) {
                return CompletableFuture.failedFuture(new ReadPendingException());
            }
            try {
                n = takeKept(to, adv);
                if (n == 0 && dst == null) {
                    n = readInlineIfIdle(to, adv);
                }
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
            if (n != 0) {
                p = null;
            } else if (dst != null) {
                return CompletableFuture.failedFuture(new ReadPendingException());
            } else {
                p = new Pending();
                dst = to;
                advance = adv;
                pending = p;
            }
        }
        if (p == null) {
            return CompletableFuture.completedFuture(n);
        }
        if (timeoutNanos > 0) {
            p.timer = new Delay(timeoutNanos);
            try {
                socket.home.loop().submit(p.timer).whenComplete((v, e) -> {
                    if (e == null) {
                        timedOut(p); // the time is up (a cancelled timer, or a closed loop, is no timeout)
                    }
                });
            } catch (RuntimeClosedException e) {
                // the loop is closing: its close fails the read
            }
            if (p.isDone()) {
                p.stopTimer(); // a chunk came before the timer was set
            }
        }
        return p;
    }

    /**
     * Kept bytes into {@code to}: the count, -1 after the end, 0 if none (the caller waits).
     *
     * @throws IOException the stream's failure, once nothing is kept
     */
    private int takeKept(MemorySegment to, ByteBuffer adv) throws IOException {
        if (keptBytes == 0) {
            if (failure != null) {
                throw failureForRead();
            }
            return ended ? -1 : 0;
        }
        long room = to.byteSize();
        long done = 0;
        while (done < room && !kept.isEmpty()) {
            byte[] head = kept.peekFirst();
            int take = (int) Math.min(room - done, head.length - keptOffset);
            MemorySegment.copy(head, keptOffset, to, JAVA_BYTE, done, take);
            done += take;
            keptOffset += take;
            if (keptOffset == head.length) {
                kept.pollFirst();
                keptOffset = 0;
            }
        }
        keptBytes -= done;
        if (adv != null) {
            adv.position(adv.position() + (int) done);
        }
        return (int) done;
    }

    /**
     * With the receive paused and nothing of it in the kernel (nor kept), the socket's bytes are
     * the next ones: read on the caller's thread. 0 if the socket is empty: then the receive goes
     * on (pause and resume both happen under the lock, so neither overtakes the other) and the
     * caller waits for it.
     */
    private int readInlineIfIdle(MemorySegment to, ByteBuffer adv) throws IOException {
        if (!pausedFull || !kernelIdle) {
            return 0;
        }
        int n;
        try {
            n = socket.recvInline(to, adv);
        } catch (IOException e) {
            failure = e; // the stream's failure, as if the receive had met it: every later read sees it
            failureSeen = true;
            throw e;
        }
        if (n == -1) {
            ended = true;
        } else if (n == 0) {
            pausedFull = false;
            kernelIdle = false;
            receiving.resume();
            // A resume that found the loop closed ended the stream here and now: say so rather than wait.
            return takeKept(to, adv);
        }
        return n;
    }

    /** The receive, paused for kept bytes, has nothing left in the kernel (loop thread). */
    synchronized void receiverIdle() {
        if (!pausedFull || kernelIdle) {
            return;
        }
        if (dst != null) {
            // A read waits already (the kept bytes ran out before the pause took hold): the
            // receive goes on and serves it.
            pausedFull = false;
            receiving.resume();
        } else {
            kernelIdle = true;
        }
    }

    /** The failure once more for a later read: a fresh exception of the same kind, the first as its cause. */
    private IOException failureForRead() {
        if (!failureSeen) {
            failureSeen = true;
            return Failures.asThrown(failure);
        }
        IOException again = failure instanceof SocketException ? new SocketException(failure.getMessage())
                : failure instanceof AsynchronousCloseException ? new AsynchronousCloseException()
                : failure instanceof ClosedChannelException ? new ClosedChannelException()
                : new IOException(failure.getMessage());
        again.initCause(failure);
        return again;
    }

    /** The waiting read gives up (the caller holds the lock): the loop no longer touches its memory. */
    private void withdraw() {
        dst = null;
        advance = null;
        parked = null;
        pending = null;
    }

    private void timedOut(Pending p) {
        synchronized (this) {
            if (pending != p) {
                return; // completed, or cancelled
            }
            withdraw();
        }
        p.fail(new InterruptedByTimeoutException());
    }

    // ------------------------------------------------------------------ the loop's side

    @Override
    public boolean onData(MemorySegment chunk) {
        if (takeOver != null) {
            return takeOver.data(chunk);
        }
        Thread wake;
        Pending done;
        int n = 0;
        Throwable copyFailed = null;
        synchronized (this) {
            wake = parked;
            done = pending;
            if (dst != null && keptBytes == 0) {
                try {
                    n = (int) Math.min(chunk.byteSize(), dst.byteSize());
                    MemorySegment.copy(chunk, 0, dst, 0, n);
                    if (advance != null) {
                        advance.position(advance.position() + n);
                    }
                } catch (RuntimeException e) {
                    copyFailed = e; // the read's memory is gone (a closed shared arena): it fails, the chunk stays
                    n = 0;
                }
                if (n < chunk.byteSize()) {
                    keep(chunk.asSlice(n));
                }
                withdraw();
                if (wake != null) {
                    parkedResult = n;
                    parkedFailure = copyFailed;
                    parkedDone = true;
                }
            } else {
                wake = null;
                done = null;
                keep(chunk);
            }
            if (keptBytes >= HIGH && !pausedFull) {
                pausedFull = true;
                receiving.pause(); // on the loop thread: cancelled in the kernel before this returns
            }
        }
        if (wake != null) {
            LockSupport.unpark(wake);
        } else if (done != null) {
            if (copyFailed != null) {
                done.fail(copyFailed);
            } else {
                done.succeed(n);
            }
        }
        return true;
    }

    private void keep(MemorySegment chunk) {
        kept.addLast(chunk.toArray(JAVA_BYTE));
        keptBytes += chunk.byteSize();
    }

    @Override
    public void onEnd() {
        if (takeOver != null) {
            takeOver.end(null);
            return;
        }
        finish(null);
    }

    @Override
    public void onError(Throwable error) {
        if (takeOver != null) {
            takeOver.end(error);
            return;
        }
        finish(error);
    }

    /** The end ({@code error} null) or a failure: the waiting read, if any, hears it now. */
    private void finish(Throwable error) {
        Thread wake;
        Pending done;
        synchronized (this) {
            if (error == null) {
                ended = true;
            } else {
                failure = error;
            }
            if (dst == null || keptBytes > 0) {
                return;
            }
            wake = parked;
            done = pending;
            withdraw();
            failureSeen = error != null;
            if (wake != null) {
                parkedDone = true;
                parkedResult = -1;
                parkedFailure = error;
            }
        }
        if (wake != null) {
            LockSupport.unpark(wake);
        } else if (error == null) {
            done.succeed(-1);
        } else {
            done.fail(error);
        }
    }

    // ------------------------------------------------------------------ a stream receive takes over

    /**
     * {@link UringSocket#receive} on a socket whose reads armed this: {@code handler} gets the
     * kept chunks, then each as it arrives, then the end.
     *
     * @throws ReadPendingException if a read is waiting
     */
    Receiving takeOver(ReceiveHandler handler, Runnable closeSocket) {
        synchronized (this) {
            if (dst != null) {
                throw new ReadPendingException();
            }
            streamActive = true; // reads from now on are refused, not left waiting for chunks that go to the stream
        }
        TakeOver t = new TakeOver(handler, closeSocket);
        // On the loop, where chunks arrive: none can slip into the kept ones after they moved.
        onLoop(() -> {
            synchronized (this) {
                while (!kept.isEmpty()) {
                    byte[] head = kept.pollFirst();
                    t.backlog.add(keptOffset == 0 ? head : Arrays.copyOfRange(head, keptOffset, head.length));
                    keptOffset = 0;
                }
                keptBytes = 0;
                pausedFull = false; // the stream decides pauses from now on
                kernelIdle = false;
                t.endAfterBacklog = ended;
                t.failureAfterBacklog = failure;
                failureSeen = failure != null;
            }
            takeOver = t;
            t.drain();
        }, () -> t.end(NetErrors.asyncClosed()));
        return t;
    }

    /** The socket is closing: a stream that took over ends now, even if the receive underneath had ended already. */
    void socketClosed() {
        Runnable end = () -> {
            if (takeOver != null) {
                takeOver.end(NetErrors.asyncClosed());
            }
        };
        onLoop(end, end);
    }

    /** For the tests: the receive is paused for kept bytes and has nothing left in the kernel. */
    synchronized boolean pausedAndIdle() {
        return pausedFull && kernelIdle;
    }

    /** For the tests: the bytes kept for reads. */
    synchronized long keptBytes() {
        return keptBytes;
    }

    /** True once a stream receive took over (loop thread). */
    boolean takenOver() {
        return takeOver != null;
    }

    /** Runs {@code r} on the loop thread; {@code ifGone} here if the loop is closed (nothing runs there any more). */
    private void onLoop(Runnable r, Runnable ifGone) {
        if (socket.home.loop().inLoop()) {
            r.run();
            return;
        }
        try {
            socket.home.loop().call(ring -> {
                r.run();
                return null;
            });
        } catch (RuntimeClosedException e) {
            ifGone.run();
        }
    }

    /** The stream receive that took over from the reads. Its state is the loop thread's, but for {@link #paused}. */
    private final class TakeOver implements Receiving {
        private final ReceiveHandler handler;
        private final Runnable closeSocket;
        private final ArrayDeque<byte[]> backlog = new ArrayDeque<>();
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private boolean endAfterBacklog;
        private Throwable failureAfterBacklog;
        private boolean over;
        private volatile boolean paused;

        TakeOver(ReceiveHandler handler, Runnable closeSocket) {
            this.handler = handler;
            this.closeSocket = closeSocket;
        }

        /** A chunk from the receive (in a Chunks scope of its own). */
        boolean data(MemorySegment chunk) {
            if (over) {
                return false;
            }
            if (paused || !backlog.isEmpty()) {
                backlog.add(chunk.toArray(JAVA_BYTE));
                return false;
            }
            return hand(chunk);
        }

        private boolean hand(MemorySegment chunk) {
            boolean more;
            try {
                more = handler.onData(chunk);
            } catch (Throwable t) {
                closeSocket.run(); // bytes were taken from the socket that nobody will see
                end(t);
                return false;
            }
            if (!more) {
                paused = true;
            }
            return more;
        }

        /** Hands the backlog over (loop thread) while not paused, then ends or lets the receive go on. */
        void drain() {
            while (!paused && !over && !backlog.isEmpty()) {
                if (!Chunks.deliver(this::hand, MemorySegment.ofArray(backlog.pollFirst()))) {
                    break;
                }
            }
            if (paused || over || !backlog.isEmpty()) {
                return;
            }
            if (endAfterBacklog || failureAfterBacklog != null) {
                end(failureAfterBacklog);
                return;
            }
            receiving.resume();
        }

        /** The end ({@code error} null) or a failure, after the backlog. */
        void end(Throwable error) {
            if (over) {
                return;
            }
            if (error == null && !backlog.isEmpty()) {
                endAfterBacklog = true;
                return;
            }
            over = true;
            backlog.clear();
            synchronized (ReadAhead.this) {
                // Reads after the stream (its handler's onEnd may read on) see its end, as they would have.
                streamActive = false;
                if (error == null) {
                    ended = true;
                } else {
                    failure = error;
                    failureSeen = true;
                }
            }
            try {
                if (error == null) {
                    handler.onEnd();
                } else {
                    handler.onError(error);
                }
            } catch (Throwable ignored) {
                // the stream is over either way
            }
            if (error == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(error);
            }
        }

        @Override
        public void pause() {
            if (!paused) {
                paused = true;
                receiving.pause();
            }
        }

        @Override
        public void resume() {
            if (paused) {
                paused = false;
                onLoop(this::drain, () -> end(NetErrors.asyncClosed()));
            }
        }

        @Override
        public boolean isPaused() {
            return paused;
        }

        @Override
        public CompletableFuture<Void> done() {
            return done;
        }
    }

    // ------------------------------------------------------------------ helpers

    /** An asynchronous read's future: a cancel withdraws the read unless the loop is filling it. */
    private final class Pending extends CompletableFuture<Integer> {
        volatile Delay timer;

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            synchronized (ReadAhead.this) {
                if (pending != this) {
                    return isCancelled(); // done, or the loop is completing it
                }
                withdraw();
            }
            stopTimer();
            return super.cancel(mayInterruptIfRunning);
        }

        void succeed(int n) {
            stopTimer();
            complete(n);
        }

        void fail(Throwable t) {
            stopTimer();
            completeExceptionally(t);
        }

        private void stopTimer() {
            Delay d = timer;
            if (d != null && !d.future().isDone()) {
                d.future().cancel(true);
            }
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }

    /** IORING_OP_TIMEOUT ({@code io_uring_prep_timeout}) of a timed read: completes when the time is up. */
    private static final class Delay extends Operation<Void> {
        private final long nanos;
        private MemorySegment ts;

        Delay(long nanos) {
            this.nanos = nanos;
        }

        @Override
        protected String name() {
            return "TIMEOUT";
        }

        @Override
        protected void prepare(Sqe sqe) {
            ts = loop().memory().acquire(16);
            ts.set(JAVA_LONG, 0, nanos / 1_000_000_000L);
            ts.set(JAVA_LONG, 8, nanos % 1_000_000_000L);
            sqe.prepTimeout(ts, 0, 0);
        }

        @Override
        protected Void complete(int res, int flags) {
            return null; // -ETIME: the time is up; a cancel fails the future before this
        }

        @Override
        protected void release() {
            if (ts != null) {
                loop().memory().release(ts);
                ts = null;
            }
        }
    }
}
