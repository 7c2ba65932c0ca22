package org.uring4j.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import org.uring4j.Errno;
import org.uring4j.ring.BufferRing;
import org.uring4j.ring.Fd;
import org.uring4j.ring.Sqe;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.Operation;

/**
 * The socket operations as ring requests. Each borrows loop memory it hands the kernel (a
 * sockaddr, a copy of heap data to send) in {@link Operation#prepare} and gives it back in
 * {@link Operation#release()}, after the final completion; each op on a socket holds the
 * socket's {@link OpGate} until then.
 */
final class RingOps {
    private RingOps() {
    }

    /** Heap data sent per SEND: copied into loop memory, so bounded. */
    static final int MAX_HEAP_SEND = 256 * 1024;
    /** The most a heap read receives into loop memory of its own (without a provided-buffer ring). */
    static final int MAX_OWN_RECV = 64 * 1024;
    private static final int ENOBUFS = Errno.ENOBUFS.number();
    private static final int ENOTCONN = Errno.ENOTCONN.number();

    /** An op on one socket: counted in its gate until released; failures after close are AsynchronousCloseException. */
    abstract static class SocketOp<T> extends Operation<T> {
        final String name;
        final int fd;
        final OpGate gate;
        MemorySegment mem;

        SocketOp(String name, int fd, OpGate gate) {
            this.name = name;
            this.fd = fd;
            this.gate = gate;
        }

        @Override
        protected final String name() {
            return name;
        }

        /** The op no longer needs the descriptor (its request is over in the kernel): a close need not wait for it. */
        final void leaveGate() {
            if (!gateLeft) {
                gateLeft = true;
                gate.exit();
            }
        }

        private boolean gateLeft;

        final MemorySegment borrow(long size) {
            mem = loop().memory().acquire(size);
            return mem;
        }

        final IOException failure(int res, Object target) {
            if (gate.isClosing()) {
                return NetErrors.asyncClosed();
            }
            return NetErrors.of(name, res, fd, target);
        }

        @Override
        protected void release() {
            if (mem != null && loop() != null && loop().inLoop()) {
                loop().memory().release(mem);
            }
            mem = null;
            leaveGate();
        }
    }

    /** SOCKET(domain, SOCK_STREAM | SOCK_CLOEXEC): a plain descriptor ({@code io_uring_prep_socket}). */
    static final class SocketCreate extends Operation<Integer> {
        private final int domain;

        SocketCreate(int domain) {
            this.domain = domain;
        }

        @Override
        protected String name() {
            return "SOCKET";
        }

        @Override
        protected void prepare(Sqe sqe) {
            sqe.prepSocket(domain, Uapi.SOCK_STREAM | Uapi.SOCK_CLOEXEC, 0, 0);
        }

        @Override
        protected Integer complete(int res, int flags) throws IOException {
            if (res < 0) {
                throw NetErrors.of("SOCKET", res, org.uring4j.UringException.NO_FD, null);
            }
            return res;
        }

        @Override
        protected void abandoned(int res, int flags) {
            if (res >= 0) {
                SocketCalls.close(res);
            }
        }
    }

    /** CONNECT or BIND to a sockaddr ({@code io_uring_prep_connect}, {@code io_uring_prep_bind}). */
    static final class AddressOp extends SocketOp<Void> {
        private final byte[] sockaddr;
        private final Object target;

        AddressOp(String name, int fd, OpGate gate, byte[] sockaddr, Object target) {
            super(name, fd, gate);
            this.sockaddr = sockaddr;
            this.target = target;
        }

        @Override
        protected void prepare(Sqe sqe) {
            MemorySegment addr = borrow(sockaddr.length).asSlice(0, sockaddr.length);
            MemorySegment.copy(MemorySegment.ofArray(sockaddr), 0, addr, 0, sockaddr.length);
            if (name.equals("CONNECT")) {
                sqe.prepConnect(Fd.raw(fd), addr);
            } else {
                sqe.prepBind(Fd.raw(fd), addr);
            }
        }

        @Override
        protected Void complete(int res, int flags) throws IOException {
            if (res < 0) {
                throw failure(res, target);
            }
            return null;
        }
    }

    /** LISTEN ({@code io_uring_prep_listen}) or SHUTDOWN ({@code io_uring_prep_shutdown}). */
    static final class ControlOp extends SocketOp<Void> {
        private final int arg;

        ControlOp(String name, int fd, OpGate gate, int arg) {
            super(name, fd, gate);
            this.arg = arg;
        }

