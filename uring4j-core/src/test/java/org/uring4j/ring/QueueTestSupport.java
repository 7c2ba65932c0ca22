package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.uring4j.UringException;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Syscalls;

/** Helpers shared by the queue-mechanics tests (links, timeouts, cancel, overflow, setup, messages). */
final class QueueTestSupport {
    private QueueTestSupport() {
    }

    /** Upper bound for any wait in these tests: a broken test fails after this instead of hanging. */
    static final Duration WAIT = Duration.ofSeconds(10);

    /** How long to watch for a completion that must not arrive (no assertion depends on its length). */
    static final Duration QUIET = Duration.ofMillis(50);

    /** A {@code __kernel_timespec} holding {@code d}. */
    static MemorySegment timespec(Arena arena, Duration d) {
        MemorySegment ts = arena.allocate(Layouts.KERNEL_TIMESPEC);
        ts.set(JAVA_LONG, Layouts.offsetOf(Layouts.KERNEL_TIMESPEC, "tv_sec"), d.getSeconds());
        ts.set(JAVA_LONG, Layouts.offsetOf(Layouts.KERNEL_TIMESPEC, "tv_nsec"), d.getNano());
        return ts;
    }

    /** The next completion, waiting at most {@link #WAIT}; fails if none arrives. */
    static Cqe await(Ring ring) throws UringException {
        Cqe cqe = ring.waitCqe(WAIT);
        assertNotNull(cqe, "no completion within " + WAIT);
        return cqe;
    }

    /** The next {@code n} completions in arrival order, keyed by user_data (each key must arrive once). */
    static Map<Long, Cqe> awaitAll(Ring ring, int n) throws UringException {
        Map<Long, Cqe> byUserData = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            Cqe cqe = await(ring);
            Cqe previous = byUserData.put(cqe.userData(), cqe);
            assertNull(previous, "user_data " + cqe.userData() + " completed twice: " + previous + ", " + cqe);
        }
        return byUserData;
    }

    /** Asserts that no completion arrives for a short while. */
    static void assertNothingCompletes(Ring ring) throws UringException {
        Cqe cqe = ring.waitCqe(QUIET);
        assertNull(cqe, "unexpected completion " + cqe);
    }

    /** Asserts {@code cqe} has {@code userData} and {@code res}. */
    static void assertCqe(long userData, int res, Cqe cqe) {
        assertNotNull(cqe);
        assertEquals(userData, cqe.userData(), "user_data of " + cqe);
        assertEquals(res, cqe.res(), "res of " + cqe);
    }

    /** A pipe made with pipe2(O_CLOEXEC); both ends closed by {@link #close()}. */
    record Pipe(int readFd, int writeFd) implements AutoCloseable {
        static Pipe open() throws UringException {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment fds = a.allocate(JAVA_INT, 2);
                Syscalls.check(Syscalls.pipe2(fds, Uapi.O_CLOEXEC), "pipe2", UringException.NO_FD);
                return new Pipe(fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1));
            }
        }

        Fd reader() {
            return Fd.raw(readFd);
        }

        Fd writer() {
            return Fd.raw(writeFd);
        }

        /** Writes {@code bytes} to the write end with write(2). */
        void write(byte... bytes) throws UringException {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(Math.max(1, bytes.length));
                MemorySegment.copy(bytes, 0, buf, JAVA_BYTE, 0, bytes.length);
                long n = Syscalls.check(Syscalls.write(writeFd, buf.asSlice(0, bytes.length)), "write");
                assertEquals(bytes.length, n, "short write to the pipe");
            }
        }

        @Override
        public void close() {
            Syscalls.close(readFd);
            Syscalls.close(writeFd);
        }
    }

    /** The running kernel's {major, minor}, from os.version; {0, 0} if it cannot be read. */
    static int[] kernelVersion() {
        Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(System.getProperty("os.version", ""));
        return m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : new int[] {0, 0};
    }

    /** Skips unless the kernel is at least {@code major.minor}. */
    static void assumeKernelAtLeast(int major, int minor) {
        int[] v = kernelVersion();
        boolean ok = v[0] > major || (v[0] == major && v[1] >= minor);
        assumeTrue(ok, "needs Linux " + major + "." + minor + "+, running " + System.getProperty("os.version"));
    }
}
