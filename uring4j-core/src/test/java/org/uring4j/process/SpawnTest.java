package org.uring4j.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.Uapi;
import org.uring4j.sys.Syscalls;

/** Launching processes: steps, exec with $PATH search, exit through WAITID, pipes through the ring. */
class SpawnTest extends SharedRuntimeTest {


    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void echoFoundInPathWritesToAPipeAndExitsZero() throws Exception {
        try (Child c = Spawn.command("echo", "hello", "world").stdout(Redirect.PIPE).start(rt)) {
            assertEquals("hello world\n", text(c.stdout().readAllBytes()));
            ExitStatus s = c.waitFor();
            assertTrue(s.success(), s.toString());
            assertFalse(c.isAlive());
            assertFalse(Files.exists(Path.of("/proc/" + c.pid())), "reaped: no zombie left");
        }
    }

    @Test
    void exitCodeAndSignalAreReported() throws Exception {
        assertEquals(new ExitStatus(3, false, false), Spawn.command("sh", "-c", "exit 3").start(rt).waitFor());
        Child sleeper = Spawn.command("sleep", "100").start(rt);
        assertTrue(sleeper.isAlive());
        sleeper.kill();
        ExitStatus s = sleeper.waitFor();
        assertTrue(s.signaled(), s.toString());
        assertEquals(9, s.code());
        assertEquals(137, s.exitValue());
        sleeper.kill(); // after the exit: nothing to do, and never another process
    }

    @Test
    void aMissingProgramIsENOENTNamingIt() {
        UringException e = assertThrows(UringException.class, () -> Spawn.command("no-such-program-u4j").start(rt));
        assertEquals(Errno.ENOENT.number(), e.errno());
        assertTrue(e.getMessage().contains("no-such-program-u4j"), e.getMessage());
        UringException abs = assertThrows(UringException.class, () -> Spawn.command("/nonexistent/bin/x").start(rt));
        assertEquals(Errno.ENOENT.number(), abs.errno());
    }

