package org.uring4j.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.uring4j.ring.QueueTestSupport.WAIT;
import static org.uring4j.ring.QueueTestSupport.assertCqe;
import static org.uring4j.ring.QueueTestSupport.assertNothingCompletes;
import static org.uring4j.ring.QueueTestSupport.await;
import static org.uring4j.ring.QueueTestSupport.awaitAll;
import static org.uring4j.ring.QueueTestSupport.timespec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.QueueTestSupport.Pipe;

/**
 * ASYNC_CANCEL by user_data, by file, ALL and ANY, and the synchronous IORING_REGISTER_SYNC_CANCEL:
 * the semantics of liburing's io-cancel.c, cancel-fd-userdata.c, poll-cancel-all.c and sync-cancel.c.
 * Reads block on empty pipes, which the kernel parks on the pipe's wait queue until cancelled.
 */
class CancelTest {
    private static final int ECANCELED = -Errno.ECANCELED.number();
    private static final int ENOENT = -Errno.ENOENT.number();

    @Test
    void cancelByUserDataEndsABlockedRead() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(8)) {
            ring.getSqe().prepRead(pipe.reader(), arena.allocate(8), -1).userData(1);
            assertEquals(1, ring.submit());
            assertNothingCompletes(ring);

            ring.getSqe().prepCancel(1, 0).userData(2);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(ECANCELED, cqes.get(1L).res());
            assertEquals(0, cqes.get(2L).res());
        }
    }

    @Test
    void cancelOfAnIoWqPuntedReadEndsIt() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(8)) {
            ring.getSqe().prepRead(pipe.reader(), arena.allocate(8), -1).userData(1).async();
            assertEquals(1, ring.submit());
            assertNothingCompletes(ring);

            ring.getSqe().prepCancel(1, 0).userData(2);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            int read = cqes.get(1L).res();
            int cancel = cqes.get(2L).res();
            // A request an io-wq worker is running is signalled (-EALREADY, read fails with -EINTR);
            // one parked on the pipe's wait queue is removed (0, read gets -ECANCELED).
            if (cancel == -Errno.EALREADY.number()) {
                assertEquals(-Errno.EINTR.number(), read, "read after -EALREADY");
            } else {
                assertEquals(0, cancel);
                assertEquals(ECANCELED, read);
            }
        }
    }

    @Test
    void cancelOfUnknownUserDataIsEnoent() throws Exception {
        try (Ring ring = Ring.open(4)) {
            ring.getSqe().prepCancel(424242, 0).userData(2);
            assertEquals(1, ring.submit());
            assertCqe(2, ENOENT, await(ring));
        }
    }

    @Test
    void cancelOfAnAlreadyCompletedRequestIsEnoent() throws Exception {
        try (Ring ring = Ring.open(4)) {
            ring.getSqe().prepNop().userData(1);
            assertEquals(1, ring.submit());
            assertCqe(1, 0, await(ring));
            ring.getSqe().prepCancel(1, 0).userData(2);
            assertEquals(1, ring.submit());
            assertCqe(2, ENOENT, await(ring));
        }
    }

    @Test
    void cancelEndsAPendingTimeout() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            ring.getSqe().prepTimeout(timespec(arena, Duration.ofSeconds(60)), 0, 0).userData(1);
            ring.getSqe().prepCancel(1, 0).userData(2);
            assertEquals(2, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(ECANCELED, cqes.get(1L).res());
            assertEquals(0, cqes.get(2L).res());
        }
    }

    @Test
    void cancelByUserDataWithoutAllCancelsOneMatch() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(8)) {
            for (int i = 0; i < 2; i++) {
                ring.getSqe().prepRead(pipe.reader(), arena.allocate(1), -1).userData(5);
            }
            assertEquals(2, ring.submit());
            ring.getSqe().prepCancel(5, 0).userData(9);
            assertEquals(1, ring.submit());
            Cqe first = await(ring);
            Cqe second = await(ring);
            Cqe read = first.userData() == 5 ? first : second;
            Cqe cancel = first.userData() == 9 ? first : second;
            assertCqe(5, ECANCELED, read);
            assertCqe(9, 0, cancel);
            assertNothingCompletes(ring);     // the other read is still pending

            pipe.write((byte) 1);
            assertCqe(5, 1, await(ring));
        }
    }

    @Test
    void cancelAllByUserDataCancelsEveryMatchAndCountsThem() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(8)) {
            for (int i = 0; i < 3; i++) {
                ring.getSqe().prepRead(pipe.reader(), arena.allocate(1), -1).userData(5);
            }
            ring.getSqe().prepRead(pipe.reader(), arena.allocate(1), -1).userData(6);
            assertEquals(4, ring.submit());
            ring.getSqe().prepCancel(5, Uapi.IORING_ASYNC_CANCEL_ALL).userData(9);
            assertEquals(1, ring.submit());
            int cancelled = 0;
            for (int i = 0; i < 4; i++) {
                Cqe cqe = await(ring);
                if (cqe.userData() == 9) {
                    assertEquals(3, cqe.res(), "IORING_ASYNC_CANCEL_ALL returns how many it cancelled");
                } else {
                    assertCqe(5, ECANCELED, cqe);
                    cancelled++;
                }
            }
            assertEquals(3, cancelled);
            pipe.write((byte) 1);
            assertCqe(6, 1, await(ring));     // the read with other user_data was left alone
        }
    }

    @Test
    void cancelFdCancelsARequestOnThatFile() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Pipe other = Pipe.open();
             Ring ring = Ring.open(8)) {
            ring.getSqe().prepRead(pipe.reader(), arena.allocate(1), -1).userData(1);
            ring.getSqe().prepRead(other.reader(), arena.allocate(1), -1).userData(2);
            assertEquals(2, ring.submit());
            ring.getSqe().prepCancelFd(pipe.reader(), 0).userData(3);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(ECANCELED, cqes.get(1L).res());
            assertEquals(0, cqes.get(3L).res());

            other.write((byte) 1);
            assertCqe(2, 1, await(ring));
        }
    }

    @Test
    void cancelFdAllCancelsEveryRequestOnThatFile() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(8)) {
            for (int i = 1; i <= 3; i++) {
                ring.getSqe().prepRead(pipe.reader(), arena.allocate(1), -1).userData(i);
            }
            assertEquals(3, ring.submit());
            ring.getSqe().prepCancelFd(pipe.reader(), Uapi.IORING_ASYNC_CANCEL_ALL).userData(9);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 4);
            assertEquals(3, cqes.get(9L).res());
            for (long i = 1; i <= 3; i++) {
                assertEquals(ECANCELED, cqes.get(i).res(), "read " + i);
            }
        }
    }

    @Test
    void cancelFdOfAFixedFileSlot() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(8)) {
            ring.registerFiles(pipe.readFd());
            ring.getSqe().prepRead(Fd.fixed(0), arena.allocate(1), -1).userData(1);
            assertEquals(1, ring.submit());
            ring.getSqe().prepCancelFd(Fd.fixed(0), 0).userData(2);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(ECANCELED, cqes.get(1L).res());
            assertEquals(0, cqes.get(2L).res());
        }
    }

    @Test
    void cancelFdWithNothingOnThatFileIsEnoent() throws Exception {
        try (Pipe pipe = Pipe.open(); Ring ring = Ring.open(4)) {
            ring.getSqe().prepCancelFd(pipe.reader(), 0).userData(2);
            assertEquals(1, ring.submit());
            assertCqe(2, ENOENT, await(ring));
        }
    }

    @Test
    void cancelAnyCancelsEveryPendingRequest() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe a = Pipe.open(); Pipe b = Pipe.open(); Ring ring = Ring.open(8)) {
            ring.getSqe().prepRead(a.reader(), arena.allocate(1), -1).userData(1);
            ring.getSqe().prepRead(b.reader(), arena.allocate(1), -1).userData(2);
            ring.getSqe().prepTimeout(timespec(arena, Duration.ofSeconds(60)), 0, 0).userData(3);
            assertEquals(3, ring.submit());
            ring.getSqe().prepCancel(0, Uapi.IORING_ASYNC_CANCEL_ANY).userData(9);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 4);
            assertEquals(3, cqes.get(9L).res(), "IORING_ASYNC_CANCEL_ANY matches (and counts) every request");
            for (long i = 1; i <= 3; i++) {
                assertEquals(ECANCELED, cqes.get(i).res(), "request " + i);
            }
        }
    }

    @Test
    void cancelAllAndAnyWithNothingPendingCountZero() throws Exception {
        // With ALL or ANY the result is a count, so "nothing matched" is 0 rather than -ENOENT.
        try (Ring ring = Ring.open(4)) {
            ring.getSqe().prepCancel(0, Uapi.IORING_ASYNC_CANCEL_ANY).userData(9);
            ring.getSqe().prepCancel(31337, Uapi.IORING_ASYNC_CANCEL_ALL).userData(10);
            assertEquals(2, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(0, cqes.get(9L).res());
            assertEquals(0, cqes.get(10L).res());
        }
    }

    @Test
    void syncCancelByUserDataReturnsAfterTheRequestIsGone() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(4)) {
            ring.getSqe().prepRead(pipe.reader(), arena.allocate(1), -1).userData(1);
            assertEquals(1, ring.submit());
            ring.syncCancel(1, null, 0, WAIT);
            assertCqe(1, ECANCELED, await(ring));
        }
    }

    @Test
    void syncCancelByFdCancelsAllWithAll() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(4)) {
            ring.getSqe().prepRead(pipe.reader(), arena.allocate(1), -1).userData(1);
            ring.getSqe().prepRead(pipe.reader(), arena.allocate(1), -1).userData(2);
            assertEquals(2, ring.submit());
            ring.syncCancel(0, pipe.reader(), Uapi.IORING_ASYNC_CANCEL_ALL, WAIT);
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(ECANCELED, cqes.get(1L).res());
            assertEquals(ECANCELED, cqes.get(2L).res());
        }
    }

    @Test
    void syncCancelOfUnknownUserDataThrowsEnoent() throws Exception {
        try (Ring ring = Ring.open(4)) {
            UringException e = assertThrows(UringException.class, () -> ring.syncCancel(77, null, 0, WAIT));
            assertEquals(Errno.ENOENT, e.errnoValue());
        }
    }

    @Test
    void cancelledReadLeavesThePipeUsable() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(4)) {
            MemorySegment buf = arena.allocate(1);
            ring.getSqe().prepRead(pipe.reader(), buf, -1).userData(1);
            ring.getSqe().prepCancel(1, 0).userData(2);
            assertEquals(2, ring.submit());
            awaitAll(ring, 2);
            pipe.write((byte) 42);
            ring.getSqe().prepRead(pipe.reader(), buf, -1).userData(3);
            assertEquals(1, ring.submit());
            assertCqe(3, 1, await(ring));
            assertEquals(42, buf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        }
    }
}