        @Override
        protected void prepare(Sqe sqe) {
            if (name.equals("LISTEN")) {
                sqe.prepListen(Fd.raw(fd), arg);
            } else {
                sqe.prepShutdown(Fd.raw(fd), arg);
            }
        }

        @Override
        protected Void complete(int res, int flags) throws IOException {
            // A connection both sides have shut down is gone: the JDK, too, ignores ENOTCONN there.
            if (res < 0 && !(res == -ENOTCONN && name.equals("SHUTDOWN"))) {
                throw failure(res, null);
            }
            return null;
        }
    }

    /**
     * RECV ({@code io_uring_prep_recv}): into native memory in place, or, for heap memory, into a
     * buffer the kernel picks from the loop's provided-buffer ring when data arrives (so a
     * connection waiting for data holds no buffer), copied out and given back at once; with no
     * ring ({@code buffers} null), into loop memory of its own. Completes
     * with the count, -1 at end of stream; fails with {@link #NO_BUFFERS} when the ring was empty.
     */
    static final class Recv extends SocketOp<Integer> {
        private final RingSocket socket;
        private final MemorySegment dst;
        private final ByteBuffer advance;
        private final BufferRing buffers;
        private boolean recycled;

        /** The socket is known to be empty: arm the poll without a first attempt (IORING_RECVSEND_POLL_FIRST). */
        private final boolean pollFirst;

        /**
         * A blocking read interrupted is cancelled in the kernel and its completion awaited before
         * the caller hears of the interrupt: it may be receiving into the caller's confined memory
         * in place, which the caller is free to close once the call has returned.
         */
        @Override
        protected boolean cancelledOnInterrupt() {
            return true;
        }

        Recv(RingSocket socket, MemorySegment dst, ByteBuffer advance, BufferRing buffers, boolean pollFirst) {
            super("RECV", socket.fd, socket.gate);
            this.socket = socket;
            this.pollFirst = pollFirst;
            this.dst = dst;
            this.advance = advance;
            this.buffers = buffers;
        }

        @Override
        protected void prepare(Sqe sqe) {
            int len = (int) Math.min(dst.byteSize(), Integer.MAX_VALUE);
            if (RingSocket.inPlace(dst)) {
                sqe.prepRecv(Fd.raw(fd), dst.asSlice(0, len), 0);
            } else if (buffers != null) {
                // With BUFFER_SELECT the kernel ignores addr and takes len as the most to receive.
                sqe.prepRecv(Fd.raw(fd), MemorySegment.NULL.reinterpret(Math.min(len, buffers.bufferSize())), 0)
                        .bufferSelect(buffers.groupId());
            } else {
                int n = Math.min(len, MAX_OWN_RECV);
                sqe.prepRecv(Fd.raw(fd), borrow(n).asSlice(0, n), 0);
            }
            if (pollFirst) {
                sqe.ioprio(Uapi.IORING_RECVSEND_POLL_FIRST);
            }
        }

        @Override
        protected Integer complete(int res, int flags) throws IOException {
            if ((flags & Uapi.IORING_CQE_F_BUFFER) != 0) {
                recycled = true;
                int bid = flags >>> 16;
                try {
                    if (res > 0) {
                        MemorySegment.copy(buffers.buffer(bid), 0, dst, 0, res);
                    }
                } finally {
                    buffers.recycle(bid);
                }
            }
            if (res > 0 && mem != null) {
                MemorySegment.copy(mem, 0, dst, 0, res);
            }
            if (res < 0) {
                if (res == -ENOBUFS && buffers != null && !gate.isClosing()) {
                    throw NO_BUFFERS;
                }
                throw failure(res, null);
            }
            if (res == 0) {
                if (gate.isClosing()) {
                    throw NetErrors.asyncClosed();
                }
                return -1;
            }
            socket.moreToRead((flags & Uapi.IORING_CQE_F_SOCK_NONEMPTY) != 0);
            if (advance != null) {
                advance.position(advance.position() + res);
            }
            return res;
        }

        @Override
        protected void abandoned(int res, int flags) {
            // Cancelled or timed out after the kernel had filled a buffer: its bytes are dropped,
            // as the JDK drops them after a timed-out read, but the buffer goes back.
            if ((flags & Uapi.IORING_CQE_F_BUFFER) != 0 && !recycled) {
                recycled = true;
                buffers.recycle(flags >>> 16);
            }
        }
    }

