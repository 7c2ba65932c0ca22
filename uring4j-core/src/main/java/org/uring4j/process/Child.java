package org.uring4j.process;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

import org.uring4j.UringException;
import org.uring4j.fs.Backend;
import org.uring4j.runtime.Await;

/**
 * A process started by {@link Spawn#start}.
 *
 * <p>On the {@link Backend#IO_URING} backend its exit is watched by one IORING_OP_WAITID on its
 * pidfd, submitted at start: no thread waits for it, and the kernel reaps it the moment it exits,
 * so it never lingers as a zombie while its loop runs; signals go through the pidfd, so they can
 * never reach another process that was given a recycled pid. On the {@link Backend#PORTABLE}
 * backend it is a {@link Process}: the JDK's reaper thread waits for it, and only SIGTERM and
 * SIGKILL can be sent.
 *
 * <p>Closing a Child closes this process's ends of its pipes; it does not stop the child. If the
 * loop closes before the child exits, a thread of its own takes over the wait (as the JDK's
 * reaper thread does for every child): the child is still reaped and {@link #onExit()} still
 * completes, and {@link #kill()} still reaches it.
 */
public final class Child implements AutoCloseable {
    static final int SIGKILL = 9;
    static final int SIGTERM = 15;

    /** How a backend reaches the process. */
    interface Control {
        /** Sends {@code signal}; nothing once the exit has been seen. */
        void signal(int signal) throws UringException;

        /** The Child was closed. */
        void closed();
    }

    private final int pid;
    private final String command;
    private final Backend backend;
    private final ChildInput stdin;
    private final ChildOutput stdout;
    private final ChildOutput stderr;
    /** Completed by the backend's watch. */
    final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
    private Control control;

    Child(int pid, String command, Backend backend, ChildInput stdin, ChildOutput stdout, ChildOutput stderr) {
        this.pid = pid;
        this.command = command;
        this.backend = backend;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Set once, right after construction, by the backend that started it. */
    void control(Control c) {
        this.control = c;
    }

    /** Tests: watch with POLL_ADD + waitid(2), as on a kernel without IORING_OP_WAITID. */
    static void watchByPoll(boolean poll) {
        RingWatch.watchByPoll(poll);
    }

    /** The backend it was started on. */
    public Backend backend() {
        return backend;
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
     * Sends {@code signal}: through the pidfd (pidfd_send_signal(2)) on io_uring; on the portable
     * backend SIGTERM is {@link Process#destroy()} and SIGKILL {@link Process#destroyForcibly()},
     * and other signals throw UnsupportedOperationException. Does nothing once the exit has been seen.
     *
     * @throws UringException if the kernel refuses (EPERM, EINVAL for a bad signal number)
     */
    public void signal(int signal) throws UringException {
        control.signal(signal);
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
        control.closed();
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

}
