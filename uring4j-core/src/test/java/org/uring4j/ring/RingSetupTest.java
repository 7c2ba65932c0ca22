package org.uring4j.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.uring4j.ring.QueueTestSupport.WAIT;
import static org.uring4j.ring.QueueTestSupport.assertCqe;
import static org.uring4j.ring.QueueTestSupport.assertNothingCompletes;
import static org.uring4j.ring.QueueTestSupport.await;
import static org.uring4j.ring.QueueTestSupport.awaitAll;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.QueueTestSupport.Pipe;

/**
 * Every io_uring_setup option: the ring opens, runs a NOP, and shows the option's behaviour; an
 * option the kernel rejects (EINVAL) skips the test. The semantics of liburing's io_uring_setup.c,
 * cq-size.c, sqpoll-sleep.c, sq-poll-share.c, single-issuer.c, defer-taskrun.c, nop32.c,
 * cq-peek-batch-mixed.c and iopoll.c.
 */
class RingSetupTest {
    /** IORING_NOP_CQE32 (6.18, with CQE_MIXED): the NOP posts a 32-byte CQE. Not yet in Uapi. */
    private static final int IORING_NOP_CQE32 = 1 << 5;

    private static void nopRoundTrip(Ring ring, long userData) throws UringException {
        ring.getSqe().prepNop().userData(userData);
        int submitted = ring.submit();
        if (!sqPoll(ring)) {
            assertEquals(1, submitted);
        }
        assertCqe(userData, 0, await(ring));
    }

    private static boolean sqPoll(Ring ring) {
        return (ring.setupFlags() & Uapi.IORING_SETUP_SQPOLL) != 0;
    }

    @Test
    void defaultRingHasTwiceAsManyCqEntries() throws Exception {
        try (Ring ring = Ring.open(new RingOptions(6))) {
            assertEquals(8, ring.sqEntries(), "entries are rounded up to a power of two");
            assertEquals(16, ring.cqEntries());
            assertEquals(0, ring.setupFlags());
            nopRoundTrip(ring, 1);
        }
    }

    @Test
    void cqSizeSetsTheCompletionQueueSize() throws Exception {
        try (Ring ring = KernelAssumptions.openOrSkip(new RingOptions(4).cqSize(100), "IORING_SETUP_CQSIZE")) {
            assertEquals(4, ring.sqEntries());
            assertEquals(128, ring.cqEntries(), "cq_entries is rounded up to a power of two");
            assertTrue((ring.setupFlags() & Uapi.IORING_SETUP_CQSIZE) != 0);
            nopRoundTrip(ring, 1);
        }
    }

    @Test
    void cqSizeBelowTheSqSizeIsRejected() {
        UringException e = assertThrows(UringException.class, () -> Ring.open(new RingOptions(8).cqSize(4)));
        assertEquals(Errno.EINVAL, e.errnoValue());
    }

    @Test
    void tooManyEntriesWithoutClampIsRejected() {
        UringException e = assertThrows(UringException.class, () -> Ring.open(new RingOptions(4).cqSize(1 << 24)));
        assertEquals(Errno.EINVAL, e.errnoValue());
    }

    @Test
    void clampLimitsAnOversizedCompletionQueue() throws Exception {
        try (Ring ring = KernelAssumptions.openOrSkip(new RingOptions(4).cqSize(1 << 24).clamp(), "IORING_SETUP_CLAMP")) {
            assertEquals(65536, ring.cqEntries(), "clamped to IORING_MAX_CQ_ENTRIES");
            nopRoundTrip(ring, 1);
        }
    }

    @Test
    void clampLimitsAnOversizedSubmissionQueue() throws Exception {
        // io_uring_setup.c: with CLAMP, 100000 entries become IORING_MAX_ENTRIES (32768) instead of EINVAL.
        try (Ring ring = KernelAssumptions.openOrSkip(new RingOptions(100_000).clamp(), "IORING_SETUP_CLAMP")) {
            assertEquals(32768, ring.sqEntries());
            assertEquals(65536, ring.cqEntries());
            nopRoundTrip(ring, 1);
        }
    }

