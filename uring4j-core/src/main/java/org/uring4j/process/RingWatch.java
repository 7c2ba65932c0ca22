package org.uring4j.process;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.Fd;
import org.uring4j.ring.Sqe;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.Operation;
import org.uring4j.runtime.RuntimeClosedException;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Syscalls;

/**
 * How the io_uring backend reaches a child: its pidfd. The exit is watched by one
 * IORING_OP_WAITID on the pidfd ({@code io_uring_prep_waitid}, Linux 6.7+; on older kernels a
 * POLL_ADD on the pidfd followed by waitid(2)), submitted at start: no thread waits for it, and
 * the kernel reaps it the moment it exits. Signals go through the pidfd, so they can never reach
 * another process that was given a recycled pid.
 */
final class RingWatch implements Child.Control {
    private static final int CLD_EXITED = 1;
    private static final int CLD_DUMPED = 3;
    private static final int POLLIN = 0x1;
    private static final int WNOHANG = 1;
    private static final long SI_CODE = Layouts.offsetOf(Layouts.SIGINFO, "si_code");
    private static final long SI_STATUS = Layouts.offsetOf(Layouts.SIGINFO, "si_status");
    /** Set once a WAITID came back EINVAL: this kernel predates the op (6.7), watch with POLL_ADD. */
    private static volatile boolean waitidMissing;

    private final int pid;
    private final String command;
    /** The pidfd, -1 once it is closed; guarded by this. */
    private int pidfd;
    /** Child.close() was called; guarded by this. */
    private boolean closed;
    /** The exit was seen, or can no longer be; guarded by this. */
    private boolean watchEnded;

