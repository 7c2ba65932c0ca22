package org.uring4j.process;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.Fd;
import org.uring4j.ring.Sqe;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.Await;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.Operation;
import org.uring4j.runtime.RuntimeClosedException;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Syscalls;

/**
 * A process started by {@link Spawn#start}. Its exit is watched by one IORING_OP_WAITID on its
 * pidfd ({@code io_uring_prep_waitid}, Linux 6.7+; on older kernels a POLL_ADD on the pidfd
 * followed by waitid(2)), submitted at start: no thread waits for it, and the kernel reaps it the
 * moment it exits, so it never lingers as a zombie while its loop runs. Signals go through the
 * pidfd, so they can never reach another process that was given a recycled pid.
 *
 * <p>Closing a Child closes this process's ends of its pipes; it does not stop the child. If the
 * loop closes before the child exits, {@link #onExit()} fails with a RuntimeClosedException and
 * nothing reaps the child any more.
 */
public final class Child implements AutoCloseable {
    private static final int SIGKILL = 9;
    private static final int SIGTERM = 15;
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
    private final ChildInput stdin;
    private final ChildOutput stdout;
    private final ChildOutput stderr;
    private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    /** The pidfd, -1 once it is closed (after the exit was seen); guarded by this. */
    private int pidfd;
    /** close() was called; guarded by this. */
    private boolean closed;

    Child(int pid, int pidfd, String command, ChildInput stdin, ChildOutput stdout, ChildOutput stderr) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.command = command;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Tests: watch with POLL_ADD + waitid(2), as on a kernel without IORING_OP_WAITID. */
    static void watchByPoll(boolean poll) {
        waitidMissing = poll;
    }

    /** Starts watching for the exit on {@code loop}. */
    void watch(EventLoop loop) {
        CompletableFuture<ExitStatus> watched;
        try {
            watched = waitidMissing ? loop.submit(new PollExitOp(this)).thenCompose(v -> reapNow())
                    : loop.submit(new WaitOp(this)).exceptionallyCompose(t -> {
                        if (isEinval(t)) {
                            waitidMissing = true;
                            return loop.submit(new PollExitOp(this)).thenCompose(v -> reapNow());
                        }
                        return CompletableFuture.failedFuture(t);
                    });
        } catch (RuntimeClosedException e) {
            watched = CompletableFuture.failedFuture(e);
        }
        watched.whenComplete((status, failure) -> {
            if (failure == null) {
                closePidfd();
                exit.complete(status);
                return;
            }
            // The exit was not seen: the child may run on. Keep the pidfd, so that kill() still
            // reaches it, until close(); fail as documented, whether the WAITID was still in the
            // loop's inbox (RuntimeClosedException) or cancelled in the kernel (ECANCELED).
            Throwable cause = failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : failure;
            if (loop.isClosed() && !(cause instanceof RuntimeClosedException)) {
                RuntimeClosedException closed = new RuntimeClosedException(
                        "exit of " + command + " (pid " + pid + ") not seen: " + loop.name() + " closed");
                closed.initCause(cause);
                cause = closed;
            }
            synchronized (this) {
                if (this.closed) {
                    closePidfd();
                }
            }
            exit.completeExceptionally(cause);
        });
    }

    private static boolean isEinval(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.CompletionException ? t.getCause() : t;
        return c instanceof UringException u && u.errno() == Errno.EINVAL.number();
    }

    /** waitid(2) with WNOHANG, after the pidfd polled readable: the child has exited. */
    private CompletableFuture<ExitStatus> reapNow() {
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment info = a.allocate(Layouts.SIGINFO);
            int r;
            synchronized (this) {
                r = Syscalls.waitid(Uapi.P_PIDFD, pidfd, info, Uapi.WEXITED | WNOHANG);
            }
            if (r < 0) {
                return CompletableFuture.failedFuture(new UringException("waitid", -r, UringException.NO_FD, command));
            }
            return CompletableFuture.completedFuture(status(info));
        }
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

    /** The child's process id. */
    public int pid() {
        return pid;
    }

    /** The command it runs (argv[0]). */
    public String command() {
        return command;
    }

    /** The pipe to its stdin. @throws IllegalStateException if stdin was not {@link Redirect#PIPE} */
    public ChildInput stdin() {
        return piped(stdin, "stdin");
    }

    /** The pipe from its stdout. @throws IllegalStateException if stdout was not {@link Redirect#PIPE} */
    public ChildOutput stdout() {
        return piped(stdout, "stdout");
    }

    /** The pipe from its stderr. @throws IllegalStateException if stderr was not {@link Redirect#PIPE} */
    public ChildOutput stderr() {
        return piped(stderr, "stderr");
    }

    private <T> T piped(T end, String stream) {
        if (end == null) {
            throw new IllegalStateException(stream + " of " + command + " (pid " + pid + ") is not a Redirect.PIPE");
        }
        return end;
    }

    /** Completes when the child exits (a copy: cancelling it stops nothing). */
    public CompletableFuture<ExitStatus> onExit() {
        return exit.copy();
    }

    /** Waits for the exit; parks a virtual thread. */
    public ExitStatus waitFor() throws IOException {
        return Await.get(exit);
    }

    /** Whether it has not been seen to exit yet. */
    public boolean isAlive() {
        return !exit.isDone();
    }

    /**
     * Sends {@code signal} through the pidfd (pidfd_send_signal(2)). Does nothing once the exit
     * has been seen.
     *
     * @throws UringException if the kernel refuses (EPERM, EINVAL for a bad signal number)
     */
    public synchronized void signal(int signal) throws UringException {
        if (pidfd < 0) {
            return;
        }
        int r = Syscalls.pidfdSendSignal(pidfd, signal);
        if (r < 0 && r != -Errno.ESRCH.number()) {
            throw new UringException("pidfd_send_signal", -r, pidfd, command, "signal " + signal + " to pid " + pid);
        }
    }

    /** SIGTERM: asks it to end. */
    public void terminate() throws UringException {
        signal(SIGTERM);
    }

    /** SIGKILL: ends it. */
    public void kill() throws UringException {
        signal(SIGKILL);
    }

    /** Closes this process's ends of the child's pipes (cancelling reads and writes in flight); the child runs on. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            closed = true;
            if (exit.isCompletedExceptionally()) {
                closePidfd(); // nothing watches it any more
            }
        }
        IOException first = null;
        for (AutoCloseable end : new AutoCloseable[] {stdin, stdout, stderr}) {
            try {
                if (end != null) {
                    end.close();
                }
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "Child[pid " + pid + ", " + command + (exit.isDone() && !exit.isCompletedExceptionally()
                ? ", " + exit.join() : "") + "]";
    }

    /** IORING_OP_WAITID on the pidfd for WEXITED ({@code io_uring_prep_waitid}): completes at the exit, having reaped it. */
    private static final class WaitOp extends Operation<ExitStatus> {
        private final Child child;
        private MemorySegment info;

        WaitOp(Child child) {
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
        private final Child child;

        PollExitOp(Child child) {
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
