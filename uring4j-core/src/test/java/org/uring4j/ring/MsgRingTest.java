package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.uring4j.ring.QueueTestSupport.assertCqe;
import static org.uring4j.ring.QueueTestSupport.assertNothingCompletes;
import static org.uring4j.ring.QueueTestSupport.await;
import static org.uring4j.ring.QueueTestSupport.awaitAll;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.QueueTestSupport.Pipe;

/**
 * MSG_RING: one ring posts a completion into another, or passes it a fixed file. The semantics of
 * liburing's msg-ring.c, msg-ring-fd.c and msg-ring-flags.c.
 */
class MsgRingTest {

    @BeforeEach
    void needsMsgRing() {
        KernelAssumptions.assumeOp(Opcode.MSG_RING);
    }

    @Test
    void msgRingPostsResAndUserDataInTheTargetRing() throws Exception {
        try (Ring source = Ring.open(4); Ring target = Ring.open(4)) {
            source.getSqe().prepMsgRing(Fd.raw(target.fd()), 0x1234, 0xfeedL, 0).userData(1);
            assertEquals(1, source.submit());
            assertCqe(1, 0, await(source));
            Cqe cqe = await(target);
            assertEquals(new Cqe(0xfeedL, 0x1234, 0), cqe);
        }
    }

    @Test
    void msgRingCarriesNegativeResultsAndFullWidthUserData() throws Exception {
        try (Ring source = Ring.open(4); Ring target = Ring.open(4)) {
            source.getSqe().prepMsgRing(Fd.raw(target.fd()), -Errno.EPIPE.number(), -1L, 0).userData(1);
            source.getSqe().prepMsgRing(Fd.raw(target.fd()), Integer.MAX_VALUE, Long.MIN_VALUE, 0).userData(2);
            assertEquals(2, source.submit());
            awaitAll(source, 2).values().forEach(c -> assertEquals(0, c.res(), "source " + c));
            Map<Long, Cqe> got = awaitAll(target, 2);
            assertEquals(-Errno.EPIPE.number(), got.get(-1L).res());
            assertEquals(Integer.MAX_VALUE, got.get(Long.MIN_VALUE).res());
        }
    }

    @Test
    void msgRingToItselfPostsTwoCompletions() throws Exception {
        try (Ring ring = Ring.open(4)) {
            ring.getSqe().prepMsgRing(Fd.raw(ring.fd()), 5, 77, 0).userData(1);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> got = awaitAll(ring, 2);
            assertEquals(0, got.get(1L).res());
            assertEquals(5, got.get(77L).res());
        }
    }

    @Test
    void msgRingWithSkipSuccessPostsOnlyInTheTarget() throws Exception {
        try (Ring source = Ring.open(4); Ring target = Ring.open(4)) {
            KernelAssumptions.assumeFeature(source, Feature.CQE_SKIP);
            source.getSqe().prepMsgRing(Fd.raw(target.fd()), 3, 33, 0).userData(1).skipSuccess();
            assertEquals(1, source.submit());
            assertCqe(33, 3, await(target));
            assertNothingCompletes(source);
        }
    }

    @Test
    void msgRingCqeSkipIsOnlyForPassingFiles() throws Exception {
        // IORING_MSG_RING_CQE_SKIP suppresses the target's CQE of a passed file; a data message is refused.
        try (Ring source = Ring.open(4); Ring target = Ring.open(4)) {
            source.getSqe().prepMsgRing(Fd.raw(target.fd()), 3, 33, Uapi.IORING_MSG_RING_CQE_SKIP).userData(1);
            assertEquals(1, source.submit());
            assertCqe(1, -Errno.EINVAL.number(), await(source));
            assertNothingCompletes(target);
        }
    }

    @Test
    void ringFdCannotBeARegisteredFile() throws Exception {
        // Rings may not sit in a fixed file table (it would make reference cycles): target rings are named by fd.
        try (Ring source = Ring.open(4); Ring target = Ring.open(4)) {
            UringException e = assertThrows(UringException.class, () -> source.registerFiles(target.fd()));
            assertEquals(Errno.EBADF, e.errnoValue());
        }
    }

    @Test
    void msgRingToSomethingThatIsNotARingFails() throws Exception {
        try (Pipe pipe = Pipe.open(); Ring source = Ring.open(4)) {
            source.getSqe().prepMsgRing(pipe.reader(), 1, 1, 0).userData(1);
            assertEquals(1, source.submit());
            assertCqe(1, -Errno.EBADFD.number(), await(source));
        }
    }

