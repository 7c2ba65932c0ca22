package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.uring4j.ring.QueueTestSupport.assertCqe;
import static org.uring4j.ring.QueueTestSupport.assertNothingCompletes;
import static org.uring4j.ring.QueueTestSupport.await;
import static org.uring4j.ring.QueueTestSupport.awaitAll;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.uring4j.Errno;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Syscalls;

/**
 * WAITID (6.7+): wait for a child's exit, stop or continue through the ring; the semantics of
 * liburing's waitid.c.
 *
 * <p>The JVM reaps every child it starts: a "process reaper" thread sits in {@code waitpid(pid)}
 * for it. Our waits use WNOWAIT, so they never take the JVM's exit status away from it (and
 * {@link Process#waitFor()} still reports it), but nothing stops the reaper from reaping a child
 * before our WAITID's completion work runs, which then sees no child (-ECHILD). Stops and
 * continues are not reaped (the JVM waits without WUNTRACED/WCONTINUED), so those tests are
 * deterministic; the exit-status tests retry with a fresh child until the ring sees the exit first
 * (it wins roughly a third of the races on a 2-core machine).
 */
class WaitidTest {
    private static final int SIGCHLD = 17;
    private static final int SIGCONT = 18;
    private static final int SIGSTOP = 19;
    private static final int CLD_EXITED = 1;
    private static final int CLD_STOPPED = 5;
    private static final int CLD_CONTINUED = 6;
    private static final int ECHILD = -Errno.ECHILD.number();
    /** Attempts at beating the JVM's reaper; each loses with probability well under 1. */
    private static final int ATTEMPTS = 60;

    private static final long SI_SIGNO = Layouts.offsetOf(Layouts.SIGINFO, "si_signo");
    private static final long SI_CODE = Layouts.offsetOf(Layouts.SIGINFO, "si_code");
    private static final long SI_PID = Layouts.offsetOf(Layouts.SIGINFO, "si_pid");
    private static final long SI_STATUS = Layouts.offsetOf(Layouts.SIGINFO, "si_status");

    private Process child;

    @BeforeEach
    void needsWaitid() {
        KernelAssumptions.assumeOp(Opcode.WAITID);
    }

