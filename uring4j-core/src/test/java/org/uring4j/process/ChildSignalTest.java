package org.uring4j.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.process.ProcTestSupport.exit;
import static org.uring4j.process.ProcTestSupport.get;
import static org.uring4j.process.ProcTestSupport.openFds;
import static org.uring4j.process.ProcTestSupport.stat;
import static org.uring4j.process.ProcTestSupport.state;
import static org.uring4j.process.ProcTestSupport.text;
import static org.uring4j.process.ProcTestSupport.zombies;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.uring4j.Errno;
import org.uring4j.UringException;

/** Signals through the pidfd, sessions, the child's signal state, and the POLL_ADD+waitid fallback under load. */
class ChildSignalTest extends SharedRuntimeTest {


    @AfterEach
    void watchWithWaitidAgain() {
        Child.watchByPoll(false);
    }

    /** A shell that says "ready" once its traps are set, so the signal cannot beat them. */
    private static Child readyShell(String script) throws Exception {
        Child c = Spawn.command("sh", "-c", script + "; echo ready; while :; do sleep 0.05; done").stdout(Redirect.PIPE)
                .start(rt);
        byte[] ready = new byte[6];
        int n = 0;
        while (n < 6) {
            int r = get(c.stdout().readAsync(ready, n, 6 - n));
            assertTrue(r > 0, "the shell said ready");
            n += r;
        }
        assertEquals("ready\n", text(ready));
        return c;
    }

    @Test
    void terminateKillAndAnySignalNumber() throws Exception {
        Child t = Spawn.command("sleep", "100").start(rt);
        t.terminate();
        assertEquals(new ExitStatus(15, true, false), exit(t));
        assertEquals(143, exit(t).exitValue());

        Child k = Spawn.command("sleep", "100").start(rt);
        k.kill();
        assertEquals(new ExitStatus(9, true, false), exit(k));

        Child u = Spawn.command("sleep", "100").start(rt);
        u.signal(10); // SIGUSR1: default action terminates
        assertEquals(new ExitStatus(10, true, false), exit(u));

        Child rt34 = Spawn.command("sleep", "100").start(rt);
        rt34.signal(34); // SIGRTMIN as the kernel numbers it
        assertEquals(new ExitStatus(34, true, false), exit(rt34));
    }

    @Test
    void signalZeroProbesWithoutHarm() throws Exception {
        Child c = Spawn.command("sleep", "100").start(rt);
        c.signal(0);
        assertTrue(c.isAlive());
        String st = state(c.pid());
        assertTrue(st != null && !st.equals("Z"), "still running: " + st);
        c.kill();
        exit(c);
    }

