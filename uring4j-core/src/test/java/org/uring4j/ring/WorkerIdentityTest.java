package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.ring.FileOpsSupport.assertErrno;
import static org.uring4j.ring.FileOpsSupport.assertOk;
import static org.uring4j.ring.FileOpsSupport.submitOne;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Syscalls;

/**
 * io-wq workers act as the submitting process (seeds 000 and 004): since 5.12 they are threads of
 * it, so /proc/self, the fd table, credentials and umask seen by an op forced onto a worker
 * (IOSQE_ASYNC) are the process's own, exactly as for an op run inline.
 */
class WorkerIdentityTest {
    private static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    /** OPENAT then READ of {@code path} through the ring, both forced async or both inline; the whole text. */
    private static String readThroughRing(Ring ring, Arena arena, String path, boolean async) throws UringException {
        Sqe open = ring.getSqe().prepOpenat(Uapi.AT_FDCWD, arena.allocateFrom(path), Uapi.O_RDONLY | Uapi.O_CLOEXEC, 0);
        if (async) {
            open.async();
        }
        Cqe opened = submitOne(ring);
        assertTrue(opened.res() >= 0, () -> "OPENAT " + path + ": -" + Errno.name(opened.res()));
        try (FileOpsSupport.OwnedFd fd = new FileOpsSupport.OwnedFd(opened.res())) {
            MemorySegment buf = arena.allocate(4096);
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            for (long off = 0; ; ) {
                Sqe read = ring.getSqe().prepRead(fd.raw(), buf, off);
                if (async) {
                    read.async();
                }
                int n = assertOk(submitOne(ring));
                if (n == 0) {
                    return text.toString(StandardCharsets.US_ASCII);
                }
                text.writeBytes(buf.asSlice(0, n).toArray(JAVA_BYTE));
                off += n;
            }
        }
    }

