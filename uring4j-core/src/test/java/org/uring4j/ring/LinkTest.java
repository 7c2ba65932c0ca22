package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.uring4j.ring.QueueTestSupport.assertCqe;
import static org.uring4j.ring.QueueTestSupport.assertNothingCompletes;
import static org.uring4j.ring.QueueTestSupport.await;
import static org.uring4j.ring.QueueTestSupport.awaitAll;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.QueueTestSupport.Pipe;

/**
 * IOSQE_IO_LINK, IOSQE_IO_HARDLINK, IOSQE_IO_DRAIN and IOSQE_CQE_SKIP_SUCCESS: the semantics of
 * liburing's link.c, hardlink.c, link_drain.c, defer.c and skip-cqe.c.
 */
class LinkTest {
    private static final int ECANCELED = -Errno.ECANCELED.number();
    private static final int EINVAL = -Errno.EINVAL.number();
    private static final int EBADF = -Errno.EBADF.number();
    /** A descriptor number far above any open file, so READ on it fails with EBADF. */
    private static final Fd BAD_FD = Fd.raw(1_000_000);

    private static void assumeInjectedResults() throws UringException {
        KernelAssumptions.assumeNopInjectsResults();
    }

    @Test
    void linkedNopsCompleteInSubmissionOrder() throws Exception {
        try (Ring ring = Ring.open(8)) {
            for (int i = 0; i < 5; i++) {
                Sqe sqe = ring.getSqe().prepNop().userData(i);
                if (i < 4) {
                    sqe.link();
                }
            }
            assertEquals(5, ring.submit());
            for (int i = 0; i < 5; i++) {
                assertCqe(i, 0, await(ring));
            }
        }
    }