    @AfterEach
    void reapChild() throws Exception {
        if (child != null) {
            child.getOutputStream().close();
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS), "child did not end");
        }
    }

    /** A shell that runs {@code script}; "read x" in it blocks until its stdin is closed. */
    private Process start(String script) throws IOException {
        child = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        return child;
    }

    /** The exit code, waiting at most {@link QueueTestSupport#WAIT}. */
    private static int exitCode(Process p) throws InterruptedException {
        assertTrue(p.waitFor(QueueTestSupport.WAIT.toSeconds(), TimeUnit.SECONDS), "process " + p.pid() + " did not end");
        return p.exitValue();
    }

    private static void assertSiginfo(MemorySegment si, int code, long pid, int status) {
        assertEquals(SIGCHLD, si.get(JAVA_INT, SI_SIGNO), "si_signo");
        assertEquals(code, si.get(JAVA_INT, SI_CODE), "si_code");
        assertEquals(pid, si.get(JAVA_INT, SI_PID), "si_pid");
        assertEquals(status, si.get(JAVA_INT, SI_STATUS), "si_status");
    }

    /**
     * Runs one WAITID for the exit of {@code p}, named by {@code idtype}/{@code id}; true if
     * the ring saw the exit (asserting status 7), false if the JVM's reaper took the child first.
     */
    private boolean waitForExit(Process p, int idtype, int id) throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            MemorySegment si = arena.allocate(Layouts.SIGINFO);
            ring.getSqe().prepWaitid(idtype, id, si, Uapi.WEXITED | Uapi.WNOWAIT, 0).userData(1);
            assertEquals(1, ring.submit());
            assertNothingCompletes(ring);          // blocked in "read x"
            p.getOutputStream().close();           // now it exits with 7
            Cqe cqe = await(ring);
            assertEquals(1, cqe.userData());
            if (cqe.res() == ECHILD) {
                return false;
            }
            assertEquals(0, cqe.res(), "WAITID result " + cqe);
            assertSiginfo(si, CLD_EXITED, p.pid(), 7);
            return true;
        } finally {
            assertEquals(7, exitCode(p), "the JVM still gets the exit status (WNOWAIT left it)");
        }
    }

    @Test
    void waitidReportsAChildsExitStatus() throws Exception {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Process p = start("read x; exit 7");
            if (waitForExit(p, Uapi.P_PID, (int) p.pid())) {
                return;
            }
        }
        assumeTrue(false, "the JVM's process reaper took the child before the ring's WAITID in all "
                + ATTEMPTS + " attempts");
    }

    @Test
    void waitidThroughAPidfd() throws Exception {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Process p = start("read x; exit 7");
            int pidfd = Syscalls.pidfdOpen((int) p.pid(), 0);
            assumeTrue(pidfd >= 0, "pidfd_open failed: " + Errno.name(-pidfd));
            try {
                if (waitForExit(p, Uapi.P_PIDFD, pidfd)) {
                    return;
                }
            } finally {
                Syscalls.close(pidfd);
            }
        }
        assumeTrue(false, "the JVM's process reaper won every race");
    }

    @Test
    void waitidSeesAStopAndAContinue() throws Exception {
        Process p = start("kill -STOP $$; read x; exit 7");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            MemorySegment si = arena.allocate(Layouts.SIGINFO);
            ring.getSqe().prepWaitid(Uapi.P_PID, (int) p.pid(), si, Uapi.WSTOPPED | Uapi.WNOWAIT, 0).userData(1);
            assertEquals(1, ring.submit());
            assertCqe(1, 0, await(ring));
            assertSiginfo(si, CLD_STOPPED, p.pid(), SIGSTOP);

            si.fill((byte) 0);
            ring.getSqe().prepWaitid(Uapi.P_PID, (int) p.pid(), si, Uapi.WCONTINUED | Uapi.WNOWAIT, 0).userData(2);
            assertEquals(1, ring.submit());
            assertNothingCompletes(ring);     // still stopped
            Process kill = new ProcessBuilder("sh", "-c", "kill -CONT " + p.pid()).start();
            assertEquals(0, exitCode(kill));
            assertCqe(2, 0, await(ring));
            assertSiginfo(si, CLD_CONTINUED, p.pid(), SIGCONT);
        }
        p.getOutputStream().close();
        assertEquals(7, exitCode(p));
    }

    @Test
    void waitidWithWnohangOnARunningChildCompletesAtOnceWithNoPid() throws Exception {
        Process p = start("read x; exit 7");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            MemorySegment si = arena.allocate(Layouts.SIGINFO);
            si.set(JAVA_INT, SI_PID, -1);
            ring.getSqe().prepWaitid(Uapi.P_PID, (int) p.pid(), si, Uapi.WEXITED | Uapi.WNOHANG, 0).userData(1);
            assertEquals(1, ring.submit());
            assertCqe(1, 0, await(ring));
            assertEquals(0, si.get(JAVA_INT, SI_PID), "no child changed state: si_pid is 0");
        }
        p.getOutputStream().close();
        assertEquals(7, exitCode(p));
    }

    @Test
    void waitidWithoutSiginfoStillWaits() throws Exception {
        Process p = start("kill -STOP $$; read x; exit 7");
        try (Ring ring = Ring.open(4)) {
            ring.getSqe().prepWaitid(Uapi.P_PID, (int) p.pid(), null, Uapi.WSTOPPED | Uapi.WNOWAIT, 0).userData(1);
            assertEquals(1, ring.submit());
            assertCqe(1, 0, await(ring));
        }
        assertEquals(0, exitCode(new ProcessBuilder("sh", "-c", "kill -CONT " + p.pid()).start()));
        p.getOutputStream().close();
        assertEquals(7, exitCode(p));
    }

    @Test
    void waitidForAProcessThatIsNotOurChildIsEchild() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            // pid 1 is never a child of this process.
            ring.getSqe().prepWaitid(Uapi.P_PID, 1, arena.allocate(Layouts.SIGINFO), Uapi.WEXITED, 0).userData(1);
            assertEquals(1, ring.submit());
            assertCqe(1, ECHILD, await(ring));
        }
    }

    @Test
    void waitidWithoutAnyStateToWaitForIsEinval() throws Exception {
        Process p = start("read x; exit 7");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            ring.getSqe().prepWaitid(Uapi.P_PID, (int) p.pid(), arena.allocate(Layouts.SIGINFO), 0, 0).userData(1);
            assertEquals(1, ring.submit());
            assertCqe(1, -Errno.EINVAL.number(), await(ring));
        }
        p.getOutputStream().close();
        assertEquals(7, exitCode(p));
    }

    @Test
    void pendingWaitidIsCancellable() throws Exception {
        Process p = start("read x; exit 7");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            MemorySegment si = arena.allocate(Layouts.SIGINFO);
            ring.getSqe().prepWaitid(Uapi.P_PID, (int) p.pid(), si, Uapi.WEXITED | Uapi.WNOWAIT, 0).userData(1);
            assertEquals(1, ring.submit());
            assertNothingCompletes(ring);
            ring.getSqe().prepCancel(1, 0).userData(2);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(-Errno.ECANCELED.number(), cqes.get(1L).res());
            int cancel = cqes.get(2L).res();
            // Like futex, waitid cancellation reports how many it cancelled (1), not 0.
            if (cancel != 0 && cancel != 1) {
                fail("cancel result " + cancel);
            }
        }
        p.getOutputStream().close();
        assertEquals(7, exitCode(p));
    }
}
