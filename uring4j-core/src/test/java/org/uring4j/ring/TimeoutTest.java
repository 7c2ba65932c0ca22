package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.uring4j.ring.QueueTestSupport.WAIT;
import static org.uring4j.ring.QueueTestSupport.assertCqe;
import static org.uring4j.ring.QueueTestSupport.assertNothingCompletes;
import static org.uring4j.ring.QueueTestSupport.await;
import static org.uring4j.ring.QueueTestSupport.awaitAll;
import static org.uring4j.ring.QueueTestSupport.timespec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.uring4j.Errno;
import org.uring4j.ring.QueueTestSupport.Pipe;

/**
 * TIMEOUT, TIMEOUT_REMOVE (remove and update), LINK_TIMEOUT and the ring's timed waits: the
 * semantics of liburing's timeout.c, link-timeout.c and wait-timeout.c.
 */
class TimeoutTest {
    private static final int ETIME = -Errno.ETIME.number();
    private static final int ECANCELED = -Errno.ECANCELED.number();
    private static final int ENOENT = -Errno.ENOENT.number();
    private static final Duration SHORT = Duration.ofMillis(10);
    /** Longer than any test waits: a timeout this long must be ended by something else. */
    private static final Duration LONG = Duration.ofSeconds(60);

    @Test
    void timeoutFiresWithEtime() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            ring.getSqe().prepTimeout(timespec(arena, SHORT), 0, 0).userData(7);
            assertEquals(1, ring.submit());
            assertCqe(7, ETIME, await(ring));
        }
    }

    @Test
    void timeoutWithCountCompletesAfterThatManyOtherCompletions() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            ring.getSqe().prepTimeout(timespec(arena, LONG), 2, 0).userData(100);
            assertEquals(1, ring.submit());
            ring.getSqe().prepNop().userData(1);
            assertEquals(1, ring.submit());
            assertCqe(1, 0, await(ring));
            assertNothingCompletes(ring);     // one completion is not enough

            ring.getSqe().prepNop().userData(2);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(0, cqes.get(2L).res());
            assertEquals(0, cqes.get(100L).res(), "a timeout satisfied by its count completes with 0");
        }
    }

    @Test
    void timeoutRemoveCancelsAPendingTimeout() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            ring.getSqe().prepTimeout(timespec(arena, LONG), 0, 0).userData(1);
            assertEquals(1, ring.submit());
            ring.getSqe().prepTimeoutRemove(1, 0).userData(2);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(ECANCELED, cqes.get(1L).res());
            assertEquals(0, cqes.get(2L).res());
        }
    }

    @Test
    void timeoutRemoveOfUnknownTimeoutIsEnoent() throws Exception {
        try (Ring ring = Ring.open(4)) {
            ring.getSqe().prepTimeoutRemove(12345, 0).userData(2);
            assertEquals(1, ring.submit());
            assertCqe(2, ENOENT, await(ring));
        }
    }

    @Test
    void timeoutUpdateMovesTheExpiry() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            ring.getSqe().prepTimeout(timespec(arena, LONG), 0, 0).userData(1);
            assertEquals(1, ring.submit());
            assertNothingCompletes(ring);
            ring.getSqe().prepTimeoutUpdate(timespec(arena, SHORT), 1, 0).userData(2);
            assertEquals(1, ring.submit());
            // The update answers at once; the timeout then fires with its new, short expiry.
            assertCqe(2, 0, await(ring));
            assertCqe(1, ETIME, await(ring));
        }
    }

    @Test
    void timeoutUpdateOfUnknownTimeoutIsEnoent() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            ring.getSqe().prepTimeoutUpdate(timespec(arena, SHORT), 999, 0).userData(2);
            assertEquals(1, ring.submit());
            assertCqe(2, ENOENT, await(ring));
        }
    }

    @Test
    void multishotTimeoutFiresCountTimesWithMoreFlag() throws Exception {
        QueueTestSupport.assumeKernelAtLeast(6, 4);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            ring.getSqe().prepTimeout(timespec(arena, SHORT), 3, Uapi.IORING_TIMEOUT_MULTISHOT).userData(5);
            assertEquals(1, ring.submit());
            for (int i = 0; i < 3; i++) {
                Cqe cqe = await(ring);
                assertCqe(5, ETIME, cqe);
                assertEquals(i < 2, cqe.hasMore(), "IORING_CQE_F_MORE on shot " + i + ": " + cqe);
            }
            assertNothingCompletes(ring);
        }
    }

    @Test
    void etimeSuccessTimeoutDoesNotBreakItsLink() throws Exception {
        QueueTestSupport.assumeKernelAtLeast(5, 16);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            ring.getSqe().prepTimeout(timespec(arena, SHORT), 0, Uapi.IORING_TIMEOUT_ETIME_SUCCESS).userData(1).link();
            ring.getSqe().prepNop().userData(2);
            assertEquals(2, ring.submit());
            assertCqe(1, ETIME, await(ring));
            assertCqe(2, 0, await(ring));
        }
    }

    @Test
    void linkTimeoutCancelsABlockedRead() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(4)) {
            MemorySegment buf = arena.allocate(8);
            ring.getSqe().prepRead(pipe.reader(), buf, -1).userData(1).link();
            ring.getSqe().prepLinkTimeout(timespec(arena, SHORT), 0).userData(2);
            assertEquals(2, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(ECANCELED, cqes.get(1L).res());
            assertEquals(ETIME, cqes.get(2L).res());
        }
    }

    @Test
    void linkTimeoutIsCancelledWhenTheOpFinishesFirst() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(4)) {
            pipe.write((byte) 'a', (byte) 'b');
            MemorySegment buf = arena.allocate(2);
            ring.getSqe().prepRead(pipe.reader(), buf, -1).userData(1).link();
            ring.getSqe().prepLinkTimeout(timespec(arena, LONG), 0).userData(2);
            assertEquals(2, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(2, cqes.get(1L).res());
            assertEquals(ECANCELED, cqes.get(2L).res());
            assertEquals('b', buf.get(JAVA_BYTE, 1));
        }
    }

    @Test
    void linkTimeoutIsCancelledWhenABlockedReadGetsDataInTime() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(4)) {
            MemorySegment buf = arena.allocate(1);
            ring.getSqe().prepRead(pipe.reader(), buf, -1).userData(1).link();
            ring.getSqe().prepLinkTimeout(timespec(arena, LONG), 0).userData(2);
            assertEquals(2, ring.submit());
            assertNothingCompletes(ring);
            pipe.write((byte) 'z');
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(1, cqes.get(1L).res());
            assertEquals(ECANCELED, cqes.get(2L).res());
        }
    }

    @Test
    void linkTimeoutChainCancelsWhatFollows() throws Exception {
        // link-timeout.c: when the timed op is cancelled, entries linked after the timeout are cancelled too.
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(4)) {
            ring.getSqe().prepRead(pipe.reader(), arena.allocate(1), -1).userData(1).link();
            ring.getSqe().prepLinkTimeout(timespec(arena, SHORT), 0).userData(2).link();
            ring.getSqe().prepNop().userData(3);
            assertEquals(3, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 3);
            assertEquals(ECANCELED, cqes.get(1L).res());
            assertEquals(ETIME, cqes.get(2L).res());
            assertEquals(ECANCELED, cqes.get(3L).res());
        }
    }

    @Test
    void waitCqeWithTimeoutReturnsNullWhileAnOpIsPending() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(4)) {
            ring.getSqe().prepRead(pipe.reader(), arena.allocate(1), -1).userData(1);
            assertEquals(1, ring.submit());
            assertNull(ring.waitCqe(Duration.ofMillis(20)));
            assertNull(ring.waitCqe(Duration.ZERO));
            pipe.write((byte) 1);
            assertCqe(1, 1, await(ring));
        }
    }

    @Test
    void waitCqeWithTimeoutReturnsAReadyCompletionAtOnce() throws Exception {
        try (Ring ring = Ring.open(4)) {
            ring.getSqe().prepNop().userData(3);
            assertEquals(1, ring.submit());
            assertCqe(3, 0, ring.waitCqe(Duration.ZERO.plusNanos(1)));
        }
    }

    @Test
    void submitAndWaitWithTimeoutCopiesWhatCompleted() throws Exception {
        try (Ring ring = Ring.open(8)) {
            for (int i = 0; i < 4; i++) {
                ring.getSqe().prepNop().userData(10 + i);
            }
            CqeBatch batch = new CqeBatch(8);
            assertEquals(4, ring.submitAndWait(batch, 4, WAIT));
            assertEquals(4, batch.count());
            for (int i = 0; i < 4; i++) {
                assertEquals(new Cqe(10 + i, 0, 0), batch.get(i));
            }
        }
    }

    @Test
    void submitAndWaitWithTimeoutReturnsFewerWhenItTimesOut() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(8)) {
            ring.getSqe().prepNop().userData(1);
            ring.getSqe().prepRead(pipe.reader(), arena.allocate(1), -1).userData(2);
            CqeBatch batch = new CqeBatch(8);
            int n = ring.submitAndWait(batch, 2, Duration.ofMillis(20));
            assertEquals(1, n, "only the NOP can complete");
            assertEquals(new Cqe(1, 0, 0), batch.get(0));

            pipe.write((byte) 1);
            assertEquals(1, ring.submitAndWait(batch, 1, WAIT));
            assertEquals(new Cqe(2, 1, 0), batch.get(0));
        }
    }

    @Test
    void submitAndWaitWithTimeoutWaitsForAFiringTimeout() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            ring.getSqe().prepTimeout(timespec(arena, SHORT), 0, 0).userData(9);
            CqeBatch batch = new CqeBatch(4);
            assertEquals(1, ring.submitAndWait(batch, 1, WAIT));
            assertEquals(new Cqe(9, ETIME, 0), batch.get(0));
        }
    }

    @Test
    void timeoutsFireInExpiryOrder() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            ring.getSqe().prepTimeout(timespec(arena, Duration.ofMillis(60)), 0, 0).userData(3);
            ring.getSqe().prepTimeout(timespec(arena, Duration.ofMillis(1)), 0, 0).userData(1);
            ring.getSqe().prepTimeout(timespec(arena, Duration.ofMillis(30)), 0, 0).userData(2);
            assertEquals(3, ring.submit());
            List<Long> order = List.copyOf(awaitAll(ring, 3).keySet());
            assertEquals(List.of(1L, 2L, 3L), order);
        }
    }

    @Test
    void absoluteTimeoutInThePastFiresAtOnce() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            // CLOCK_MONOTONIC time 1s (long past) with IORING_TIMEOUT_ABS.
            ring.getSqe().prepTimeout(timespec(arena, Duration.ofSeconds(1)), 0, Uapi.IORING_TIMEOUT_ABS).userData(4);
            assertEquals(1, ring.submit());
            Cqe cqe = await(ring);
            assertCqe(4, ETIME, cqe);
            assertFalse(cqe.hasMore());
            assertEquals(0, ring.cqReady());
        }
    }
}