    @Test
    void msgRingFdPassesAFixedFileToTheTargetWhichCanReadThroughIt() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring source = Ring.open(4);
             Ring target = Ring.open(4)) {
            source.registerFilesSparse(4);
            target.registerFilesSparse(4);
            source.registerFilesUpdate(1, pipe.readFd());

            source.getSqe().prepMsgRingFd(Fd.raw(target.fd()), 1, 2, 0xabcL, 0).userData(1);
            assertEquals(1, source.submit());
            assertCqe(1, 0, await(source));
            Cqe arrived = await(target);
            assertEquals(0xabcL, arrived.userData());
            assertEquals(0, arrived.res(), "the file went to the asked-for slot");

            pipe.write((byte) 'h', (byte) 'i');
            MemorySegment buf = arena.allocate(2);
            target.getSqe().prepRead(Fd.fixed(2), buf, -1).userData(2);
            assertEquals(1, target.submit());
            assertCqe(2, 2, await(target));
            assertEquals('h', buf.get(JAVA_BYTE, 0));
            assertEquals('i', buf.get(JAVA_BYTE, 1));

            // The source keeps its own reference: it can still use its slot.
            pipe.write((byte) '!');
            source.getSqe().prepRead(Fd.fixed(1), buf.asSlice(0, 1), -1).userData(3);
            assertEquals(1, source.submit());
            assertCqe(3, 1, await(source));
            assertEquals('!', buf.get(JAVA_BYTE, 0));
        }
    }

    @Test
    void msgRingFdWithCqeSkipInstallsTheFileSilently() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring source = Ring.open(4);
             Ring target = Ring.open(4)) {
            source.registerFiles(pipe.readFd());
            target.registerFilesSparse(2);
            source.getSqe().prepMsgRingFd(Fd.raw(target.fd()), 0, 1, 5, Uapi.IORING_MSG_RING_CQE_SKIP).userData(1);
            assertEquals(1, source.submit());
            assertCqe(1, 0, await(source));
            assertNothingCompletes(target);

            pipe.write((byte) 3);
            MemorySegment buf = arena.allocate(1);
            target.getSqe().prepRead(Fd.fixed(1), buf, -1).userData(2);
            assertEquals(1, target.submit());
            assertCqe(2, 1, await(target));
        }
    }

    @Test
    void msgRingFdToAnyFreeSlotReportsTheSlot() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring source = Ring.open(4);
             Ring target = Ring.open(4)) {
            source.registerFiles(pipe.readFd());
            target.registerFilesSparse(4);
            target.registerFilesUpdate(0, pipe.writeFd());     // slot 0 taken, so the kernel picks another

            source.getSqe().prepMsgRingFd(Fd.raw(target.fd()), 0, -1, 7, 0).userData(1);
            assertEquals(1, source.submit());
            Cqe arrived = await(target);
            assertEquals(7, arrived.userData());
            int slot = arrived.res();
            assertEquals(true, slot > 0 && slot < 4, "allocated slot " + slot);
            await(source);

            pipe.write((byte) 5);
            MemorySegment buf = arena.allocate(1);
            target.getSqe().prepRead(Fd.fixed(slot), buf, -1).userData(2);
            assertEquals(1, target.submit());
            assertCqe(2, 1, await(target));
            assertEquals(5, buf.get(JAVA_BYTE, 0));
        }
    }

    @Test
    void msgRingFdIntoAnOccupiedSlotReplacesIt() throws Exception {
        try (Pipe a = Pipe.open(); Pipe b = Pipe.open(); Ring source = Ring.open(4); Ring target = Ring.open(4);
             Arena arena = Arena.ofConfined()) {
            source.registerFiles(b.readFd());
            target.registerFiles(a.readFd());
            source.getSqe().prepMsgRingFd(Fd.raw(target.fd()), 0, 0, 8, 0).userData(1);
            assertEquals(1, source.submit());
            assertCqe(8, 0, await(target));
            await(source);

            b.write((byte) 'b');
            MemorySegment buf = arena.allocate(1);
            target.getSqe().prepRead(Fd.fixed(0), buf, -1).userData(2);
            assertEquals(1, target.submit());
            assertCqe(2, 1, await(target));
            assertEquals('b', buf.get(JAVA_BYTE, 0), "slot 0 now holds pipe b");
        }
    }

    @Test
    void msgRingFdFromAnEmptySlotIsEbadf() throws Exception {
        try (Ring source = Ring.open(4); Ring target = Ring.open(4)) {
            source.registerFilesSparse(2);
            target.registerFilesSparse(2);
            source.getSqe().prepMsgRingFd(Fd.raw(target.fd()), 0, 0, 1, 0).userData(1);
            assertEquals(1, source.submit());
            assertCqe(1, -Errno.EBADF.number(), await(source));
            assertNothingCompletes(target);
        }
    }
}