    @Test
    void procSelfStatusOpenedAndReadOnAnIoWqWorkerNamesOurProcess() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            ProcStatus st = ProcStatus.parse(readThroughRing(ring, arena, "/proc/self/status", true));
            // /proc/self is the thread group, and a worker belongs to ours: it names the process itself.
            assertEquals(PID, st.pid());
            assertEquals(PID, st.tgid());
        }
    }

    @Test
    void procSelfStatusOpenedAndReadInlineNamesOurProcess() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            ProcStatus st = ProcStatus.parse(readThroughRing(ring, arena, "/proc/self/status", false));
            assertEquals(PID, st.pid());
            assertEquals(PID, st.tgid());
        }
    }

    @Test
    void threadSelfOnAWorkerIsAWorkerThreadOfOurProcessWithOurCredentials() throws Exception {
        long submitter = ProcStatus.callingThreadTid();
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            ProcStatus st = ProcStatus.parse(readThroughRing(ring, arena, "/proc/thread-self/status", true));
            // The task that resolved /proc/thread-self is the io-wq worker: a thread of our process,
            // named after the thread that submitted, and holding our effective credentials.
            assertEquals(PID, st.tgid(), "the worker is in our thread group");
            assertNotEquals(submitter, st.pid(), "the open ran on a worker, not on the submitting thread");
            assertEquals("iou-wrk-" + submitter, st.name());
            assertEquals(Syscalls.geteuid(), st.uid(1), "effective uid");
            assertEquals(Syscalls.getegid(), st.gid(1), "effective gid");
            assertEquals(Syscalls.geteuid(), st.uid(3), "filesystem uid");
        }
    }

    @Test
    void statxOfProcSelfFdOnAWorkerSeesOurLiveDescriptorTable() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "hello");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            int fd = openDirect(arena, file);
            boolean closed = false;
            try {
                MemorySegment stx = arena.allocate(Layouts.STATX);
                MemorySegment link = arena.allocateFrom("/proc/self/fd/" + fd);
                // STATX always runs on an io-wq worker; force it anyway so the test says what it means.
                ring.getSqe().prepStatx(Uapi.AT_FDCWD, link, 0, Uapi.STATX_BASIC_STATS, stx).async();
                assertOk(submitOne(ring));
                assertEquals(Files.getAttribute(file, "unix:ino"), stx.get(JAVA_LONG, Layouts.offsetOf(Layouts.STATX, "stx_ino")));
                assertEquals(5L, stx.get(JAVA_LONG, Layouts.offsetOf(Layouts.STATX, "stx_size")));

                // The worker shares the table, it does not hold a copy: a close is seen at once.
                assertEquals(0, Syscalls.close(fd));
                closed = true;
                ring.getSqe().prepStatx(Uapi.AT_FDCWD, link, 0, Uapi.STATX_BASIC_STATS, stx).async();
                assertErrno(Errno.ENOENT, submitOne(ring));
            } finally {
                if (!closed) {
                    Syscalls.close(fd);
                }
            }
        }
    }

    @Test
    void descriptorOpenedOnAWorkerIsInOurTable() throws Exception {
        Path file = Files.writeString(dir.resolve("g"), "from the worker");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            ring.getSqe().prepOpenat(Uapi.AT_FDCWD, arena.allocateFrom(file.toString()), Uapi.O_RDONLY | Uapi.O_CLOEXEC, 0)
                    .async();
            try (FileOpsSupport.OwnedFd fd = new FileOpsSupport.OwnedFd(assertOk(submitOne(ring)))) {
                assertEquals(file, Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd.fd())));
                MemorySegment buf = arena.allocate(64);
                long n = Syscalls.read(fd.fd(), buf); // a plain read(2) on the test thread
                assertEquals("from the worker", FileOpsSupport.ascii(buf, (int) n));
            }
        }
    }

    @Test
    void devTtyOnAWorkerResolvesAsItDoesForTheProcess() throws Exception {
        // Seed 000: /dev/tty depends on the opener's controlling terminal (current->signal). A
        // worker is a thread of ours and has the same one, so it gets what openat2(2) gets here.
        int flags = Uapi.O_RDONLY | Uapi.O_NOCTTY | Uapi.O_NONBLOCK | Uapi.O_CLOEXEC;
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            MemorySegment path = arena.allocateFrom("/dev/tty");
            MemorySegment how = arena.allocate(Layouts.OPEN_HOW);
            how.set(JAVA_LONG, 0, flags);
            int direct = Syscalls.openat2(Uapi.AT_FDCWD, path, how);
            ring.getSqe().prepOpenat(Uapi.AT_FDCWD, path, flags, 0).async();
            int viaWorker = submitOne(ring).res();
            try {
                assertEquals(outcome(direct), outcome(viaWorker));
            } finally {
                if (direct >= 0) {
                    Syscalls.close(direct);
                }
                if (viaWorker >= 0) {
                    Syscalls.close(viaWorker);
                }
            }
        }
    }

    private static String outcome(int res) {
        return res >= 0 ? "opened" : "-" + Errno.name(res);
    }

    @Test
    void filesCreatedThroughTheRingAreOursAndHonourOurUmask() throws Exception {
        int old = Syscalls.umask(027);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            for (boolean async : new boolean[] {false, true}) {
                Path file = dir.resolve("created-" + (async ? "async" : "inline"));
                Sqe sqe = ring.getSqe().prepOpenat(Uapi.AT_FDCWD, arena.allocateFrom(file.toString()),
                        Uapi.O_WRONLY | Uapi.O_CREAT | Uapi.O_EXCL | Uapi.O_CLOEXEC, 0666);
                if (async) {
                    sqe.async();
                }
                Syscalls.close(assertOk(submitOne(ring)));
                assertOwnedByUs(file, 0640);

                Path sub = dir.resolve("dir-" + (async ? "async" : "inline"));
                sqe = ring.getSqe().prepMkdirat(Uapi.AT_FDCWD, arena.allocateFrom(sub.toString()), 0777);
                if (async) {
                    sqe.async();
                }
                assertEquals(0, submitOne(ring).res());
                assertOwnedByUs(sub, 0750);
            }
        } finally {
            Syscalls.umask(old);
        }
    }

    /** The path belongs to our effective uid/gid and has exactly permission bits {@code perms}. */
    static void assertOwnedByUs(Path path, int perms) throws Exception {
        assertEquals(Syscalls.geteuid(), (int) Files.getAttribute(path, "unix:uid"), path + " uid");
        assertEquals(Syscalls.getegid(), (int) Files.getAttribute(path, "unix:gid"), path + " gid");
        assertEquals(Integer.toOctalString(perms), Integer.toOctalString((int) Files.getAttribute(path, "unix:mode") & 07777),
                path + " mode (umask applied)");
    }

    /** A descriptor opened with openat2(2) on the test thread, not through the ring. */
    private static int openDirect(Arena arena, Path file) throws UringException {
        MemorySegment how = arena.allocate(Layouts.OPEN_HOW);
        how.set(JAVA_LONG, 0, Uapi.O_RDONLY | Uapi.O_CLOEXEC);
        return Syscalls.check(Syscalls.openat2(Uapi.AT_FDCWD, arena.allocateFrom(file.toString()), how), "openat2", Uapi.AT_FDCWD);
    }
}