    @Test
    void sqPollCompletesNopsAndWakesTheThreadAfterItSlept() throws Exception {
        KernelAssumptions.assumeRoot();  // SQPOLL needed CAP_SYS_ADMIN before 5.11
        try (Ring ring = KernelAssumptions.openOrSkip(new RingOptions(8).sqPoll(1), "IORING_SETUP_SQPOLL")) {
            assertTrue((ring.setupFlags() & Uapi.IORING_SETUP_SQPOLL) != 0);
            for (int i = 0; i < 4; i++) {
                ring.getSqe().prepNop().userData(i);
            }
            ring.submit();
            Map<Long, Cqe> first = awaitAll(ring, 4);
            assertEquals(Set.of(0L, 1L, 2L, 3L), first.keySet());

            // Far beyond the 1 ms idle time: the poller has gone to sleep and set NEED_WAKEUP,
            // so this submit must wake it (IORING_ENTER_SQ_WAKEUP) for the NOPs to complete.
            Thread.sleep(200);
            for (int i = 4; i < 8; i++) {
                ring.getSqe().prepNop().userData(i);
            }
            ring.submit();
            assertEquals(Set.of(4L, 5L, 6L, 7L), awaitAll(ring, 4).keySet());
        }
    }

    @Test
    void sqPollSubmitReturnsHowManyEntriesItPublished() throws Exception {
        // Ring.submit's contract with SQPOLL: "how many were published to the poller". The poller
        // may consume entries at any moment, so the count must not depend on how far it got.
        KernelAssumptions.assumeRoot();
        try (Ring ring = KernelAssumptions.openOrSkip(new RingOptions(8).sqPoll(1000), "IORING_SETUP_SQPOLL")) {
            for (int i = 0; i < 200; i++) {
                // Two batches back to back: the poller may be anywhere in the first when the second is published.
                for (int batch = 0; batch < 2; batch++) {
                    // The poller posts a batch's completions before it moves the SQ head past the
                    // batch: wait (bounded) for the entries to be free, as io_uring_sqring_wait would.
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (ring.sqSpaceLeft() < 4 && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    for (int j = 0; j < 4; j++) {
                        ring.getSqe().prepNop().userData(batch * 4 + j);
                    }
                    assertEquals(4, ring.submit(), "round " + i + ", batch " + batch + " published four entries");
                }
                awaitAll(ring, 8);
            }
        }
    }

    @Test
    void sqPollOnCpuZero() throws Exception {
        KernelAssumptions.assumeRoot();
        try (Ring ring = KernelAssumptions.openOrSkip(new RingOptions(4).sqPoll(10).sqThreadCpu(0),
                "IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF")) {
            assertTrue((ring.setupFlags() & Uapi.IORING_SETUP_SQ_AFF) != 0);
            nopRoundTrip(ring, 1);
            nopRoundTrip(ring, 2);
        }
    }

    @Test
    void sqPollRingReadsFromAPipe() throws Exception {
        KernelAssumptions.assumeRoot();
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open();
             Ring ring = KernelAssumptions.openOrSkip(new RingOptions(4).sqPoll(50), "IORING_SETUP_SQPOLL")) {
            KernelAssumptions.assumeFeature(ring, Feature.SQPOLL_NONFIXED);
            MemorySegment buf = arena.allocate(3);
            ring.getSqe().prepRead(pipe.reader(), buf, -1).userData(1);
            ring.submit();
            pipe.write((byte) 1, (byte) 2, (byte) 3);
            assertCqe(1, 3, await(ring));
        }
    }

    @Test
    void singleIssuerAcceptsTheCreatorAndRejectsAnotherThread() throws Exception {
        try (Ring ring = KernelAssumptions.openOrSkip(new RingOptions(4).singleIssuer(), "IORING_SETUP_SINGLE_ISSUER")) {
            nopRoundTrip(ring, 1);

            ring.getSqe().prepNop().userData(2);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    ring.submit();
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            other.join(WAIT.toMillis());
            assertFalse(other.isAlive());
            UringException e = assertThrows(UringException.class, () -> {
                if (failure.get() != null) {
                    throw failure.get();
                }
            }, "a thread other than the issuer must not submit");
            assertEquals(Errno.EEXIST, e.errnoValue());

            // The entry is still queued; its owner submits it.
            assertEquals(1, ring.submit());
            assertCqe(2, 0, await(ring));
        }
    }

