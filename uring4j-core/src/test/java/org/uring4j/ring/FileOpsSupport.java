package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.sys.Syscalls;

/** Shared plumbing for the file-operation tests: one-op round trips, fds opened through the ring, byte helpers. */
final class FileOpsSupport {
    private FileOpsSupport() {
    }

    /** Bound on every wait, so a broken test fails instead of hanging. */
    static final Duration WAIT = Duration.ofSeconds(10);

    /** Submits what is queued (one entry) and returns its completion. */
    static Cqe submitOne(Ring ring) throws UringException {
        assertEquals(1, ring.submit());
        return awaitCqe(ring);
    }

    /** The next completion, waiting at most {@link #WAIT}. */
    static Cqe awaitCqe(Ring ring) throws UringException {
        Cqe cqe = ring.waitCqe(WAIT);
        assertNotNull(cqe, "no completion within " + WAIT);
        return cqe;
    }

    /** Asserts a completion failed with {@code expected}, naming the errno on mismatch. */
    static void assertErrno(Errno expected, Cqe cqe) {
        assertEquals(-expected.number(), cqe.res(),
                () -> "expected -" + expected + " but res was " + cqe.res()
                        + (cqe.res() < 0 ? " (-" + Errno.name(cqe.res()) + ")" : ""));
    }

    /** Asserts a completion succeeded and returns its res. */
    static int assertOk(Cqe cqe) {
        assertTrue(cqe.res() >= 0, () -> "op failed: -" + Errno.name(cqe.res()));
        return cqe.res();
    }

    /** A NUL-terminated copy of {@code path}. */
    static MemorySegment cstr(Arena arena, Path path) {
        return arena.allocateFrom(path.toString());
    }

    /** OPENAT through the ring; the fd, or a test failure naming the errno. */
    static OwnedFd open(Ring ring, Arena arena, int dirfd, String path, int flags, int mode) throws UringException {
        ring.getSqe().prepOpenat(dirfd, arena.allocateFrom(path), flags | Uapi.O_CLOEXEC, mode);
        Cqe cqe = submitOne(ring);
        assertTrue(cqe.res() >= 0, () -> "OPENAT " + path + " failed: -" + Errno.name(cqe.res()));
        return new OwnedFd(cqe.res());
    }

    /** OPENAT of an absolute path. */
    static OwnedFd open(Ring ring, Arena arena, Path path, int flags, int mode) throws UringException {
        return open(ring, arena, Uapi.AT_FDCWD, path.toString(), flags, mode);
    }

    /** A native copy of {@code bytes}. */
    static MemorySegment segment(Arena arena, byte[] bytes) {
        return arena.allocateFrom(JAVA_BYTE, bytes);
    }

    static MemorySegment segment(Arena arena, String ascii) {
        return segment(arena, ascii.getBytes(StandardCharsets.US_ASCII));
    }

    static String ascii(MemorySegment seg, int length) {
        return new String(seg.asSlice(0, length).toArray(JAVA_BYTE), StandardCharsets.US_ASCII);
    }

    /** A recognisable pattern: byte i of a run starting at {@code seed}. */
    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i * 7 + (i >>> 8));
        }
        return b;
    }

    /** A raw descriptor the test owns; closed by close(2) unless the ring's CLOSE already closed it. */
    static final class OwnedFd implements AutoCloseable {
        private final int fd;
        private boolean closed;

        OwnedFd(int fd) {
            this.fd = fd;
        }

        int fd() {
            return fd;
        }

        Fd raw() {
            return Fd.raw(fd);
        }

        /** Records that the fd was closed some other way (IORING_OP_CLOSE), so close() leaves it alone. */
        void markClosed() {
            closed = true;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                Syscalls.close(fd);
            }
        }
    }
}