    RingWatch(int pid, int pidfd, String command) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.command = command;
    }

    /** Tests: watch with POLL_ADD + waitid(2), as on a kernel without IORING_OP_WAITID. */
    static void watchByPoll(boolean poll) {
        waitidMissing = poll;
    }

    /** Starts watching for the exit on {@code loop}; completes {@code exit}. */
    void watch(EventLoop loop, CompletableFuture<ExitStatus> exit) {
        CompletableFuture<ExitStatus> watched;
        try {
            watched = waitidMissing ? loop.submit(new PollExitOp(this)).thenCompose(v -> reap(WNOHANG))
                    : loop.submit(new WaitOp(this)).exceptionallyCompose(t -> {
                        if (isEinval(t)) {
                            waitidMissing = true;
                            return loop.submit(new PollExitOp(this)).thenCompose(v -> reap(WNOHANG));
                        }
                        return CompletableFuture.failedFuture(t);
                    });
        } catch (RuntimeClosedException e) {
            watched = CompletableFuture.failedFuture(e);
        }
        watched.whenComplete((status, failure) -> {
            if (failure == null) {
                synchronized (this) {
                    watchEnded = true;
                    closePidfd();
                }
                exit.complete(status);
                return;
            }
            Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
            if (loop.isClosed()) {
                // The loop closed under a running child (its WAITID cancelled in the kernel, or never
                // submitted): a thread of its own waits for the exit instead, as the JDK's reaper
                // would, so the child is still reaped and onExit still completes.
                Thread.ofPlatform().daemon().name("uring4j-reaper-" + pid).start(() -> reapBlocking(exit));
                return;
            }
            synchronized (this) {
                watchEnded = true;
                if (closed) {
                    closePidfd();
                }
            }
            exit.completeExceptionally(cause);
        });
    }

    private static boolean isEinval(Throwable t) {
        Throwable c = t instanceof CompletionException ? t.getCause() : t;
        return c instanceof UringException u && u.errno() == Errno.EINVAL.number();
    }

    /**
     * waitid(2) on the pidfd for WEXITED and {@code options}, retried on EINTR: with WNOHANG after
     * the pidfd polled readable (the child has exited), or blocking a reaper thread. The pidfd is
     * not closed under it: closed() leaves it open until the watch has ended.
     */
    private CompletableFuture<ExitStatus> reap(int options) {
        int fd;
        synchronized (this) {
            fd = pidfd;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(Layouts.SIGINFO);
            int r;
            do {
                r = Syscalls.waitid(Uapi.P_PIDFD, fd, info, Uapi.WEXITED | options);
            } while (r == -Errno.EINTR.number());
            if (r < 0) {
                return CompletableFuture.failedFuture(new UringException("waitid", -r, UringException.NO_FD, command,
                        "pid " + pid));
            }
            return CompletableFuture.completedFuture(status(info));
        }
    }

    /** The wait of a child whose loop closed, on a thread of its own: reaps it, ends the watch, completes {@code exit}. */
    private void reapBlocking(CompletableFuture<ExitStatus> exit) {
        CompletableFuture<ExitStatus> reaped = reap(0);
        synchronized (this) {
            watchEnded = true;
            closePidfd();
        }
        reaped.whenComplete((status, failure) -> {
            if (failure != null) {
                exit.completeExceptionally(failure);
            } else {
                exit.complete(status);
            }
        });
    }

    static ExitStatus status(MemorySegment info) {
        int code = info.get(JAVA_INT, SI_CODE);
        int status = info.get(JAVA_INT, SI_STATUS);
        return code == CLD_EXITED ? new ExitStatus(status, false, false) : new ExitStatus(status, true, code == CLD_DUMPED);
    }

    private synchronized void closePidfd() {
        if (pidfd >= 0) {
            Syscalls.close(pidfd);
            pidfd = -1;
        }
    }

    /** pidfd_send_signal(2); nothing once the exit has been seen. */
    @Override
    public synchronized void signal(int signal) throws UringException {
        if (pidfd < 0) {
            return;
        }
        int r = Syscalls.pidfdSendSignal(pidfd, signal);
        if (r < 0 && r != -Errno.ESRCH.number()) {
            throw new UringException("pidfd_send_signal", -r, pidfd, command, "signal " + signal + " to pid " + pid);
        }
    }

    /** The child's close(): the pidfd goes too if nothing watches it any more. */
    @Override
    public synchronized void closed() {
        closed = true;
        if (watchEnded) {
            closePidfd();
        }
    }

    /** IORING_OP_WAITID on the pidfd for WEXITED ({@code io_uring_prep_waitid}): completes at the exit, having reaped it. */
    private static final class WaitOp extends Operation<ExitStatus> {
        private final RingWatch child;
        private MemorySegment info;

        WaitOp(RingWatch child) {
            this.child = child;
        }

        @Override
        protected String name() {
            return "WAITID";
        }

        @Override
        protected void prepare(Sqe sqe) {
            info = loop().memory().acquire(Layouts.SIGINFO.byteSize());
            info.asSlice(0, Layouts.SIGINFO.byteSize()).fill((byte) 0);
            sqe.prepWaitid(Uapi.P_PIDFD, child.pidfd, info.asSlice(0, Layouts.SIGINFO.byteSize()), Uapi.WEXITED, 0);
        }

        @Override
        protected ExitStatus complete(int res, int flags) throws UringException {
            if (res < 0) {
                throw new UringException(name(), -res, UringException.NO_FD, child.command, "pid " + child.pid);
            }
            return status(info);
        }

        @Override
        protected void release() {
            if (info != null && loop().inLoop()) {
                loop().memory().release(info);
            }
            info = null;
        }
    }

    /** POLL_ADD on the pidfd: it turns readable when the process exits (Linux 5.3+). */
    private static final class PollExitOp extends Operation<Integer> {
        private final RingWatch child;

        PollExitOp(RingWatch child) {
            this.child = child;
        }

        @Override
        protected String name() {
            return "POLL_ADD";
        }

        @Override
        protected void prepare(Sqe sqe) {
            sqe.prepPollAdd(Fd.raw(child.pidfd), POLLIN, 0);
        }

        @Override
        protected Integer complete(int res, int flags) throws UringException {
            if (res < 0) {
                throw new UringException(name(), -res, child.pidfd, child.command, "pid " + child.pid);
            }
            return res;
        }
    }
}