    @Test
    void catEchoesStdinUntilItIsClosed() throws Exception {
        byte[] data = new byte[300_000]; // more than a pipe holds: the writes and reads must interleave
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        try (Child cat = Spawn.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE).start(rt)) {
            CompletableFuture<byte[]> out = cat.stdout().readAllBytesAsync();
            cat.stdin().writeFully(data);
            cat.stdin().close();
            assertArrayEquals(data, out.get(30, TimeUnit.SECONDS));
            assertTrue(cat.waitFor().success());
        }
    }

    @Test
    void directoryEnvironmentAndMergedStderr(@TempDir Path dir) throws Exception {
        Spawn spawn = Spawn.command("sh", "-c", "pwd; echo $U4J_VAR; echo oops >&2").directory(dir)
                .stdout(Redirect.PIPE).redirectErrorStream(true);
        spawn.environment().put("U4J_VAR", "from-java");
        try (Child c = spawn.start(rt)) {
            assertEquals(dir.toRealPath() + "\nfrom-java\noops\n", text(c.stdout().readAllBytes()));
            assertTrue(c.waitFor().success());
        }
    }

    @Test
    void fileRedirectsAndSteps(@TempDir Path dir) throws Exception {
        Path in = Files.writeString(dir.resolve("in"), "input line\n");
        Path out = dir.resolve("out");
        Path log = Files.writeString(dir.resolve("log"), "old\n");
        Path side = dir.resolve("side");
        Child c = Spawn.command("sh", "-c", "cat; echo appended >&2; echo fd5 >&5")
                .stdin(Redirect.from(in)).stdout(Redirect.to(out)).stderr(Redirect.appendTo(log))
                .open(5, side, StandardOpenOption.WRITE, StandardOpenOption.CREATE).start(rt);
        assertTrue(c.waitFor().success());
        assertEquals("input line\n", Files.readString(out));
        assertEquals("old\nappended\n", Files.readString(log));
        assertEquals("fd5\n", Files.readString(side));
        assertThrows(IllegalStateException.class, c::stdout, "stdout went to a file, not a pipe");
    }

    @Test
    void dupAndCloseSteps() throws Exception {
        // dup2(1, 7) then close(1): the echo to stdout fails, the one to fd 7 reaches the pipe.
        try (Child c = Spawn.command("sh", "-c", "echo lost 2>/dev/null; echo kept >&7").stdout(Redirect.PIPE)
                .dup2(1, 7).close(1).start(rt)) {
            assertEquals("kept\n", text(c.stdout().readAllBytes()));
            c.waitFor();
        }
    }

    @Test
    void theChildInheritsNoOtherDescriptorOfThisJvm(@TempDir Path dir) throws Exception {
        int leaky;
        try (Arena a = Arena.ofConfined()) {
            leaky = Syscalls.openat(Uapi.AT_FDCWD, a.allocateFrom(dir.toString()), Uapi.O_RDONLY, 0); // no O_CLOEXEC
        }
        assertTrue(leaky > 2);
        try (Child c = Spawn.command("ls", "/proc/self/fd").stdout(Redirect.PIPE).start(rt)) {
            List<String> fds = text(c.stdout().readAllBytes()).lines().toList();
            c.waitFor();
            assertFalse(fds.contains(Integer.toString(leaky)), "fd " + leaky + " leaked into the child: " + fds);
        } finally {
            Syscalls.close(leaky);
        }
    }

    @Test
    void manyChildrenAtOnceNeedNoThreadEach() throws Exception {
        long fdsBefore = openFds();
        int threadsBefore = Thread.activeCount();
        List<Child> children = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            children.add(Spawn.command("sh", "-c", "exit " + (i % 7)).start(rt));
        }
        assertTrue(Thread.activeCount() < threadsBefore + 50, "no waiter thread per child (100 children)");
        for (int i = 0; i < children.size(); i++) {
            assertEquals(i % 7, children.get(i).waitFor().code());
        }
        assertEquals(fdsBefore, openFds(), "every pidfd and pipe end closed");
    }

    @Test
    void closingAPipeCancelsAReadThatWouldWaitForever() throws Exception {
        Child c = Spawn.command("sleep", "100").stdout(Redirect.PIPE).start(rt);
        CompletableFuture<Integer> read = c.stdout().readAsync(new byte[16], 0, 16);
        c.stdout().close();
        assertTrue(read.isDone(), "the read was cancelled");
        assertThrows(Exception.class, read::join);
        c.kill();
        assertTrue(c.waitFor().signaled());
    }

    @Test
    void withoutTheWaitidOpThePidfdIsPolled() throws Exception {
        Child.watchByPoll(true);
        try {
            assertEquals(5, Spawn.command("sh", "-c", "exit 5").start(rt).waitFor().code());
            Child sleeper = Spawn.command("sleep", "100").start(rt);
            sleeper.terminate();
            assertEquals(15, sleeper.waitFor().code());
        } finally {
            Child.watchByPoll(false);
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingStarts() {
        assertThrows(IllegalArgumentException.class, () -> Spawn.command());
        assertThrows(IllegalArgumentException.class, () -> Spawn.command("echo", "a\0b"));
        assertThrows(IllegalArgumentException.class, () -> Spawn.command("true").dup2(-1, 3));
        assertThrows(UnsupportedOperationException.class,
                () -> Spawn.command("true").open(3, Path.of("x"), StandardOpenOption.DELETE_ON_CLOSE));
        assertThrows(IllegalArgumentException.class, () -> Spawn.command("true").stdin(Redirect.to(Path.of("x"))));
        assertThrows(IllegalArgumentException.class, () -> Spawn.command("true").stdout(Redirect.from(Path.of("x"))));
        assertThrows(IllegalArgumentException.class, () -> Spawn.command("true").stderr(Redirect.from(Path.of("x"))));
    }

    private static long openFds() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
