package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.PosixSpawn;
import org.uring4j.sys.Syscalls;

/**
 * WAITID on a child the JVM knows nothing of (started with posix_spawn, not ProcessBuilder): no
 * reaper thread races the ring for it, so WAITID without WNOWAIT reaps it, deterministically —
 * the exit-status cases WaitidTest can only try to win against the JVM's reaper.
 */
class WaitidOwnChildTest {
    private static final long SI_CODE = Layouts.offsetOf(Layouts.SIGINFO, "si_code");
    private static final long SI_PID = Layouts.offsetOf(Layouts.SIGINFO, "si_pid");
    private static final long SI_STATUS = Layouts.offsetOf(Layouts.SIGINFO, "si_status");
    private static final int CLD_EXITED = 1;

    @BeforeEach
    void needsWaitid() {
        KernelAssumptions.assumeOp(Opcode.WAITID);
    }

    /** {@code sh -c script} started with posix_spawnp: its pid. */
    private static int spawn(Arena a, String script) {
        MemorySegment argv = a.allocate(ADDRESS, 4);
        argv.setAtIndex(ADDRESS, 0, a.allocateFrom("sh"));
        argv.setAtIndex(ADDRESS, 1, a.allocateFrom("-c"));
        argv.setAtIndex(ADDRESS, 2, a.allocateFrom(script));
        argv.setAtIndex(ADDRESS, 3, MemorySegment.NULL);
        MemorySegment pid = a.allocate(JAVA_INT);
        int err = PosixSpawn.spawn(true, pid, a.allocateFrom("sh"), MemorySegment.NULL, MemorySegment.NULL, argv,
                PosixSpawn.environ());
        assertEquals(0, err, "posix_spawnp");
        return pid.get(JAVA_INT, 0);
    }

    /** One WAITID for WEXITED (reaping) of the child named by idtype/id; the siginfo. */
    private static MemorySegment waitExit(Arena a, int idtype, int id) throws Exception {
        try (Ring ring = Ring.open(4)) {
            MemorySegment si = a.allocate(Layouts.SIGINFO);
            ring.getSqe().prepWaitid(idtype, id, si, Uapi.WEXITED, 0).userData(9);
            ring.submit();
            Cqe cqe = ring.waitCqe(QueueTestSupport.WAIT);
            assertNotNull(cqe, "the child's exit completes the WAITID");
            assertEquals(9, cqe.userData());
            assertEquals(0, cqe.res(), "WAITID " + cqe);
            return si;
        }
    }

    @Test
    void waitidByPidReapsTheChildWithItsStatus() throws Exception {
        try (Arena a = Arena.ofConfined()) {
            int pid = spawn(a, "exit 7");
            MemorySegment si = waitExit(a, Uapi.P_PID, pid);
            assertEquals(CLD_EXITED, si.get(JAVA_INT, SI_CODE));
            assertEquals(pid, si.get(JAVA_INT, SI_PID));
            assertEquals(7, si.get(JAVA_INT, SI_STATUS));
            assertFalse(Files.exists(Path.of("/proc/" + pid)), "reaped: no zombie");
        }
    }

    @Test
    void waitidByPidfdReapsTheChildWithItsStatus() throws Exception {
        try (Arena a = Arena.ofConfined()) {
            int pid = spawn(a, "exit 3");
            int pidfd = Syscalls.pidfdOpen(pid, 0);
            assertTrue(pidfd >= 0, "pidfd_open");
            try {
                MemorySegment si = waitExit(a, Uapi.P_PIDFD, pidfd);
                assertEquals(CLD_EXITED, si.get(JAVA_INT, SI_CODE));
                assertEquals(3, si.get(JAVA_INT, SI_STATUS));
            } finally {
                Syscalls.close(pidfd);
            }
            assertFalse(Files.exists(Path.of("/proc/" + pid)), "reaped: no zombie");
        }
    }
}
