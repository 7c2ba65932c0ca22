package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.ring.NetSupport.collect;
import static org.uring4j.ring.NetSupport.submitAndWait;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.NetSupport.Pipe;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Syscalls;

/**
 * The public API never crashes the JVM on bad input: a closed ring, a bad descriptor, a full
 * queue, heap or too-small or freed memory, bad lengths, offsets, slots and paths each give a
 * typed exception (or, from the kernel, a negative errno in the CQE), and a prep that throws
 * leaves its entry a harmless NOP.
 */
class BadInputTest {
    /** A descriptor number far above any process's table: always EBADF. */
    private static final int BAD_FD = 1_000_000;

    private static void assertIae(String mentions, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(mentions),
                "message should mention " + mentions + ": " + e.getMessage());
    }

    // ------------------------------------------------------------------ closed ring

    @Test
    void aClosedRingThrowsRingClosedExceptionEverywhere() throws Exception {
        Ring ring = Ring.open(4);
        ring.close();
        try (Arena a = Arena.ofConfined(); Pipe p = Pipe.open()) {
            MemorySegment buf = a.allocate(64);
            Executable[] calls = {
                ring::getSqe,
                ring::submit,
                () -> ring.submitAndWait(1),
                () -> ring.submitAndWait(new CqeBatch(4), 1, Duration.ofMillis(1)),
                ring::waitCqe,
                () -> ring.waitCqe(Duration.ofMillis(1)),
                () -> ring.copyCqes(new CqeBatch(4)),
                () -> ring.forEachCqe((ud, res, flags) -> { }),
                ring::pollCqe,
                ring::cqReady,
                ring::sqReady,
                ring::sqSpaceLeft,
                ring::probe,
                () -> ring.registerFiles(p.read().fd()),
                () -> ring.registerFilesSparse(4),
                () -> ring.registerFilesUpdate(0, p.read().fd()),
                ring::unregisterFiles,
                () -> ring.registerBuffers(buf),
                () -> ring.registerBufferRing(1, 4, 64),
                ring::registerPersonality,
                () -> ring.registerIoWqMaxWorkers(0, 0),
                () -> ring.registerEventFd(p.read().fd(), false),
                ring::registerRingFd,
                ring::enable,
                () -> ring.syncCancel(1, null, 0, Duration.ofMillis(1)),
            };
            assertAll(Arrays.stream(calls).map(call -> (Executable) () -> {
                RingClosedException e = assertThrows(RingClosedException.class, call);
                assertTrue(e.getMessage().contains("closed"), e.getMessage());
            }));
        }
        ring.close(); // still idempotent
    }

    @Test
    void anSqeKeptPastCloseCannotWriteTheUnmappedQueue() throws Exception {
        Ring ring = Ring.open(4);
        Sqe stale = ring.getSqe();
        ring.close();
        // The queue is unmapped: writing through the old view must fail in Java, not fault.
        assertThrows(IllegalStateException.class, stale::prepNop);
        assertThrows(IllegalStateException.class, () -> stale.userData(1));
    }

    // ------------------------------------------------------------------ errors from the kernel

    @Test
    void aBadDescriptorCompletesWithEbadfAndCheckNamesIt() throws Exception {
        try (Ring ring = Ring.open(4); Arena a = Arena.ofConfined()) {
            ring.getSqe().prepRead(Fd.raw(BAD_FD), a.allocate(8), 0).userData(7);
            Cqe cqe = submitAndWait(ring);
            assertEquals(new Cqe(7, -Errno.EBADF.number(), 0), cqe);
            assertTrue(cqe.isError());
            assertSame(Errno.EBADF, cqe.errno());

            UringException e = assertThrows(UringException.class, () -> cqe.check("READ", BAD_FD));
            assertEquals("READ", e.operation());
            assertEquals(9, e.errno());
            assertEquals("EBADF", e.errnoName());
            assertSame(Errno.EBADF, e.errnoValue());
            assertEquals(BAD_FD, e.fd());
            assertEquals("READ fd " + BAD_FD + ": EBADF (Bad file descriptor)", e.getMessage());
        }
    }

    @Test
    void aFixedSlotWithNoRegisteredTableCompletesWithEbadf() throws Exception {
        try (Ring ring = Ring.open(4); Arena a = Arena.ofConfined()) {
            ring.getSqe().prepRead(Fd.fixed(0), a.allocate(8), 0);
            assertEquals(-Errno.EBADF.number(), submitAndWait(ring).res());
            ring.getSqe().prepClose(Fd.raw(BAD_FD));
            assertEquals(-Errno.EBADF.number(), submitAndWait(ring).res());
        }
    }

    @Test
    void registeringFilesTwiceIsEbusy() throws Exception {
        try (Ring ring = Ring.open(4); Pipe p = Pipe.open()) {
            ring.registerFiles(p.read().fd(), p.write().fd());
            UringException e = assertThrows(UringException.class, () -> ring.registerFiles(p.read().fd()));
            assertEquals(Errno.EBUSY.number(), e.errno());
            assertEquals("EBUSY", e.errnoName());
            assertEquals("IORING_REGISTER_FILES", e.operation());
            assertTrue(e.getMessage().contains("EBUSY (Device or resource busy)"), e.getMessage());
            // The first table is intact.
            ring.unregisterFiles();
            UringException none = assertThrows(UringException.class, ring::unregisterFiles);
            assertEquals(Errno.ENXIO.number(), none.errno(), none.getMessage());
        }
    }

    // ------------------------------------------------------------------ the submission queue

    @Test
    void aFullSubmissionQueueIsATypedException() throws Exception {
        try (Ring ring = Ring.open(2)) {
            ring.getSqe().prepNop();
            ring.getSqe().prepNop();
            assertEquals(0, ring.sqSpaceLeft());
            SubmissionQueueFullException e = assertThrows(SubmissionQueueFullException.class, ring::getSqe);
            assertTrue(e.getMessage().contains("submit"), e.getMessage());
            assertEquals(2, ring.submit());
            assertDoesNotThrow(ring::getSqe);
        }
    }

    @Test
    void aPrepThatThrowsLeavesAHarmlessNopWithUserDataZero() throws Exception {
        try (Ring ring = Ring.open(16); Arena a = Arena.ofConfined()) {
            MemorySegment heap = MemorySegment.ofArray(new byte[16]);
            MemorySegment noNul = a.allocateFrom(JAVA_BYTE, "no-nul".getBytes(StandardCharsets.US_ASCII));
            MemorySegment buf = a.allocate(16);
            List<Consumer<Sqe>> failing = failingPreps(heap, noNul, buf, a);
            for (Consumer<Sqe> prep : failing) {
                Sqe sqe = ring.getSqe();
                assertThrows(RuntimeException.class, () -> prep.accept(sqe));
                assertEquals(0, sqe.opcode(), "still a NOP");
                assertEquals(0, sqe.flags(), "no flags were set");
                assertEquals(0, sqe.userData());
            }
            assertEquals(failing.size(), ring.submit());
            for (Cqe cqe : collect(ring, failing.size())) {
                assertEquals(new Cqe(0, 0, 0), cqe);
            }
        }
    }

    /** One prep per kind of check, each bound to fail. */
    private static List<Consumer<Sqe>> failingPreps(MemorySegment heap, MemorySegment noNul, MemorySegment buf, Arena a) {
        return List.of(
            s -> s.prepRead(Fd.fixed(3), heap, 0),
            s -> s.prepWrite(Fd.fixed(3), buf, -2),
            s -> s.prepOpenat(Uapi.AT_FDCWD, noNul, 0, 0),
            s -> s.prepStatx(Uapi.AT_FDCWD, a.allocateFrom("/"), 0, 0, a.allocate(100)),
            s -> s.prepSplice(Fd.fixed(1), -1, Fd.fixed(2), -1, -1, 0),
            s -> s.prepFixedFdInstall(-1, 0),
            s -> s.prepReadMultishot(Fd.fixed(1), 0, 0, 70000),
            s -> s.prepAccept(Fd.fixed(1), buf, null, 0),
            s -> s.prepSendZc(Fd.fixed(1), heap, 0, 0),
            s -> s.prepTimeout(a.allocate(8), 0, 0),
            s -> s.prepMsgRingFd(Fd.fixed(1), 0, -2, 0, 0));
    }

    // ------------------------------------------------------------------ memory the kernel would use

    @Test
    void heapSegmentsAreRefusedNamingTheOp() throws Exception {
        try (Ring ring = Ring.open(16); Arena a = Arena.ofConfined()) {
            MemorySegment heap = MemorySegment.ofArray(new byte[64]);
            Fd fd = Fd.raw(0);
            assertIae("READ", () -> ring.getSqe().prepRead(fd, heap, 0));
            assertIae("WRITE", () -> ring.getSqe().prepWrite(fd, heap, 0));
            assertIae("SEND", () -> ring.getSqe().prepSend(fd, heap, 0));
            assertIae("RECV", () -> ring.getSqe().prepRecv(fd, heap, 0));
            assertIae("OPENAT", () -> ring.getSqe().prepOpenat(Uapi.AT_FDCWD, MemorySegment.ofArray("x\0".getBytes()), 0, 0));
            assertIae("STATX", () -> ring.getSqe().prepStatx(Uapi.AT_FDCWD, a.allocateFrom("/"), 0, 0,
                    MemorySegment.ofArray(new byte[256])));
            assertIae("URING_CMD", () -> ring.getSqe().prepCmdSock(Uapi.SOCKET_URING_OP_SETSOCKOPT, fd,
                    Uapi.SOL_SOCKET, Uapi.SO_REUSEADDR, MemorySegment.ofArray(new int[] {1})));
            assertIae("registerBuffers", () -> ring.registerBuffers(heap));
        }
    }

    @Test
    void tooSmallStructsAreRefused() throws Exception {
        try (Ring ring = Ring.open(16); Arena a = Arena.ofConfined()) {
            MemorySegment path = a.allocateFrom("/");
            assertIae("STATX", () -> ring.getSqe().prepStatx(Uapi.AT_FDCWD, path, 0, 0, a.allocate(255)));
            assertIae("OPENAT2", () -> ring.getSqe().prepOpenat2(Uapi.AT_FDCWD, path, a.allocate(16)));
            assertIae("TIMEOUT", () -> ring.getSqe().prepTimeout(a.allocate(8), 0, 0));
            assertIae("LINK_TIMEOUT", () -> ring.getSqe().prepLinkTimeout(a.allocate(15), 0));
            assertIae("TIMEOUT_REMOVE", () -> ring.getSqe().prepTimeoutUpdate(a.allocate(8), 1, 0));
            assertIae("PIPE", () -> ring.getSqe().prepPipe(a.allocate(4), 0));
            assertIae("SENDMSG", () -> ring.getSqe().prepSendmsg(Fd.raw(0), a.allocate(16), 0));
            assertIae("RECVMSG", () -> ring.getSqe().prepRecvmsg(Fd.raw(0), a.allocate(16), 0));
            assertIae("READV", () -> ring.getSqe().prepReadv(Fd.raw(0), a.allocate(16), 2, 0, 0));
            assertIae("WAITID", () -> ring.getSqe().prepWaitid(Uapi.P_ALL, 0, a.allocate(64), Uapi.WEXITED, 0));
            assertIae("EPOLL_WAIT", () -> ring.getSqe().prepEpollWait(Fd.raw(0), a.allocate(12), 2, 0));
            assertIae("EPOLL_CTL", () -> ring.getSqe().prepEpollCtl(Fd.raw(0), 1, Uapi.EPOLL_CTL_ADD, a.allocate(8)));
            assertIae("FUTEX_WAIT", () -> ring.getSqe().prepFutexWait(a.allocate(2), 0, -1, Uapi.FUTEX2_SIZE_U32, 0));
            assertIae("ACCEPT", () -> ring.getSqe().prepAccept(Fd.raw(0), a.allocate(8), a.allocateFrom(JAVA_INT, 16), 0));
            assertIae("ACCEPT", () -> ring.getSqe().prepAccept(Fd.raw(0), a.allocate(16), a.allocate(2), 0));
        }
    }

    @Test
    void aSegmentWhoseArenaIsClosedIsRefused() throws Exception {
        try (Ring ring = Ring.open(4)) {
            MemorySegment freed;
            try (Arena gone = Arena.ofConfined()) {
                freed = gone.allocate(64);
            }
            // Handing freed memory to the kernel would let it write into whatever reuses it.
            MemorySegment f = freed;
            RuntimeException e = assertThrows(RuntimeException.class, () -> ring.getSqe().prepRead(Fd.raw(0), f, 0));
            assertTrue(e instanceof IllegalArgumentException || e instanceof IllegalStateException, e.toString());
            // (Never submitted: if the prep had gone through, closing the ring discards the entry.)
        }
    }

    // ------------------------------------------------------------------ numbers out of range

    @Test
    void negativeLengthsAndOffsetsAreRefused() throws Exception {
        try (Ring ring = Ring.open(32); Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(16);
            Fd fd = Fd.raw(0);
            assertIae("READ", () -> ring.getSqe().prepRead(fd, buf, -2));
            assertIae("WRITE", () -> ring.getSqe().prepWrite(fd, buf, Long.MIN_VALUE));
            assertDoesNotThrow(() -> ring.getSqe().prepRead(fd, buf, -1), "-1 means the file position");
            assertIae("READ", () -> ring.getSqe().prepReadSelect(fd, -1, 0, 1));
            assertIae("READ_FIXED", () -> ring.getSqe().prepReadFixed(fd, buf, 0, -1));
            assertIae("READV", () -> ring.getSqe().prepReadv(fd, buf, -1, 0, 0));
            assertIae("SPLICE", () -> ring.getSqe().prepSplice(fd, 0, fd, 0, -1, 0));
            assertIae("SPLICE", () -> ring.getSqe().prepSplice(fd, -3, fd, 0, 1, 0));
            assertIae("TEE", () -> ring.getSqe().prepTee(fd, fd, -1, 0));
            assertIae("FALLOCATE", () -> ring.getSqe().prepFallocate(fd, 0, -1, 10));
            assertIae("FALLOCATE", () -> ring.getSqe().prepFallocate(fd, 0, 0, -10));
            assertIae("FTRUNCATE", () -> ring.getSqe().prepFtruncate(fd, -1));
            assertIae("FADVISE", () -> ring.getSqe().prepFadvise(fd, -1, 0, 0));
            assertIae("SYNC_FILE_RANGE", () -> ring.getSqe().prepSyncFileRange(fd, -1, 0, 0));
            assertIae("READ_MULTISHOT", () -> ring.getSqe().prepReadMultishot(fd, -1, 0, 1));
            assertIae("TIMEOUT", () -> ring.getSqe().prepTimeout(a.allocate(16), -1, 0));
            assertIae("FILES_UPDATE", () -> ring.getSqe().prepFilesUpdate(a.allocate(4), -1, 0));
            assertIae("EPOLL_WAIT", () -> ring.getSqe().prepEpollWait(fd, a.allocate(12), -1, 0));
            assertIae("REMOVE_BUFFERS", () -> ring.getSqe().prepRemoveBuffers(-1, 1));
            assertThrows(IllegalArgumentException.class, () -> ring.submitAndWait(-1));
        }
    }

    @Test
    void negativeFixedSlotsAreRefused() throws Exception {
        try (Ring ring = Ring.open(8)) {
            assertThrows(IllegalArgumentException.class, () -> Fd.fixed(-1));
            assertThrows(IllegalArgumentException.class, () -> Fd.fixed(Integer.MIN_VALUE));
            assertIae("directSlot", () -> ring.getSqe().directSlot(-1));
            assertIae("FIXED_FD_INSTALL", () -> ring.getSqe().prepFixedFdInstall(-1, 0));
            assertIae("MSG_RING", () -> ring.getSqe().prepMsgRingFd(Fd.raw(ring.fd()), -1, 0, 0, 0));
            assertIae("MSG_RING", () -> ring.getSqe().prepMsgRingFd(Fd.raw(ring.fd()), 0, -2, 0, 0));
            assertIae("registerFilesUpdate", () -> ring.registerFilesUpdate(-1, 0));
            assertIae("registerFileAllocRange", () -> ring.registerFileAllocRange(-1, 2));
        }
    }

    @Test
    void pathsWithoutATerminatingNulAreRefused() throws Exception {
        try (Ring ring = Ring.open(16); Arena a = Arena.ofConfined()) {
            MemorySegment noNul = a.allocateFrom(JAVA_BYTE, "/tmp/x".getBytes(StandardCharsets.US_ASCII));
            MemorySegment empty = a.allocate(0);
            MemorySegment ok = a.allocateFrom("/tmp/x");
            assertIae("OPENAT", () -> ring.getSqe().prepOpenat(Uapi.AT_FDCWD, noNul, 0, 0));
            assertIae("OPENAT", () -> ring.getSqe().prepOpenat(Uapi.AT_FDCWD, empty, 0, 0));
            assertIae("OPENAT2", () -> ring.getSqe().prepOpenat2(Uapi.AT_FDCWD, noNul, a.allocate(Layouts.OPEN_HOW)));
            assertIae("STATX", () -> ring.getSqe().prepStatx(Uapi.AT_FDCWD, noNul, 0, 0, a.allocate(Layouts.STATX)));
            assertIae("UNLINKAT", () -> ring.getSqe().prepUnlinkat(Uapi.AT_FDCWD, noNul, 0));
            assertIae("MKDIRAT", () -> ring.getSqe().prepMkdirat(Uapi.AT_FDCWD, noNul, 0755));
            assertIae("RENAMEAT", () -> ring.getSqe().prepRenameat(Uapi.AT_FDCWD, ok, Uapi.AT_FDCWD, noNul, 0));
            assertIae("SYMLINKAT", () -> ring.getSqe().prepSymlinkat(noNul, Uapi.AT_FDCWD, ok));
            assertIae("LINKAT", () -> ring.getSqe().prepLinkat(Uapi.AT_FDCWD, noNul, Uapi.AT_FDCWD, ok, 0));
            assertIae("GETXATTR", () -> ring.getSqe().prepGetxattr(ok, noNul, a.allocate(8)));
        }
    }

    @Test
    void bufferGroupsAndPersonalitiesOutOfRangeAreRefused() throws Exception {
        try (Ring ring = Ring.open(16)) {
            assertThrows(IllegalArgumentException.class, () -> ring.getSqe().bufferSelect(-1));
            assertThrows(IllegalArgumentException.class, () -> ring.getSqe().bufferSelect(65536));
            assertThrows(IllegalArgumentException.class, () -> ring.getSqe().prepReadSelect(Fd.raw(0), 8, 0, 65536));
            assertThrows(IllegalArgumentException.class, () -> ring.getSqe().prepRecvMultishot(Fd.raw(0), -1, 0));
            assertThrows(IllegalArgumentException.class, () -> ring.getSqe().personality(-1));
            assertThrows(IllegalArgumentException.class, () -> ring.getSqe().personality(65536));
        }
    }

    @Test
    void providedBufferGroupsOutsideU16AreRefused() throws Exception {
        // The group is a u16 in the SQE: a larger one must not be silently truncated to another group.
        try (Ring ring = Ring.open(16); Arena a = Arena.ofConfined()) {
            MemorySegment mem = a.allocate(64);
            assertAll(
                () -> assertThrows(IllegalArgumentException.class,
                        () -> ring.getSqe().prepProvideBuffers(mem, 8, 8, 65536 + 1, 0), "PROVIDE_BUFFERS group 65537"),
                () -> assertThrows(IllegalArgumentException.class,
                        () -> ring.getSqe().prepProvideBuffers(mem, 8, 8, -1, 0), "PROVIDE_BUFFERS group -1"),
                () -> assertThrows(IllegalArgumentException.class,
                        () -> ring.getSqe().prepRemoveBuffers(1, 65536 + 1), "REMOVE_BUFFERS group 65537"),
                () -> assertThrows(IllegalArgumentException.class,
                        () -> ring.getSqe().prepRemoveBuffers(1, -1), "REMOVE_BUFFERS group -1"));
        }
    }

    @Test
    void badRegistrationArgumentsAreRefused() throws Exception {
        try (Ring ring = Ring.open(4)) {
            assertThrows(IllegalArgumentException.class, ring::registerFiles);
            assertThrows(IllegalArgumentException.class, () -> ring.registerFilesSparse(0));
            assertThrows(IllegalArgumentException.class, ring::registerBuffers);
            assertThrows(IllegalArgumentException.class, () -> ring.registerBuffersSparse(-1));
            assertThrows(IllegalArgumentException.class, () -> ring.registerBufferRing(1, 3, 64), "not a power of two");
            assertThrows(IllegalArgumentException.class, () -> ring.registerBufferRing(1, 65536, 64));
            assertThrows(IllegalArgumentException.class, () -> ring.registerBufferRing(65536, 4, 64));
            assertThrows(IllegalArgumentException.class, () -> ring.registerBufferRing(1, 4, 0));
            assertThrows(IllegalArgumentException.class, () -> ring.registerIoWqMaxWorkers(-1, 0));
            assertThrows(IllegalArgumentException.class, () -> ring.registerIoWqAffinity(new java.util.BitSet()));
            assertThrows(IllegalArgumentException.class, ring::registerRestrictions);
            assertThrows(IllegalArgumentException.class, () -> new CqeBatch(0));
            assertThrows(IndexOutOfBoundsException.class, () -> new CqeBatch(4).get(0), "nothing copied yet");
            assertThrows(IllegalStateException.class, () -> ring.getSqe().cmdData(), "64-byte SQEs carry no cmd data");
        }
    }

    @Test
    void ringOptionsOutOfRangeAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RingOptions(0));
        assertThrows(IllegalArgumentException.class, () -> new RingOptions(-1));
        assertThrows(IllegalArgumentException.class, () -> Ring.open(new RingOptions(100_000)), "too many without clamp()");
        assertThrows(IllegalArgumentException.class, () -> Ring.open(0));
        assertThrows(IllegalArgumentException.class, () -> new RingOptions(8).cqSize(0));
        assertThrows(IllegalArgumentException.class, () -> new RingOptions(8).sqPoll(-1));
        assertThrows(IllegalArgumentException.class, () -> new RingOptions(8).sqThreadCpu(-1));
    }

    @Test
    void negativeWaitDurationsAreRefused() throws Exception {
        try (Ring ring = Ring.open(4)) {
            assertThrows(IllegalArgumentException.class, () -> ring.waitCqe(Duration.ofMillis(-1)));
            assertThrows(IllegalArgumentException.class, () -> ring.submitAndWait(new CqeBatch(4), 1, Duration.ofSeconds(-5)));
            assertThrows(NullPointerException.class, () -> ring.waitCqe(null));
            assertNull(ring.waitCqe(Duration.ZERO), "a zero wait returns at once");
        }
    }

    // ------------------------------------------------------------------ errno and exceptions

    @Test
    void errnoLooksUpEitherSignAndNamesUnknownNumbers() {
        assertSame(Errno.ENOENT, Errno.of(2));
        assertSame(Errno.ENOENT, Errno.of(-2));
        assertEquals(2, Errno.ENOENT.number());
        assertEquals("No such file or directory", Errno.ENOENT.message());
        assertSame(Errno.EAGAIN, Errno.of(11));
        assertSame(Errno.ECANCELED, Errno.of(-125));
        assertEquals("EAGAIN", Errno.name(-11));
        assertEquals("EBADF", Errno.name(9));
        assertNull(Errno.of(0));
        assertNull(Errno.of(41), "Linux has no errno 41");
        assertNull(Errno.of(4095));
        assertEquals("errno 4095", Errno.name(-4095));
        assertNull(Errno.of(Integer.MAX_VALUE));
        // Math.abs(Integer.MIN_VALUE) is still negative: must not index the table with it.
        assertNull(Errno.of(Integer.MIN_VALUE));
        assertDoesNotThrow(() -> Errno.name(Integer.MIN_VALUE));
    }

    @Test
    void uringExceptionMessagesNameTheOpPathFdAndErrno() {
        UringException path = new UringException("openat2", 13, UringException.NO_FD, "/etc/shadow");
        assertEquals("openat2 /etc/shadow: EACCES (Permission denied)", path.getMessage());
        assertEquals("/etc/shadow", path.path());
        assertEquals(UringException.NO_FD, path.fd());

        UringException fd = new UringException("READ", -9, 5, null);
        assertEquals("READ fd 5: EBADF (Bad file descriptor)", fd.getMessage());
        assertEquals(9, fd.errno(), "kernel-style negative errnos are stored positive");

        UringException both = new UringException("OPENAT", 2, 3, "a/b");
        assertEquals("OPENAT a/b (fd 3): ENOENT (No such file or directory)", both.getMessage());

        UringException detail = new UringException("io_uring_setup", 22, UringException.NO_FD, null, "entries=8");
        assertEquals("io_uring_setup: EINVAL (Invalid argument): entries=8", detail.getMessage());

        UringException unknown = UringException.of("NOP", 4000);
        assertEquals("NOP: errno 4000", unknown.getMessage());
        assertNull(unknown.errnoValue());
        assertEquals("errno 4000", unknown.errnoName());

        assertThrows(NullPointerException.class, () -> new UringException(null, 1, UringException.NO_FD, null));
    }

    @Test
    void cqeCheckReturnsResultsAndThrowsForErrnos() throws Exception {
        assertEquals(5, new Cqe(1, 5, 0).check("READ"));
        assertNull(new Cqe(1, 5, 0).errno());
        UringException e = assertThrows(UringException.class, () -> new Cqe(1, -2, 0).check("OPENAT"));
        assertEquals("OPENAT: ENOENT (No such file or directory)", e.getMessage());
        assertEquals("ENOENT", e.errnoName());
    }

    @Test
    void syscallsReportErrnosAsNegativeResults() {
        // The sys layer's convention, which Cqe.check and Syscalls.check build on.
        try (Arena a = Arena.ofConfined()) {
            assertEquals(-Errno.EBADF.number(), Syscalls.close(BAD_FD));
            assertEquals(-Errno.EBADF.number(), Syscalls.read(BAD_FD, a.allocate(1)));
            UringException e = assertThrows(UringException.class, () -> Syscalls.check(-Errno.EBADF.number(), "close", BAD_FD));
            assertEquals("close fd " + BAD_FD + ": EBADF (Bad file descriptor)", e.getMessage());
        }
    }
}