    /** How a {@link RecvStream} receives. */
    enum StreamMode {
        /** Multishot RECV with buffer select (Linux 6.0): one request, a completion per chunk. */
        MULTISHOT,
        /** One RECV with buffer select per chunk: kernels without multishot receive. */
        SINGLE_PROVIDED,
        /** One RECV into loop memory of the op's own: no provided-buffer ring, or it ran dry. */
        SINGLE_OWN
    }

    /**
     * The receive of a {@link RingReceiver}: multishot RECV into the loop's provided-buffer ring
     * ({@code io_uring_prep_recv_multishot}), or a single-shot one where that is missing or the
     * ring ran dry. Every completion goes to the receiver, which hands the chunk over and gives
     * the buffer back; the op itself completes (with null) at its final completion.
     */
    static final class RecvStream extends SocketOp<Void> {
        final RingReceiver receiver;
        final StreamMode mode;
        private final BufferRing buffers;
        /**
         * Multishot with IORING_RECVSEND_BUNDLE (Linux 6.10): a completion may fill several
         * provided buffers, consecutive ring entries from the one its CQE names
         * ({@link BufferRing#bundleBuffer}), each full but the last.
         */
        final boolean bundle;

        RecvStream(RingReceiver receiver, int fd, OpGate gate, StreamMode mode, BufferRing buffers, boolean bundle) {
            super("RECV", fd, gate);
            this.receiver = receiver;
            this.mode = mode;
            this.buffers = buffers;
            this.bundle = bundle && mode == StreamMode.MULTISHOT;
        }

        @Override
        protected void prepare(Sqe sqe) {
            switch (mode) {
                case MULTISHOT -> {
                    sqe.prepRecvMultishot(Fd.raw(fd), buffers.groupId(), 0);
                    if (bundle) {
                        sqe.ioprio(Uapi.IORING_RECV_MULTISHOT | Uapi.IORING_RECVSEND_BUNDLE);
                    }
                }
                case SINGLE_PROVIDED -> sqe.prepRecv(Fd.raw(fd), MemorySegment.NULL.reinterpret(buffers.bufferSize()), 0)
                        .bufferSelect(buffers.groupId());
                case SINGLE_OWN -> sqe.prepRecv(Fd.raw(fd), borrow(RingNet.BUFFER_SIZE).asSlice(0, RingNet.BUFFER_SIZE), 0);
            }
        }

        /** The chunk a completion of {@code res} bytes names: a provided buffer's, or the op's own memory. */
        MemorySegment chunk(int res, int flags) {
            if ((flags & Uapi.IORING_CQE_F_BUFFER) != 0) {
                return buffers.buffer(flags >>> 16).asSlice(0, res);
            }
            return mem.asSlice(0, res);
        }

        /** Gives a completion's provided buffer back to the kernel, if it names one. */
        void recycle(int flags) {
            if ((flags & Uapi.IORING_CQE_F_BUFFER) != 0) {
                buffers.recycle(flags >>> 16);
            }
        }

        /** How many provided buffers a completion of {@code res} bytes filled: more than one only for a bundle. */
        int buffersFilled(int res, int flags) {
            if ((flags & Uapi.IORING_CQE_F_BUFFER) == 0) {
                return 0;
            }
            return res <= buffers.bufferSize() ? 1 : (int) ((res + (long) buffers.bufferSize() - 1) / buffers.bufferSize());
        }

        /** Writes the ids of the {@code count} buffers of a bundle whose first is {@code firstBid} into {@code bids}. */
        void bundleBuffers(int firstBid, int count, int[] bids) {
            for (int i = 0; i < count; i++) {
                bids[i] = buffers.bundleBuffer(firstBid, i);
            }
        }

        /** Asks the kernel to end this receive; its remaining completions still arrive. */
        void cancelRequest() {
            cancelInKernel();
        }

        @Override
        protected Void complete(int res, int flags) {
            try {
                receiver.completion(this, res, flags);
            } catch (RuntimeException | Error e) {
                // Never out of here: a multishot op failed early would drop its later completions.
                receiver.broken(e);
            }
            return null;
        }

        @Override
        protected void abandoned(int res, int flags) {
            // Never cancelled through its future, but a buffer must not leak.
            int n = buffersFilled(res, flags);
            if (n > 1) {
                int[] bids = new int[n];
                bundleBuffers(flags >>> 16, n, bids);
                for (int bid : bids) {
                    buffers.recycle(bid);
                }
            } else {
                recycle(flags);
            }
        }
    }

    /** A receive found the provided-buffer ring empty; the caller retries into memory of its own. */
    static final IOException NO_BUFFERS = new NoBuffers();