    @Test
    void aBadSignalNumberIsEinvalNamingTheSignalAndThePid() throws Exception {
        Child c = Spawn.command("sleep", "100").start(rt);
        try {
            for (int bad : new int[] {-1, 65, 1000, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
                UringException e = assertThrows(UringException.class, () -> c.signal(bad));
                assertEquals(Errno.EINVAL.number(), e.errno(), e.getMessage());
                assertTrue(e.getMessage().contains("signal " + bad) && e.getMessage().contains("pid " + c.pid()),
                        e.getMessage());
            }
            assertTrue(c.isAlive(), "a refused signal changed nothing");
        } finally {
            c.kill();
            exit(c);
        }
    }

    @Test
    void signalsAfterTheExitAreNoOpsEvenBadOnes() throws Exception {
        Child c = Spawn.command("true").start(rt);
        assertTrue(exit(c).success());
        c.kill();
        c.terminate();
        c.signal(15);
        c.signal(65); // nothing is sent after the exit, so nothing can be refused
        assertFalse(c.isAlive());
    }

    @Test
    void aSignalRacingTheExitIsHarmless() throws Exception {
        // Sent while the child may be exiting, exited but not yet seen, or reaped: ESRCH is swallowed.
        for (int i = 0; i < 100; i++) {
            Child c = Spawn.command("true").start(rt);
            c.kill();
            ExitStatus s = exit(c);
            assertTrue(s.success() || s.equals(new ExitStatus(9, true, false)), s.toString());
            c.kill();
        }
        assertEquals(List.of(), zombies());
    }

    @Test
    void aChildThatIgnoresSigtermSurvivesTerminateButNotKill() throws Exception {
        Child c = readyShell("trap '' TERM");
        try {
            c.terminate();
            c.terminate();
            // Not a timing assertion: the signal is delivered synchronously to a sleeping task, and
            // a shell that took it would already be dying; check it is still in its loop.
            c.signal(0);
            assertTrue(c.isAlive());
            assertNotEquals("Z", state(c.pid()));
            c.kill();
            assertEquals(new ExitStatus(9, true, false), exit(c));
        } finally {
            c.close();
        }
    }

    @Test
    void aChildThatHandlesSigtermExitsWithItsOwnCode() throws Exception {
        try (Child c = readyShell("trap 'exit 42' TERM")) {
            c.terminate();
            assertEquals(new ExitStatus(42, false, false), exit(c));
        }
    }

    @Test
    void signalDispositionsAndMaskAreResetInTheChild() throws Exception {
        // cat exec'd directly, no shell in between: /proc/self/status is what posix_spawn left.
        try (Child c = Spawn.command("cat", "/proc/self/status").stdout(Redirect.PIPE).start(rt)) {
            String status = text(get(c.stdout().readAllBytesAsync()));
            assertTrue(exit(c).success());
            assertEquals("0000000000000000", ProcTestSupport.status(status, "SigBlk"), "an empty mask");
            assertEquals("0000000000000000", ProcTestSupport.status(status, "SigIgn"), "nothing ignored");
        }
    }

    @Test
    void newSessionGivesTheChildItsOwnSessionAndGroup() throws Exception {
        String[] ours = stat((int) ProcessHandle.current().pid());
        Child plain = Spawn.command("sleep", "100").start(rt);
        Child leader = Spawn.command("sleep", "100").newSession().start(rt);
        try {
            String[] p = stat(plain.pid());
            assertEquals(ours[3], p[3], "without newSession: this JVM's session");
            assertEquals(ours[2], p[2], "and its process group");
            String[] l = stat(leader.pid());
            assertEquals(Integer.toString(leader.pid()), l[3], "session id = its pid");
            assertEquals(Integer.toString(leader.pid()), l[2], "process group id = its pid");
            assertEquals("0", l[4], "no controlling terminal");
        } finally {
            plain.kill();
            leader.kill();
            exit(plain);
            exit(leader);
        }
    }

    @Test
    void theWaitidFallbackUnderLoad() throws Exception {
        Child.watchByPoll(true);
        long before = openFds();
        Random random = new Random(1);
        List<Child> children = new ArrayList<>();
        List<ExitStatus> expected = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            int kind = random.nextInt(3);
            if (kind == 0) {
                int code = random.nextInt(256);
                children.add(Spawn.command("sh", "-c", "exit " + code).start(rt));
                expected.add(new ExitStatus(code, false, false));
            } else {
                Child c = Spawn.command("sleep", "100").start(rt);
                if (kind == 1) {
                    c.kill();
                    expected.add(new ExitStatus(9, true, false));
                } else {
                    c.terminate();
                    expected.add(new ExitStatus(15, true, false));
                }
                children.add(c);
            }
        }
        for (int i = 0; i < children.size(); i++) {
            assertEquals(expected.get(i), exit(children.get(i)), "child " + i + ", pid " + children.get(i).pid());
            assertNull(state(children.get(i).pid()), "reaped");
        }
        assertEquals(before, openFds());
        assertEquals(List.of(), zombies());
    }

    @Test
    void theWaitidFallbackWithPipesAndManyLoops() throws Exception {
        Child.watchByPoll(true);
        List<Child> children = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            children.add(Spawn.command("sh", "-c", "echo $0; exit $0", Integer.toString(i)).stdout(Redirect.PIPE).start(rt));
        }
        for (int i = 0; i < children.size(); i++) {
            try (Child c = children.get(i)) {
                assertEquals(i + "\n", new String(get(c.stdout().readAllBytesAsync()), StandardCharsets.UTF_8));
                assertEquals(new ExitStatus(i, false, false), exit(c));
            }
        }
    }

    @Test
    void aCoreDumpingSignalIsReportedAsSignaled() throws Exception {
        // SIGQUIT's default action dumps core; whether a core is written depends on RLIMIT_CORE and
        // core_pattern, so only the signal is asserted.
        Child c = Spawn.command("sh", "-c", "ulimit -c 0; exec sleep 100").start(rt);
        // Wait until the exec: sleep replaced sh.
        for (int i = 0; i < 500 && !Files.readString(Path.of("/proc/" + c.pid() + "/comm")).trim().equals("sleep"); i++) {
            Thread.sleep(10);
        }
        c.signal(3);
        ExitStatus s = exit(c);
        assertTrue(s.signaled(), s.toString());
        assertEquals(3, s.code());
        assertEquals(131, s.exitValue());
    }
}
