package org.uring4j.process;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.Fd;
import org.uring4j.ring.Sqe;
import org.uring4j.sys.Scopes;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.Operation;
import org.uring4j.runtime.RuntimeClosedException;

/**
 * The io_uring backend's end of a pipe to a child, read or written with READ/WRITE on a loop. Unlike a
 * file's, a pipe's operation may wait forever (a child that never writes), so closing cancels the
 * operations in flight (ASYNC_CANCEL) and closes the descriptor once the last has completed. Each
 * cancelled op fails from its own completion, with AsynchronousCloseException as a file's op does:
 * not before (its memory, a blocking caller's confined arena among them, is the kernel's until
 * then), and not at all if it completed first (the bytes it moved are reported, not dropped).
 */
final class RingPipe implements PipeEnd {
    /** The most heap memory one READ or WRITE bounces (the pool's largest size class). */
    private static final long MAX_BOUNCE = 1 << 20;
    private final EventLoop loop;
    private final String name;
    private final int fd;
    private final Set<PipeOp> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean closing;

    RingPipe(EventLoop loop, String name, int fd) {
        this.loop = loop;
        this.name = name;
        this.fd = fd;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isClosed() {
        return closing;
    }

    /** One READ or WRITE: the bytes moved, -1 at end of stream for a read. */
    @Override
    public CompletableFuture<Integer> transfer(boolean write, MemorySegment target, ByteBuffer buffer) {
        PipeEnd.check(write, target, name);
        if (!target.isNative() && target.byteSize() > MAX_BOUNCE) {
            // Heap memory is copied through a bounce buffer: a pipe moves at most its capacity per
            // call, so bouncing all of a large array again after each short transfer is quadratic.
            target = target.asSlice(0, MAX_BOUNCE);
        }
        return run(new PipeOp(this, write, target, buffer));
    }

    private CompletableFuture<Integer> run(PipeOp op) {
        CompletableFuture<Integer> f = op.future();
        // Registered before closing is checked (and closeAsync sets closing before it looks at
        // inFlight): either this sees closing and submits nothing, or closeAsync sees this op and
        // waits for its release before it closes the descriptor.
        inFlight.add(op);
        if (closing) {
            ended(op);
            return CompletableFuture.failedFuture(closedException());
        }
        try {
            loop.submit(op);
        } catch (RuntimeClosedException e) {
            ended(op);
            return CompletableFuture.failedFuture(closedByRuntime(e));
        }
        if (closing) {
            op.cancelForClose(); // close began while we submitted: it may have missed this one
        }
        return f;
    }

    /** An op's memory is released: the last one lets a pending close go ahead. */
    private void ended(PipeOp op) {
        inFlight.remove(op);
        if (closing && inFlight.isEmpty()) {
            finishClose();
        }
    }

    /**
     * A call on this pipe once its loop has closed fails as a file's does then: ClosedChannelException
     * (an IOException, which read and write declare), not the loop's unchecked RuntimeClosedException.
     */
    private ClosedChannelException closedByRuntime(RuntimeClosedException cause) {
        ClosedChannelException e = new ClosedChannelException();
        e.initCause(cause);
        return e;
    }

    private ClosedChannelException closedException() {
        ClosedChannelException e = new ClosedChannelException();
        e.initCause(new IOException(name + " is closed"));
        return e;
    }

    /** Cancels what is in flight, then closes the descriptor. Idempotent. */
    @Override
    public CompletableFuture<Void> closeAsync() {
        closing = true;
        for (PipeOp op : inFlight) {
            op.cancelForClose();
        }
        if (inFlight.isEmpty()) {
            finishClose();
        }
        return closed;
    }

    private void finishClose() {
        if (closeStarted.compareAndSet(false, true)) {
            org.uring4j.sys.Syscalls.close(fd);
            closed.complete(null);
        }
    }

    /** READ/WRITE of a pipe ({@code io_uring_prep_read} at offset -1: a pipe has no position); heap memory through a bounce buffer. */
    private static final class PipeOp extends Operation<Integer> {
        private final RingPipe end;
        private final boolean write;
        private final MemorySegment target;
        private final ByteBuffer buffer;
        private MemorySegment bounce;
        private MemorySegment pooled;

        PipeOp(RingPipe end, boolean write, MemorySegment target, ByteBuffer buffer) {
            this.end = end;
            this.write = write;
            this.target = target;
            this.buffer = buffer;
        }

        @Override
        protected String name() {
            return write ? "WRITE" : "READ";
        }

        /** A pipe's read or write must not go on unseen once its caller has left: an interrupt cancels it in the kernel. */
        @Override
        protected boolean cancelledOnInterrupt() {
            return true;
        }

        @Override
        protected void prepare(Sqe sqe) {
            MemorySegment io = target;
            if (!target.isNative() || !Scopes.usableInPlace(target)) { // heap, or a shared arena's that may close under the op
                pooled = loop().memory().acquire(Math.max(1, target.byteSize()));
                bounce = pooled.asSlice(0, target.byteSize());
                if (write) {
                    MemorySegment.copy(target, 0, bounce, 0, target.byteSize());
                }
                io = bounce;
            }
            if (write) {
                sqe.prepWrite(Fd.raw(end.fd), io, -1);
            } else {
                sqe.prepRead(Fd.raw(end.fd), io, -1);
            }
        }

        @Override
        protected Throwable closedLoopFailure(RuntimeClosedException e) {
            return end.closedByRuntime(e);
        }

        /** Asks the kernel to end this op; its completion then fails it (see {@link #complete}). */
        void cancelForClose() {
            cancelInKernel();
        }

        @Override
        protected Integer complete(int res, int flags) throws IOException {
            if (res < 0) {
                UringException e = new UringException(name(), -res, end.fd, end.name);
                if (end.closing && (res == -Errno.ECANCELED.number() || res == -Errno.EINTR.number())) {
                    AsynchronousCloseException closed = new AsynchronousCloseException(); // as a file's op closed under it
                    closed.initCause(e);
                    throw closed;
                }
                throw e;
            }
            if (!write && bounce != null && res > 0) {
                MemorySegment.copy(bounce, 0, target, 0, res);
            }
            if (buffer != null) {
                buffer.position(buffer.position() + res);
            }
            return !write && res == 0 && target.byteSize() > 0 ? -1 : res;
        }

        @Override
        protected void release() {
            if (pooled != null && loop().inLoop()) { // else the loop is gone, and its pool with it
                loop().memory().release(pooled);
            }
            pooled = null;
            bounce = null;
            end.ended(this);
        }
    }
}