    /** Thrown often under load and never shown to a caller: no stack trace. */
    private static final class NoBuffers extends IOException {
        private static final long serialVersionUID = 1L;

        NoBuffers() {
            super("RECV: ENOBUFS (the provided-buffer ring is empty)");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /**
     * SEND with MSG_NOSIGNAL | MSG_WAITALL ({@code io_uring_prep_send}): the kernel keeps sending
     * until all of it is out. Native memory is sent in place; heap memory is copied into loop
     * memory first, at most {@link #MAX_HEAP_SEND} bytes per op.
     *
     * <p>Made {@link #zeroCopy(RingNet)}, it is a SEND_ZC ({@code io_uring_prep_send_zc}): the kernel
     * sends from the memory itself rather than a copy, and posts two completions, the send's
     * result (with IORING_CQE_F_MORE) and later a notification (IORING_CQE_F_NOTIF) once the
     * network stack has let go of the pages. The op holds its memory (a provided buffer, loop
     * memory, the caller's segment) until the notification, and completes its future only then;
     * the descriptor it lets go at the first completion, so a close waits for no notification.
     */
    static final class Send extends SocketOp<Integer> {
        /** A SEND_ZC, not a SEND. */
        private boolean zeroCopy;
        /** A SEND_ZC's result, from its first completion: the future completes with it at the notification. */
        private int sentRes;
        /** The net whose counters a zero-copy send adds to. */
        private RingNet counters;
        private final MemorySegment src;
        private final ByteBuffer advance;
        /** The socket buffer is known to be full: wait for room before the first attempt (IORING_RECVSEND_POLL_FIRST). */
        private final boolean pollFirst;
        private long length;
        /** Set for a send made on the loop thread: its socket submits the next one queued behind it once this one is done. */
        RingSocket ordered;
        /** A send from a provided buffer it took ({@code lentBid}): given back to the ring after the completion. */
        private RingNet.Home lentFrom;
        private int lentBid = -1;

        /** As a {@link Recv}'s: the kernel may be sending from the caller's memory in place. */
        @Override
        protected boolean cancelledOnInterrupt() {
            return true;
        }

        Send(int fd, OpGate gate, MemorySegment src, ByteBuffer advance, boolean pollFirst) {
            super("SEND", fd, gate);
            this.src = src;
            this.advance = advance;
            this.pollFirst = pollFirst;
        }

        /**
         * Sends the first {@code length} bytes of {@code pooled}, loop memory the op owns (acquired on
         * the loop thread) and gives back after its completion.
         */
        static Send ofLoopCopy(int fd, OpGate gate, MemorySegment pooled, long length) {
            Send s = new Send(fd, gate, pooled.asSlice(0, length), null, false);
            s.mem = pooled;
            return s;
        }

        /** Sends {@code data}, part of provided buffer {@code bid} of {@code home}'s ring, which it gives back after its completion. */
        static Send ofProvided(int fd, OpGate gate, MemorySegment data, RingNet.Home home, int bid) {
            Send s = new Send(fd, gate, data, null, false);
            s.lentFrom = home;
            s.lentBid = bid;
            return s;
        }

        /** Makes this a SEND_ZC (see the class comment); before submission. */
        Send zeroCopy(RingNet counters) {
            this.zeroCopy = true;
            this.counters = counters;
            return this;
        }

        /** Gives a taken provided buffer back (loop thread). */
        private void giveBack() {
            if (lentBid >= 0) {
                lentFrom.lent()[0]--;
                try {
                    lentFrom.buffers().recycle(lentBid);
                } catch (IllegalStateException closed) {
                    // the ring is gone (the net closing): nothing to give back to
                }
                lentBid = -1;
            }
        }

        @Override
        protected void prepare(Sqe sqe) {
            MemorySegment out = src;
            // Loop memory or a provided buffer (ofLoopCopy, ofProvided) is the op's own: sent in place.
            if (mem == null && lentBid < 0 && !RingSocket.inPlace(src)) {
                long n = Math.min(src.byteSize(), MAX_HEAP_SEND);
                out = borrow(n).asSlice(0, n);
                MemorySegment.copy(src, 0, out, 0, n);
            }
            length = out.byteSize();
            if (zeroCopy) {
                // REPORT_USAGE: the notification says whether the kernel copied after all (it does on loopback).
                sqe.prepSendZc(Fd.raw(fd), out, Uapi.MSG_NOSIGNAL | Uapi.MSG_WAITALL,
                        Uapi.IORING_SEND_ZC_REPORT_USAGE | (pollFirst ? Uapi.IORING_RECVSEND_POLL_FIRST : 0));
                return;
            }
            sqe.prepSend(Fd.raw(fd), out, Uapi.MSG_NOSIGNAL | Uapi.MSG_WAITALL);
            if (pollFirst) {
                sqe.ioprio(Uapi.IORING_RECVSEND_POLL_FIRST);
            }
        }

        @Override
        protected Integer complete(int res, int flags) throws IOException {
            if (zeroCopy) {
                if ((flags & Uapi.IORING_CQE_F_NOTIF) != 0) {
                    // The memory is free again; the send's result came in the completion before.
                    // IORING_NOTIF_USAGE_ZC_COPIED: the kernel copied after all (loopback, a device without scatter-gather).
                    boolean copied = (res & Uapi.IORING_NOTIF_USAGE_ZC_COPIED) != 0;
                    counters.zeroCopyNotifications.increment();
                    if (counters.stats != null) {
                        counters.stats.zeroCopyNotified(copied);
                    }
                    return result(sentRes);
                }
                if ((flags & Uapi.IORING_CQE_F_MORE) != 0) {
                    sentRes = res;
                    leaveGate(); // the request is done with the socket; only the pages are still the kernel's
                    if (ordered != null) {
                        ordered.loopSendDone(); // its bytes are queued whole: the next send may follow
                        ordered = null;
                    }
                    return null; // ignored: the future completes with the notification
                }
                // No notification follows: the request failed before it began (or the kernel has no SEND_ZC).
            }
            return result(res);
        }

        private Integer result(int res) throws IOException {
            if (res < 0) {
                throw failure(res, null);
            }
            if (res < length && gate.isClosing()) {
                throw NetErrors.asyncClosed(); // cut short by close: as the JDK, the write failed
            }
            if (advance != null) {
                advance.position(advance.position() + res);
            }
            return res;
        }

        @Override
        protected void release() {
            super.release();
            giveBack();
            if (ordered != null) {
                ordered.loopSendDone();
            }
        }

        /** Fails a send that never reached the kernel and gives back the loop memory it owns. */
        void refuse(Throwable why) {
            giveBack();
            if (mem != null && ordered != null) {
                ordered.home.loop().memory().release(mem);
                mem = null;
            }
            future().completeExceptionally(why);
        }
    }

    /** ASYNC_CANCEL of every request on a descriptor ({@code io_uring_prep_cancel_fd} with IORING_ASYNC_CANCEL_ALL). */
    static final class CancelFd extends Operation<Integer> {
        private final int fd;

        CancelFd(int fd) {
            this.fd = fd;
        }

        @Override
        protected String name() {
            return "ASYNC_CANCEL";
        }

        @Override
        protected void prepare(Sqe sqe) {
            sqe.prepCancelFd(Fd.raw(fd), Uapi.IORING_ASYNC_CANCEL_ALL);
        }

        @Override
        protected Integer complete(int res, int flags) {
            return res; // how many were cancelled, or -ENOENT if none was waiting
        }
    }

    /** CLOSE of a plain descriptor ({@code io_uring_prep_close}): a lingering close does not hold up the loop. */
    static final class Close extends Operation<Void> {
        private final int fd;

        Close(int fd) {
            this.fd = fd;
        }

        @Override
        protected String name() {
            return "CLOSE";
        }

        @Override
        protected void prepare(Sqe sqe) {
            sqe.prepClose(Fd.raw(fd));
        }

        @Override
        protected Void complete(int res, int flags) throws IOException {
            if (res < 0) {
                throw NetErrors.of("CLOSE", res, fd, null);
            }
            return null;
        }
    }

    /**
     * Multishot ACCEPT ({@code io_uring_prep_multishot_accept}): one completion per connection,
     * each handed to the server; the last one (without IORING_CQE_F_MORE) ends it.
     */
    static final class Accept extends SocketOp<Void> {
        private final RingServer server;

        Accept(RingServer server, int fd, OpGate gate) {
            super("ACCEPT", fd, gate);
            this.server = server;
        }

        @Override
        protected void prepare(Sqe sqe) {
            sqe.prepAccept(Fd.raw(fd), null, null, Uapi.SOCK_CLOEXEC).ioprio(Uapi.IORING_ACCEPT_MULTISHOT);
        }

        @Override
        protected Void complete(int res, int flags) {
            boolean more = (flags & Uapi.IORING_CQE_F_MORE) != 0;
            server.accepted(res, more, res < 0 ? failure(res, null) : null);
            return null;
        }
    }
}