    @Test
    void disabledRingRefusesSubmissionsUntilEnabled() throws Exception {
        try (Ring ring = KernelAssumptions.openOrSkip(new RingOptions(4).disabled(), "IORING_SETUP_R_DISABLED")) {
            ring.getSqe().prepNop().userData(1);
            UringException e = assertThrows(UringException.class, ring::submit);
            assertEquals(Errno.EBADFD, e.errnoValue());
            ring.enable();
            assertEquals(1, ring.submit());
            assertCqe(1, 0, await(ring));
        }
    }

    @Test
    void deferTaskrunPostsCompletionsOnlyWhenTheIssuerAsks() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open();
             Ring ring = KernelAssumptions.openOrSkip(new RingOptions(8).deferTaskrun(), "IORING_SETUP_DEFER_TASKRUN")) {
            int flags = ring.setupFlags();
            assertTrue((flags & Uapi.IORING_SETUP_DEFER_TASKRUN) != 0 && (flags & Uapi.IORING_SETUP_SINGLE_ISSUER) != 0);

            // Inline completions: copyCqes right after submit gets them.
            for (int i = 0; i < 4; i++) {
                ring.getSqe().prepNop().userData(i);
            }
            assertEquals(4, ring.submit());
            CqeBatch batch = new CqeBatch(8);
            assertEquals(4, ring.copyCqes(batch));

            // A read finished by task work: the work waits for the issuer to enter the kernel.
            ring.getSqe().prepRead(pipe.reader(), arena.allocate(1), -1).userData(10);
            assertEquals(1, ring.submit());
            pipe.write((byte) 1);
            assertEquals(0, ring.cqReady(), "DEFER_TASKRUN runs completion work only in io_uring_enter");
            int n = 0;
            for (int i = 0; i < 100 && n == 0; i++) {
                n = ring.copyCqes(batch);   // enters with GETEVENTS, which runs the deferred work
                if (n == 0) {
                    Thread.onSpinWait();
                }
            }
            assertEquals(1, n);
            assertEquals(new Cqe(10, 1, 0), batch.get(0));

            // And a waiter gets it too.
            ring.getSqe().prepRead(pipe.reader(), arena.allocate(1), -1).userData(11);
            assertEquals(1, ring.submit());
            assertNothingCompletes(ring);
            pipe.write((byte) 2);
            assertCqe(11, 1, await(ring));
        }
    }

    @Test
    void coopTaskrunWithTaskrunFlag() throws Exception {
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open();
             Ring ring = KernelAssumptions.openOrSkip(new RingOptions(4).coopTaskrun().taskrunFlag(),
                     "IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG")) {
            nopRoundTrip(ring, 1);
            ring.getSqe().prepRead(pipe.reader(), arena.allocate(1), -1).userData(2);
            assertEquals(1, ring.submit());
            pipe.write((byte) 7);
            assertCqe(2, 1, await(ring));
        }
    }

    private static void submitBatchWithABadEntry(Ring ring) {
        ring.getSqe().prepNop().userData(1);
        ring.getSqe().prepNop().rwFlags(1 << 30).userData(2);   // an unknown nop flag: fails to prepare
        ring.getSqe().prepNop().userData(3);
    }

    @Test
    void badEntryEndsSubmissionWithoutSubmitAll() throws Exception {
        try (Ring ring = Ring.open(4)) {
            submitBatchWithABadEntry(ring);
            assertEquals(2, ring.submit(), "the failed entry counts; the one after it stays queued");
            assertEquals(1, ring.sqReady());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(0, cqes.get(1L).res());
            assertEquals(-Errno.EINVAL.number(), cqes.get(2L).res());
            assertEquals(1, ring.submit());
            assertCqe(3, 0, await(ring));
        }
    }

    @Test
    void submitAllKeepsGoingAfterABadEntry() throws Exception {
        try (Ring ring = KernelAssumptions.openOrSkip(new RingOptions(4).submitAll(), "IORING_SETUP_SUBMIT_ALL")) {
            submitBatchWithABadEntry(ring);
            assertEquals(3, ring.submit());
            assertEquals(0, ring.sqReady());
            Map<Long, Cqe> cqes = awaitAll(ring, 3);
            assertEquals(0, cqes.get(1L).res());
            assertEquals(-Errno.EINVAL.number(), cqes.get(2L).res());
            assertEquals(0, cqes.get(3L).res());
        }
    }

    @Test
    void noSqArrayConsumesEntriesInRingOrderAcrossWraps() throws Exception {
        try (Ring ring = KernelAssumptions.openOrSkip(new RingOptions(4).noSqArray(), "IORING_SETUP_NO_SQARRAY")) {
            assertTrue((ring.setupFlags() & Uapi.IORING_SETUP_NO_SQARRAY) != 0);
            int next = 0;
            for (int round = 0; round < 5; round++) {
                int batch = 1 + round % 4;      // uneven batches so the ring wraps at different slots
                for (int i = 0; i < batch; i++) {
                    ring.getSqe().prepNop().userData(next + i);
                }
                assertEquals(batch, ring.submit());
                for (int i = 0; i < batch; i++) {
                    assertCqe(next + i, 0, await(ring));
                }
                next += batch;
            }
        }
    }

    @Test
    void sqe128GivesEightyBytesOfCommandData() throws Exception {
        try (Ring ring = KernelAssumptions.openOrSkip(new RingOptions(4).sqe128(), "IORING_SETUP_SQE128")) {
            Sqe sqe = ring.getSqe().prepNop().userData(1);
            assertEquals(80, sqe.cmdData().byteSize());
            assertEquals(1, ring.submit());
            assertCqe(1, 0, await(ring));
            nopRoundTrip(ring, 2);
        }
    }

    @Test
    void cmdDataNeedsSqe128() throws Exception {
        try (Ring ring = Ring.open(4)) {
            assertThrows(IllegalStateException.class, () -> ring.getSqe().cmdData());
        }
    }

    @Test
    void cqe32CarriesZeroExtraWordsForANop() throws Exception {
        try (Ring ring = KernelAssumptions.openOrSkip(new RingOptions(4).cqe32(), "IORING_SETUP_CQE32")) {
            for (int i = 0; i < 3; i++) {
                ring.getSqe().prepNop().userData(i);
            }
            assertEquals(3, ring.submit());
            CqeBatch batch = new CqeBatch(8, true);
            int n = 0;
            for (int round = 0; round < 10 && n < 3; round++) {
                n += ring.copyCqes(batch);
                for (int i = 0; i < batch.count(); i++) {
                    assertEquals(0, batch.res(i));
                    assertEquals(0, batch.big(i, 0));
                    assertEquals(0, batch.big(i, 1));
                }
            }
            assertEquals(3, n);
            nopRoundTrip(ring, 9);
        }
    }

    @Test
    void cqeMixedDeliversBothSizesAndHidesPaddingAtTheWrap() throws Exception {
        QueueTestSupport.assumeKernelAtLeast(6, 18);
        try (Ring ring = KernelAssumptions.openOrSkip(new RingOptions(8).cqeMixed(), "IORING_SETUP_CQE_MIXED")) {
            assumeTrue(ring.cqEntries() == 16, "the wrap below assumes 16 CQ slots");
            CqeBatch batch = new CqeBatch(16, true);
            // 2 small + 2 big + 2 small = 8 slots
            queueNops(ring, 1, 2, false);
            queueNops(ring, 3, 2, true);
            queueNops(ring, 5, 2, false);
            assertEquals(6, ring.submit());
            assertEquals(6, ring.copyCqes(batch));
            for (int i = 0; i < 6; i++) {
                assertMixed(batch, i, i + 1, i == 2 || i == 3);
            }
            // Head now at slot 8: three more small move it to 11.
            queueNops(ring, 10, 3, false);
            assertEquals(3, ring.submit());
            assertEquals(3, ring.copyCqes(batch));
            // Slots 11-14 small, then a big one that does not fit in slot 15: the kernel pads slot 15
            // with a skip entry and puts the big CQE in slots 0-1; a last small one goes to slot 2.
            queueNops(ring, 20, 4, false);
            queueNops(ring, 24, 1, true);
            queueNops(ring, 25, 1, false);
            assertEquals(6, ring.submit());
            int n = 0;
            long[] expected = {20, 21, 22, 23, 24, 25};
            for (int round = 0; round < 10 && n < 6; round++) {
                int got = ring.copyCqes(batch);
                for (int i = 0; i < got; i++) {
                    assertMixed(batch, i, expected[n + i], expected[n + i] == 24);
                }
                n += got;
            }
            assertEquals(6, n, "the skip entry is consumed, never returned");
            assertEquals(0, ring.cqReady());
            assertNull(ring.pollCqe());
        }
    }

    @Test
    void cqeMixedAcrossManyWrapsWithEveryReapingStyle() throws Exception {
        QueueTestSupport.assumeKernelAtLeast(6, 18);
        try (Ring ring = KernelAssumptions.openOrSkip(new RingOptions(8).cqeMixed(), "IORING_SETUP_CQE_MIXED")) {
            BitSet seen = new BitSet();
            CqeBatch batch = new CqeBatch(16);
            long next = 0;
            for (int round = 0; round < 60; round++) {
                int count = 1 + round % 5;
                for (int i = 0; i < count; i++, next++) {
                    Sqe sqe = ring.getSqe().prepNop().userData(next);
                    if (next % 3 == 0) {
                        sqe.rwFlags(IORING_NOP_CQE32);
                    }
                }
                assertEquals(count, ring.submit());
                int got = 0;
                while (got < count) {
                    switch (round % 3) {
                        case 0 -> {
                            int n = ring.copyCqes(batch);
                            for (int i = 0; i < n; i++) {
                                markMixed(seen, batch.userData(i), batch.flags(i));
                            }
                            got += n;
                        }
                        case 1 -> got += ring.forEachCqe((ud, res, flags) -> markMixed(seen, ud, flags));
                        default -> {
                            Cqe cqe = await(ring);
                            markMixed(seen, cqe.userData(), cqe.flags());
                            got++;
                        }
                    }
                }
                assertEquals(count, got);
            }
            assertEquals(next, seen.cardinality());
        }
    }

    private static void queueNops(Ring ring, long firstUserData, int n, boolean big) {
        for (int i = 0; i < n; i++) {
            Sqe sqe = ring.getSqe().prepNop().userData(firstUserData + i);
            if (big) {
                sqe.rwFlags(IORING_NOP_CQE32);
            }
        }
    }

    private static void assertMixed(CqeBatch batch, int i, long userData, boolean big) {
        assertEquals(userData, batch.userData(i));
        assertEquals(0, batch.res(i));
        assertEquals(0, batch.flags(i) & Uapi.IORING_CQE_F_SKIP, "a skip entry reached the caller");
        assertEquals(big, (batch.flags(i) & Uapi.IORING_CQE_F_32) != 0, "IORING_CQE_F_32 of " + userData);
        assertEquals(0, batch.big(i, 0));
        assertEquals(0, batch.big(i, 1));
    }

    private static void markMixed(BitSet seen, long userData, int flags) {
        assertEquals(0, flags & Uapi.IORING_CQE_F_SKIP, "a skip entry reached the caller");
        assertEquals(userData % 3 == 0, (flags & Uapi.IORING_CQE_F_32) != 0, "IORING_CQE_F_32 of " + userData);
        assertFalse(seen.get((int) userData), "completed twice: " + userData);
        seen.set((int) userData);
    }

    @Test
    void attachWqSharesTheFirstRingsWorkers() throws Exception {
        try (Ring first = Ring.open(4);
             Ring second = KernelAssumptions.openOrSkip(new RingOptions(4).attachWq(first), "IORING_SETUP_ATTACH_WQ")) {
            assertTrue((second.setupFlags() & Uapi.IORING_SETUP_ATTACH_WQ) != 0);
            // IOSQE_ASYNC sends the NOPs to io-wq, which the second ring shares with the first.
            first.getSqe().prepNop().userData(1).async();
            second.getSqe().prepNop().userData(2).async();
            assertEquals(1, first.submit());
            assertEquals(1, second.submit());
            assertCqe(1, 0, await(first));
            assertCqe(2, 0, await(second));
        }
    }

    @Test
    void attachWqWithSqPollSharesOnePoller() throws Exception {
        // sq-poll-share.c: a second SQPOLL ring attached to the first is served by the same thread.
        KernelAssumptions.assumeRoot();
        try (Ring first = KernelAssumptions.openOrSkip(new RingOptions(4).sqPoll(100), "IORING_SETUP_SQPOLL");
             Ring second = KernelAssumptions.openOrSkip(new RingOptions(4).sqPoll(100).attachWq(first),
                     "IORING_SETUP_SQPOLL | IORING_SETUP_ATTACH_WQ")) {
            for (int round = 0; round < 3; round++) {
                first.getSqe().prepNop().userData(round);
                second.getSqe().prepNop().userData(100 + round);
                first.submit();
                second.submit();
                assertCqe(round, 0, await(first));
                assertCqe(100 + round, 0, await(second));
            }
        }
    }

    @Test
    void attachWqToAClosedRingFails() throws Exception {
        Ring closed = Ring.open(4);
        closed.close();
        // Its fd number is free (ENXIO), or reused by some other file (EINVAL: not an io_uring).
        UringException e = assertThrows(UringException.class, () -> Ring.open(new RingOptions(4).attachWq(closed)));
        assertTrue(Set.of(Errno.ENXIO, Errno.EBADF, Errno.EINVAL).contains(e.errnoValue()), e.getMessage());
    }

    @Test
    void registeredRingFdIsUsedForEnterAndCanBeDropped() throws Exception {
        try (Ring ring = KernelAssumptions.openOrSkip(new RingOptions(4).registerRingFd(), "registered ring fd")) {
            int index = ring.registeredRingIndex();
            assertTrue(index >= 0, "registered index " + index);
            assertEquals(index, ring.registerRingFd(), "registering again is a no-op");
            nopRoundTrip(ring, 1);
            assertNull(ring.waitCqe(java.time.Duration.ofMillis(5)));   // EXT_ARG wait through the registered fd

            ring.unregisterRingFd();
            assertEquals(-1, ring.registeredRingIndex());
            nopRoundTrip(ring, 2);
        }
    }

    @Test
    void ioPollRingRunsANop() throws Exception {
        try (Ring ring = KernelAssumptions.openOrSkip(new RingOptions(4).ioPoll(), "IORING_SETUP_IOPOLL")) {
            ring.getSqe().prepNop().userData(1);
            assertEquals(1, ring.submit());
            Cqe cqe = await(ring);
            assumeTrue(cqe.res() != -Errno.EINVAL.number(), "this kernel refuses NOP on an IOPOLL ring");
            assertCqe(1, 0, cqe);
        }
    }

    @Test
    void kernelReportsTheBaseFeatures() throws Exception {
        QueueTestSupport.assumeKernelAtLeast(5, 11);
        try (Ring ring = Ring.open(4)) {
            Set<Feature> features = ring.features();
            assertTrue(features.containsAll(EnumSet.of(Feature.SINGLE_MMAP, Feature.NODROP, Feature.EXT_ARG)),
                    "features " + features);
            for (Feature f : Feature.values()) {
                assertEquals(features.contains(f), ring.hasFeature(f), f.name());
            }
        }
    }

    @Test
    void kernel618ReportsEveryKnownFeature() throws Exception {
        QueueTestSupport.assumeKernelAtLeast(6, 18);
        try (Ring ring = Ring.open(4)) {
            assertEquals(EnumSet.allOf(Feature.class), ring.features());
        }
    }

    @Test
    void ringsGetDistinctFds() throws Exception {
        try (Ring a = Ring.open(2); Ring b = Ring.open(2)) {
            assertNotEquals(a.fd(), b.fd());
            nopRoundTrip(a, 1);
            nopRoundTrip(b, 2);
        }
    }
}
