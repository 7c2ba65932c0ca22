package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.uring4j.UringException;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Syscalls;

/**
 * Shared fixtures for the pipe, socket, poll and direct-descriptor tests: descriptors that close
 * themselves, bounded waits for completions, and {@code sockaddr_in} on 127.0.0.1.
 */
final class NetSupport {
    private NetSupport() {
    }

    /** How long any single wait for a completion may take before the test fails instead of hanging. */
    static final Duration WAIT = Duration.ofSeconds(10);

    static final ValueLayout.OfShort SIN_FAMILY =
            (ValueLayout.OfShort) Layouts.SOCKADDR_IN.select(PathElement.groupElement("sin_family"));
    static final ValueLayout.OfShort SIN_PORT =
            (ValueLayout.OfShort) Layouts.SOCKADDR_IN.select(PathElement.groupElement("sin_port"));
    static final ValueLayout.OfInt SIN_ADDR =
            (ValueLayout.OfInt) Layouts.SOCKADDR_IN.select(PathElement.groupElement("sin_addr"));
    static final long OFF_SIN_PORT = Layouts.offsetOf(Layouts.SOCKADDR_IN, "sin_port");
    static final long OFF_SIN_ADDR = Layouts.offsetOf(Layouts.SOCKADDR_IN, "sin_addr");
    static final int LOOPBACK = 0x7f00_0001;

    /** A plain descriptor this test owns; closing it closes the descriptor (once). */
    static final class OwnedFd implements AutoCloseable {
        private int fd;

        OwnedFd(int fd) {
            assertTrue(fd >= 0, "not a descriptor: " + fd);
            this.fd = fd;
        }

        int fd() {
            return fd;
        }

        Fd raw() {
            return Fd.raw(fd);
        }

        /** Gives up ownership (the descriptor was closed another way, e.g. by a CLOSE op); returns it. */
        int release() {
            int f = fd;
            fd = -1;
            return f;
        }

        /** Closes now (e.g. to signal EOF); a later close() does nothing. */
        @Override
        public void close() {
            if (fd >= 0) {
                Syscalls.close(fd);
                fd = -1;
            }
        }
    }

    /** Both ends of a pipe made with pipe2(2), for tests where PIPE is not the op under test. */
    record Pipe(OwnedFd read, OwnedFd write) implements AutoCloseable {
        static Pipe open(int flags) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment fds = a.allocate(JAVA_INT, 2);
                int r = Syscalls.pipe2(fds, flags);
                assertEquals(0, r, "pipe2");
                return new Pipe(new OwnedFd(fds.get(JAVA_INT, 0)), new OwnedFd(fds.get(JAVA_INT, 4)));
            }
        }

        static Pipe open() {
            return open(Uapi.O_CLOEXEC);
        }

        @Override
        public void close() {
            read.close();
            write.close();
        }
    }

    /** Submits what is queued and waits (bounded) for the next completion. */
    static Cqe submitAndWait(Ring ring) throws UringException {
        ring.submit();
        return next(ring);
    }

    /** The next completion, failing the test if none arrives within {@link #WAIT}. */
    static Cqe next(Ring ring) throws UringException {
        Cqe cqe = ring.waitCqe(WAIT);
        assertNotNull(cqe, "no completion within " + WAIT);
        return cqe;
    }

    /** Submits what is queued and collects {@code n} completions, keyed by user_data (which must be distinct). */
    static Map<Long, Cqe> submitAndCollect(Ring ring, int n) throws UringException {
        ring.submit();
        Map<Long, Cqe> byUserData = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Cqe cqe = next(ring);
            if (byUserData.put(cqe.userData(), cqe) != null) {
                fail("two completions for user_data " + cqe.userData());
            }
        }
        return byUserData;
    }

    /** Collects {@code n} completions in arrival order. */
    static List<Cqe> collect(Ring ring, int n) throws UringException {
        List<Cqe> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(next(ring));
        }
        return out;
    }

    static MemorySegment bytes(Arena arena, String s) {
        return arena.allocateFrom(JAVA_BYTE, s.getBytes(StandardCharsets.UTF_8));
    }

    static String string(MemorySegment seg, long length) {
        return new String(seg.asSlice(0, length).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** A {@code sockaddr_in} for 127.0.0.1:{@code port}. */
    static MemorySegment loopback(Arena arena, int port) {
        MemorySegment sa = arena.allocate(Layouts.SOCKADDR_IN);
        sa.set(SIN_FAMILY, 0, (short) Uapi.AF_INET);
        sa.set(SIN_PORT, OFF_SIN_PORT, (short) port);
        sa.set(SIN_ADDR, OFF_SIN_ADDR, LOOPBACK);
        return sa;
    }

    static int port(MemorySegment sockaddrIn) {
        return Short.toUnsignedInt(sockaddrIn.get(SIN_PORT, OFF_SIN_PORT));
    }

    /**
     * The local TCP port of socket {@code fd}, found without getsockname(2) (not in Syscalls, and
     * SOCKET_URING_OP_GETSOCKNAME is newer than 6.18): the socket's inode from /proc/self/fd,
     * then its row in /proc/self/net/tcp. The socket must be listening or connected to appear.
     */
    static int localPort(int fd) throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        assertTrue(link.startsWith("socket:["), "fd " + fd + " is not a socket: " + link);
        String inode = link.substring("socket:[".length(), link.length() - 1);
        for (String line : Files.readAllLines(Path.of("/proc/self/net/tcp"))) {
            String[] f = line.trim().split("\\s+");
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
            if (f.length > 9 && f[9].equals(inode)) {
                String local = f[1];
                return Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
            }
        }
        throw new AssertionError("socket inode " + inode + " (fd " + fd + ") not in /proc/self/net/tcp");
    }

    /** The open-file flags of {@code fd} from /proc/self/fdinfo (octal, as open(2) flags). */
    static int fdFlags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new AssertionError("no flags line in /proc/self/fdinfo/" + fd);
    }

    /** Opens {@code path} with OPENAT through {@code ring}, as a plain descriptor the caller closes. */
    static OwnedFd open(Ring ring, Path path, int flags, int mode) throws UringException {
        try (Arena a = Arena.ofConfined()) {
            ring.getSqe().prepOpenat(Uapi.AT_FDCWD, a.allocateFrom(path.toString()), flags | Uapi.O_CLOEXEC, mode);
            Cqe cqe = submitAndWait(ring);
            return new OwnedFd(cqe.check("OPENAT " + path));
        }
    }

    /** Writes all of {@code s} to {@code fd} with write(2). */
    static void writeFully(int fd, String s) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = bytes(a, s);
            assertEquals(buf.byteSize(), Syscalls.write(fd, buf), "write(2) to fd " + fd);
        }
    }

    /** One read(2) of up to {@code max} bytes from {@code fd}, as a string. */
    static String readOnce(int fd, int max) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(max);
            long n = Syscalls.read(fd, buf);
            assertTrue(n >= 0, "read(2) from fd " + fd + ": " + n);
            return string(buf, n);
        }
    }
}
