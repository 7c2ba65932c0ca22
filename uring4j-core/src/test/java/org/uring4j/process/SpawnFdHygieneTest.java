package org.uring4j.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.process.ProcTestSupport.exit;
import static org.uring4j.process.ProcTestSupport.fdsOf;
import static org.uring4j.process.ProcTestSupport.get;
import static org.uring4j.process.ProcTestSupport.openFds;
import static org.uring4j.process.ProcTestSupport.state;
import static org.uring4j.process.ProcTestSupport.zombies;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.runtime.RuntimeClosedException;
import org.uring4j.runtime.UringRuntime;
import org.uring4j.sys.Syscalls;

/**
 * Descriptors and zombies: no pipe end or pidfd outlives a start, failed or not; the child holds
 * exactly its standard streams and what the steps set up; an exited child is reaped; and what is
 * left of a child whose runtime closed under it.
 */
class SpawnFdHygieneTest extends SharedRuntimeTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void warmUp() throws Exception {
        // Warm up: the classes, the loop's pool and the JVM's own lazily opened files, before any count.
        try (Child c = Spawn.command("true").stdin(Redirect.PIPE).stdout(Redirect.PIPE).stderr(Redirect.PIPE).start(rt)) {
            c.stdout().readAllBytesAsync().get(30, java.util.concurrent.TimeUnit.SECONDS);
            exit(c);
        }
        assertThrows(UringException.class, () -> Spawn.command("no-such-program-u4j").start(rt));
    }

    /** A descriptor number that is not open in this JVM. */
    private static int closedFd() throws Exception {
        Set<Integer> open = fdsOf((int) ProcessHandle.current().pid());
        int fd = 977;
        while (open.contains(fd)) {
            fd++;
        }
        return fd;
    }

    private static UringException failsToStart(Spawn s) {
        Executable start = () -> s.start(rt);
        return assertThrows(UringException.class, start, s.toString());
    }

    @Test
    void failingStartsLeakNoPipeNoPidfdAndLeaveNoZombie() throws Exception {
        Path missing = dir.resolve("missing");
        int notOpen = closedFd();
        long before = openFds();
        for (int i = 0; i < 40; i++) {
            failsToStart(Spawn.command("no-such-program-u4j").stdin(Redirect.PIPE).stdout(Redirect.PIPE).stderr(Redirect.PIPE));
            failsToStart(Spawn.command(dir.resolve("no-such-program").toString()).stdout(Redirect.PIPE));
            failsToStart(Spawn.command("true").stdin(Redirect.from(missing)).stdout(Redirect.PIPE).stderr(Redirect.PIPE));
            failsToStart(Spawn.command("true").stdout(Redirect.to(missing.resolve("x"))).stdin(Redirect.PIPE));
            failsToStart(Spawn.command("true").stdout(Redirect.PIPE).open(5, missing, StandardOpenOption.READ));
            failsToStart(Spawn.command("true").stdout(Redirect.PIPE).dup2(notOpen, 5));
            failsToStart(Spawn.command("true").stdout(Redirect.PIPE).directory(missing));
            failsToStart(Spawn.command(dir.toString()).stdout(Redirect.PIPE)); // a directory: EACCES
        }
        assertEquals(before, openFds(), "every pipe end closed after the failed starts");
        assertEquals(List.of(), zombies(), "glibc reaped each child whose setup or exec failed");
    }

    @Test
    void successfulStartsLeakNothingOnceWaitedForAndClosed() throws Exception {
        long before = openFds();
        for (int i = 0; i < 60; i++) {
            try (Child c = Spawn.command("sh", "-c", "cat; echo err >&2").stdin(Redirect.PIPE).stdout(Redirect.PIPE)
                    .stderr(Redirect.PIPE).start(rt)) {
                CompletableFuture<byte[]> out = c.stdout().readAllBytesAsync();
                CompletableFuture<byte[]> err = c.stderr().readAllBytesAsync();
                c.stdin().writeFully(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
                c.stdin().close();
                assertEquals("line " + i + "\n", ProcTestSupport.text(get(out)));
                assertEquals("err\n", ProcTestSupport.text(get(err)));
                assertTrue(exit(c).success());
                assertNull(state(c.pid()), "reaped: no /proc/" + c.pid());
            }
        }
        assertEquals(before, openFds(), "pidfds and pipe ends all closed");
        assertEquals(List.of(), zombies());
    }

    @Test
    void aChildThatIsNeverWaitedForIsStillReapedAndItsPidfdClosed() throws Exception {
        long before = openFds();
        List<Child> children = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            children.add(Spawn.command("true").start(rt)); // nobody calls waitFor
        }
        for (Child c : children) {
            exit(c); // only to know when the loop has seen it
        }
        assertEquals(before, openFds(), "the loop closed each pidfd when it saw the exit");
        for (Child c : children) {
            assertNull(state(c.pid()), "no zombie for pid " + c.pid());
        }
    }

    /** cat, in its read loop: what it holds now is what the exec left it. */
    private static Set<Integer> fdsOfCatOnceRunning(Spawn s) throws Exception {
        try (Child c = s.start(rt)) {
            c.stdin().writeFully("x\n".getBytes(StandardCharsets.UTF_8));
            byte[] two = new byte[2];
            int n = 0;
            while (n < 2) {
                int r = get(c.stdout().readAsync(two, n, 2 - n));
                assertTrue(r > 0, "cat echoed");
                n += r;
            }
            TreeSet<Integer> fds = fdsOf(c.pid());
            c.stdin().close();
            assertTrue(exit(c).success());
            return fds;
        }
    }

    @Test
    void theChildHoldsExactlyItsThreeStandardStreams() throws Exception {
        assertEquals(Set.of(0, 1, 2), fdsOfCatOnceRunning(Spawn.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE)
                .stderr(Redirect.PIPE)));
        assertEquals(Set.of(0, 1, 2), fdsOfCatOnceRunning(Spawn.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE)
                .redirectErrorStream(true)));
        assertEquals(Set.of(0, 1, 2), fdsOfCatOnceRunning(Spawn.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE)
                .stderr(Redirect.DISCARD)));
    }

    @Test
    void theChildHoldsItsStreamsAndWhatTheStepsSetUpAndNothingElse() throws Exception {
        // A descriptor of this JVM without O_CLOEXEC, numbered below the one a step sets up:
        // "every descriptor above the highest one the steps set up is closed" does not cover it.
        int leaky = ProcTestSupport.openInheritable(dir);
        assertTrue(leaky > 2);
        try {
            int high = leaky + 4;
            Set<Integer> fds = fdsOfCatOnceRunning(Spawn.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE)
                    .open(high, Path.of("/dev/null"), StandardOpenOption.READ));
            assertEquals(Set.of(0, 1, 2, high), fds, "fd " + leaky + " of the JVM must not reach the child");
        } finally {
            Syscalls.close(leaky);
        }
    }

    @Test
    void stepsMayUseAJvmDescriptorAndTheChildKeepsOnlyTheCopy() throws Exception {
        int jvmFd = ProcTestSupport.openInheritable(Path.of("/dev/null"));
        try {
            Set<Integer> fds = fdsOfCatOnceRunning(Spawn.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE)
                    .dup2(jvmFd, 3));
            // jvmFd > 3 here, so closefrom(4) does cover it.
            assertTrue(jvmFd > 3);
            assertEquals(Set.of(0, 1, 2, 3), fds);
        } finally {
            Syscalls.close(jvmFd);
        }
    }

    @Test
    void startOnAClosedRuntimeIsRefusedAndStartsNothing() throws Exception {
        UringRuntime closed = UringRuntime.open(1, new LoopOptions());
        closed.close();
        long before = openFds();
        assertThrows(RuntimeClosedException.class,
                () -> Spawn.command("true").stdin(Redirect.PIPE).stdout(Redirect.PIPE).start(closed.loop(0)));
        assertEquals(before, openFds());
        assertEquals(List.of(), zombies());
    }

    @Test
    void whenTheRuntimeClosesUnderARunningChildItsWaitIsTakenOverAndPipesFail() throws Exception {
        UringRuntime own = UringRuntime.open(1, new LoopOptions());
        Child c = Spawn.command("sh", "-c", "echo ready; exec sleep 100").stdout(Redirect.PIPE).start(own);
        try {
            // The loop takes its work in order: once this read is answered, the WAITID submitted at
            // start is in the kernel, and close() must cancel it (rather than drop it from the inbox).
            byte[] ready = new byte[6];
            for (int n = 0; n < 6; ) {
                n += get(c.stdout().readAsync(ready, n, 6 - n));
            }
            CompletableFuture<Integer> read = c.stdout().readAsync(new byte[16], 0, 16);
            own.close();
            assertThrows(ExecutionException.class, () -> get(read), "the pending read failed with its loop");
            assertAlive(c.pid(), "the child itself runs on");
            assertFalse(c.onExit().isDone(), "its exit is still awaited, not failed");
            c.terminate();
            assertEquals(new ExitStatus(15, true, false), get(c.onExit()));
            assertNull(state(c.pid()), "reaped by the thread that took over: no zombie");
        } finally {
            ProcTestSupport.killAndReap(c.pid());
        }
    }

    @Test
    void anExitAfterTheRuntimeClosedIsStillReaped() throws Exception {
        UringRuntime own = UringRuntime.open(1, new LoopOptions());
        Child c = Spawn.command("sleep", "100").start(own);
        try {
            own.close();
            // Killed from outside the library: the exit is still seen and the zombie reaped.
            ProcessHandle.of(c.pid()).orElseThrow().destroyForcibly();
            assertEquals(new ExitStatus(9, true, false), get(c.onExit()));
            assertNull(state(c.pid()));
            assertFalse(zombies().contains(c.pid()));
            c.kill(); // after the exit: nothing, and never another process
        } finally {
            ProcTestSupport.killAndReap(c.pid());
        }
    }

    @Test
    void errnoOfEachFailingStartIsTheRightOne() throws Exception {
        Path missing = dir.resolve("missing");
        assertEquals(Errno.ENOENT.number(), failsToStart(Spawn.command("true").stdin(Redirect.from(missing))).errno());
        assertEquals(Errno.ENOENT.number(), failsToStart(Spawn.command("true").directory(missing)).errno());
        assertEquals(Errno.EBADF.number(), failsToStart(Spawn.command("true").dup2(closedFd(), 4)).errno());
        assertEquals(Errno.EACCES.number(), failsToStart(Spawn.command(dir.toString())).errno());
        Path notExec = Files.writeString(dir.resolve("script"), "echo hi\n");
        assertEquals(Errno.EACCES.number(), failsToStart(Spawn.command(notExec.toString())).errno());
    }

    /** Running, sleeping or in an uninterruptible wait (a child just started may still be exec'ing): not gone, not a zombie. */
    private static void assertAlive(int pid, String why) throws Exception {
        String st = state(pid);
        assertTrue(st != null && !st.equals("Z") && !st.equals("X"), why + ": state " + st);
    }
}