    @Test
    void failedReadCancelsTheRestOfTheChain() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            MemorySegment buf = arena.allocate(16);
            ring.getSqe().prepRead(BAD_FD, buf, 0).userData(1).link();
            ring.getSqe().prepNop().userData(2).link();
            ring.getSqe().prepNop().userData(3);
            assertEquals(3, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 3);
            assertEquals(EBADF, cqes.get(1L).res());
            assertEquals(ECANCELED, cqes.get(2L).res());
            assertEquals(ECANCELED, cqes.get(3L).res());
        }
    }

    @Test
    void injectedFailureCancelsLinkedNopsButNotTheNextChain() throws Exception {
        assumeInjectedResults();
        try (Ring ring = Ring.open(8)) {
            ring.getSqe().prepNop().userData(1).link();
            ring.getSqe().prepNop(EINVAL).userData(2).link();
            ring.getSqe().prepNop().userData(3).link();
            ring.getSqe().prepNop().userData(4);     // last entry of the chain: no link flag
            ring.getSqe().prepNop().userData(5);     // an independent request after the chain
            assertEquals(5, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 5);
            assertEquals(0, cqes.get(1L).res());
            assertEquals(EINVAL, cqes.get(2L).res());
            assertEquals(ECANCELED, cqes.get(3L).res());
            assertEquals(ECANCELED, cqes.get(4L).res());
            assertEquals(0, cqes.get(5L).res());
        }
    }

    @Test
    void hardLinkedChainContinuesAfterAFailure() throws Exception {
        assumeInjectedResults();
        try (Ring ring = Ring.open(8)) {
            ring.getSqe().prepNop(EINVAL).userData(1).hardLink();
            ring.getSqe().prepNop(EINVAL).userData(2).hardLink();
            ring.getSqe().prepNop().userData(3);
            assertEquals(3, ring.submit());
            assertCqe(1, EINVAL, await(ring));
            assertCqe(2, EINVAL, await(ring));
            assertCqe(3, 0, await(ring));
        }
    }

    @Test
    void hardLinkedReadOnBadFdStillRunsTheNextEntry() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            MemorySegment buf = arena.allocate(16);
            ring.getSqe().prepRead(BAD_FD, buf, 0).userData(1).hardLink();
            ring.getSqe().prepNop().userData(2);
            assertEquals(2, ring.submit());
            assertCqe(1, EBADF, await(ring));
            assertCqe(2, 0, await(ring));
        }
    }

    @Test
    void expiredTimeoutBreaksALinkButNotAHardLink() throws Exception {
        // hardlink.c: a timeout "fails" with -ETIME; a soft link cancels what follows, a hard link does not.
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            MemorySegment ts = QueueTestSupport.timespec(arena, Duration.ofMillis(5));
            ring.getSqe().prepTimeout(ts, 0, 0).userData(1).link();
            ring.getSqe().prepNop().userData(2);
            ring.getSqe().prepTimeout(ts, 0, 0).userData(3).hardLink();
            ring.getSqe().prepNop().userData(4);
            assertEquals(4, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 4);
            assertEquals(-Errno.ETIME.number(), cqes.get(1L).res());
            assertEquals(ECANCELED, cqes.get(2L).res());
            assertEquals(-Errno.ETIME.number(), cqes.get(3L).res());
            assertEquals(0, cqes.get(4L).res());
        }
    }

    @Test
    void linkedWriteThenReadMovesDataThroughAPipeInOrder() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(8)) {
            MemorySegment out = arena.allocateFrom("linked");
            MemorySegment in = arena.allocate(out.byteSize());
            ring.getSqe().prepWrite(pipe.writer(), out, -1).userData(1).link();
            ring.getSqe().prepRead(pipe.reader(), in, -1).userData(2);
            assertEquals(2, ring.submit());
            assertCqe(1, (int) out.byteSize(), await(ring));
            assertCqe(2, (int) out.byteSize(), await(ring));
            assertEquals(-1, in.mismatch(out));
        }
    }

    @Test
    void drainWaitsForEverythingSubmittedBefore() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open(); Ring ring = Ring.open(8)) {
            MemorySegment buf = arena.allocate(1);
            ring.getSqe().prepRead(pipe.reader(), buf, -1).userData(1);   // blocks: the pipe is empty
            ring.getSqe().prepNop().userData(2).drain();
            ring.getSqe().prepNop().userData(3);                          // queued behind the drain
            assertEquals(3, ring.submit());
            assertNothingCompletes(ring);

            pipe.write((byte) 'x');
            assertCqe(1, 1, await(ring));
            assertEquals('x', buf.get(JAVA_BYTE, 0));
            Cqe second = await(ring);
            Cqe third = await(ring);
            assertEquals(java.util.Set.of(2L, 3L), java.util.Set.of(second.userData(), third.userData()));
            // Linux 6.1 (checked with bench/kernels.sh) completes the NOP queued behind the drain before
            // the drained one; later kernels keep the order. No probe bit tells, so the order itself does.
            org.junit.jupiter.api.Assumptions.assumeTrue(second.userData() == 2,
                    "this kernel runs the entry behind a drain before the drained entry (Linux 6.1 does)");
            assertCqe(2, 0, second);
            assertCqe(3, 0, third);
        }
    }

    @Test
    void drainAfterCompletedRequestsRunsAtOnce() throws Exception {
        try (Ring ring = Ring.open(8)) {
            ring.getSqe().prepNop().userData(1);
            ring.getSqe().prepNop().userData(2);
            ring.getSqe().prepNop().userData(3).drain();
            assertEquals(3, ring.submit());
            List<Long> order = List.copyOf(awaitAll(ring, 3).keySet());
            assertEquals(3L, order.get(2), "the drained NOP completes last: " + order);
        }
    }

    @Test
    void skipSuccessPostsNothingForASuccessfulOp() throws Exception {
        try (Ring ring = Ring.open(8)) {
            KernelAssumptions.assumeFeature(ring, Feature.CQE_SKIP);
            ring.getSqe().prepNop().userData(1).skipSuccess();
            ring.getSqe().prepNop().userData(2);
            assertEquals(2, ring.submit());
            assertCqe(2, 0, await(ring));
            assertNothingCompletes(ring);
        }
    }

    @Test
    void skipSuccessStillPostsAFailure() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            KernelAssumptions.assumeFeature(ring, Feature.CQE_SKIP);
            ring.getSqe().prepRead(BAD_FD, arena.allocate(8), 0).userData(1).skipSuccess();
            assertEquals(1, ring.submit());
            assertCqe(1, EBADF, await(ring));
            assertNothingCompletes(ring);
        }
    }

    @Test
    void skipSuccessWithInjectedFailurePostsIt() throws Exception {
        assumeInjectedResults();
        try (Ring ring = Ring.open(8)) {
            KernelAssumptions.assumeFeature(ring, Feature.CQE_SKIP);
            ring.getSqe().prepNop(EINVAL).userData(1).skipSuccess();
            ring.getSqe().prepNop().userData(2).skipSuccess();
            assertEquals(2, ring.submit());
            assertCqe(1, EINVAL, await(ring));
            assertNothingCompletes(ring);
        }
    }

    @Test
    void skipSuccessInsideALinkHidesOnlyTheSuccessfulEntries() throws Exception {
        try (Ring ring = Ring.open(8)) {
            KernelAssumptions.assumeFeature(ring, Feature.CQE_SKIP);
            ring.getSqe().prepNop().userData(1).skipSuccess().link();
            ring.getSqe().prepNop().userData(2).skipSuccess().link();
            ring.getSqe().prepNop().userData(3);
            assertEquals(3, ring.submit());
            assertCqe(3, 0, await(ring));
            assertNothingCompletes(ring);
        }
    }

    @Test
    void cancelledLinkMembersPostCompletionsEvenWithSkipSuccess() throws Exception {
        // skip-cqe.c: -ECANCELED is a failure, so a skipped entry behind a failed head is still reported.
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            KernelAssumptions.assumeFeature(ring, Feature.CQE_SKIP);
            ring.getSqe().prepRead(BAD_FD, arena.allocate(8), 0).userData(1).link();
            ring.getSqe().prepNop().userData(2).skipSuccess();
            assertEquals(2, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(EBADF, cqes.get(1L).res());
            assertEquals(ECANCELED, cqes.get(2L).res());
        }
    }
}
