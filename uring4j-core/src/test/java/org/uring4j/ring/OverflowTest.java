package org.uring4j.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.ring.QueueTestSupport.WAIT;
import static org.uring4j.ring.QueueTestSupport.assertCqe;
import static org.uring4j.ring.QueueTestSupport.await;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.uring4j.UringException;
import org.uring4j.ring.QueueTestSupport.Pipe;

/**
 * A completion queue that fills up (CQ overflow with IORING_FEAT_NODROP) and a submission queue
 * that fills up: the semantics of liburing's cq-overflow.c, cq-full.c, sq-full.c, sq-space_left.c
 * and submit-reuse.c.
 */
class OverflowTest {
    private static final int SQ = 4;

    /** A ring whose CQ is as small as its SQ (4): 16 NOPs overflow it by 12. */
    private static Ring tinyCqRing(RingOptions options) throws UringException {
        Ring ring = KernelAssumptions.openOrSkip(options, "IORING_SETUP_CQSIZE");
        KernelAssumptions.assumeFeature(ring, Feature.NODROP);
        return ring;
    }

    /** Submits {@code batches} batches of {@link #SQ} NOPs with user_data 0, 1, 2, ... without reaping. */
    private static int submitBatches(Ring ring, int batches) throws UringException {
        int next = 0;
        for (int b = 0; b < batches; b++) {
            for (int j = 0; j < SQ; j++) {
                ring.getSqe().prepNop().userData(next++);
            }
            assertEquals(SQ, ring.submit(), "batch " + b + " is accepted although the CQ is full");
        }
        return next;
    }

    @Test
    void overflowLosesNothingWhenReapedWithCopyCqes() throws Exception {
        try (Ring ring = tinyCqRing(new RingOptions(SQ).cqSize(SQ))) {
            assertEquals(SQ, ring.cqEntries());
            int total = submitBatches(ring, 4);
            assertEquals(ring.cqEntries(), ring.cqReady(), "the CQ ring itself holds only cqEntries");

            // Each copy drains the ring; the next finds it empty, sees IORING_SQ_CQ_OVERFLOW and
            // asks the kernel to flush the backlog into it.
            List<Long> seen = new ArrayList<>();
            CqeBatch batch = new CqeBatch(64);
            for (int round = 0; round < 100 && seen.size() < total; round++) {
                int n = ring.copyCqes(batch);
                assertTrue(n <= ring.cqEntries());
                for (int i = 0; i < n; i++) {
                    assertEquals(0, batch.res(i));
                    seen.add(batch.userData(i));
                }
            }
            assertInOrder(total, seen);
            assertEquals(0, ring.copyCqes(batch));
            assertEquals(0, ring.cqOverflow(), "with NODROP no completion is counted as dropped");
        }
    }

    @Test
    void overflowLosesNothingWhenReapedWithForEachCqe() throws Exception {
        try (Ring ring = tinyCqRing(new RingOptions(SQ).cqSize(SQ))) {
            int total = submitBatches(ring, 5);
            List<Long> seen = new ArrayList<>();
            for (int round = 0; round < 100 && seen.size() < total; round++) {
                ring.forEachCqe((userData, res, flags) -> {
                    assertEquals(0, res);
                    seen.add(userData);
                });
            }
            assertInOrder(total, seen);
            assertNull(ring.pollCqe());
        }
    }

    @Test
    void overflowLosesNothingWhenReapedOneByOne() throws Exception {
        try (Ring ring = tinyCqRing(new RingOptions(SQ).cqSize(SQ))) {
            int total = submitBatches(ring, 4);
            List<Long> seen = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                seen.add(await(ring).userData());
            }
            assertInOrder(total, seen);
            assertNull(ring.pollCqe());
        }
    }

    @Test
    void defaultSizedCqOverflowsAndRecovers() throws Exception {
        // cq-full.c: three batches of 4 on a 4-entry ring (CQ of 8) overflow by 4.
        try (Ring ring = Ring.open(SQ)) {
            KernelAssumptions.assumeFeature(ring, Feature.NODROP);
            int total = submitBatches(ring, 3);
            assertTrue(total > ring.cqEntries());
            List<Long> seen = new ArrayList<>();
            Cqe cqe;
            while ((cqe = ring.pollCqe()) != null) {
                seen.add(cqe.userData());
            }
            assertInOrder(total, seen);
        }
    }

    @Test
    void submissionsAfterAnOverflowCompleteAfterTheBacklog() throws Exception {
        try (Ring ring = tinyCqRing(new RingOptions(SQ).cqSize(SQ))) {
            int total = submitBatches(ring, 3);
            ring.getSqe().prepNop().userData(total);
            assertEquals(1, ring.submit());
            List<Long> seen = new ArrayList<>();
            for (int i = 0; i <= total; i++) {
                seen.add(await(ring).userData());
            }
            assertInOrder(total + 1, seen);
        }
    }

    @Test
    void overflowOfDeferredTaskWorkCompletions() throws Exception {
        // Reads completed by (deferred) task work also overflow without loss; only the issuer can flush.
        try (Arena arena = Arena.ofConfined(); Pipe pipe = Pipe.open();
             Ring ring = tinyCqRing(new RingOptions(SQ).cqSize(SQ).deferTaskrun())) {
            int reads = 3 * SQ;
            for (int i = 0; i < reads; i++) {
                if (ring.sqSpaceLeft() == 0) {
                    ring.submit();
                }
                ring.getSqe().prepRead(pipe.reader(), arena.allocate(1), -1).userData(i);
            }
            ring.submit();
            byte[] data = new byte[reads];
            pipe.write(data);
            BitSet seen = new BitSet();
            CqeBatch batch = new CqeBatch(3);
            for (int round = 0; round < 1000 && seen.cardinality() < reads; round++) {
                int n = ring.copyCqes(batch);
                for (int i = 0; i < n; i++) {
                    record(seen, batch.get(i));
                }
                if (n == 0) {
                    record(seen, await(ring));   // wait for task work the copy could not run yet
                }
            }
            assertEquals(reads, seen.cardinality());
        }
    }

    @Test
    void fullSubmissionQueueThrowsAndRecoversAfterSubmit() throws Exception {
        try (Ring ring = Ring.open(8)) {
            assertEquals(8, ring.sqEntries());
            assertEquals(8, ring.sqSpaceLeft());
            assertEquals(0, ring.sqReady());
            for (int i = 0; i < 8; i++) {
                ring.getSqe().prepNop().userData(i);
                assertEquals(7 - i, ring.sqSpaceLeft());
                assertEquals(i + 1, ring.sqReady());
            }
            assertThrows(SubmissionQueueFullException.class, ring::getSqe);
            assertThrows(SubmissionQueueFullException.class, ring::getSqe);   // still full, nothing lost
            assertEquals(0, ring.sqSpaceLeft());
            assertEquals(8, ring.submit());
            assertEquals(8, ring.sqSpaceLeft());
            assertEquals(0, ring.sqReady());

            ring.getSqe().prepNop().userData(8);
            assertEquals(1, ring.submit());
            List<Long> seen = new ArrayList<>();
            for (int i = 0; i <= 8; i++) {
                seen.add(await(ring).userData());
            }
            assertInOrder(9, seen);
            assertEquals(0, ring.sqDropped());
        }
    }

    @Test
    void entriesSubmittedInPartsAllComplete() throws Exception {
        // submit-reuse.c in spirit: an SQE slot is reused once the kernel consumed it.
        try (Ring ring = Ring.open(2)) {
            BitSet seen = new BitSet();
            for (int i = 0; i < 64; i++) {
                ring.getSqe().prepNop().userData(i);
                assertEquals(1, ring.submit());
                Cqe cqe = await(ring);
                assertCqe(i, 0, cqe);
                seen.set(i);
            }
            assertEquals(64, seen.cardinality());
        }
    }

    @Test
    void tenThousandNopsThroughAnEightEntryRing() throws Exception {
        final int total = 10_000;
        try (Ring ring = Ring.open(8)) {
            BitSet seen = new BitSet(total);
            CqeBatch batch = new CqeBatch(32);
            int next = 0;
            int inFlight = 0;
            int completed = 0;
            int[] duplicates = {0};
            while (completed < total) {
                while (next < total && ring.sqSpaceLeft() > 0 && inFlight < ring.cqEntries()) {
                    ring.getSqe().prepNop().userData(next++);
                    inFlight++;
                }
                int n = ring.submitAndWait(batch, 1, WAIT);
                assertTrue(n > 0, "no progress after " + completed + " completions");
                for (int i = 0; i < n; i++) {
                    assertEquals(0, batch.res(i));
                    int ud = (int) batch.userData(i);
                    if (seen.get(ud)) {
                        duplicates[0]++;
                    }
                    seen.set(ud);
                }
                completed += n;
                inFlight -= n;
            }
            assertEquals(0, duplicates[0], "user_data completed more than once");
            assertEquals(total, seen.cardinality());
            assertEquals(total, completed);
            assertNull(ring.pollCqe());
        }
    }

    private static void record(BitSet seen, Cqe read) {
        assertEquals(1, read.res(), "read " + read);
        assertFalse(seen.get((int) read.userData()), "completed twice: " + read);
        seen.set((int) read.userData());
    }

    private static void assertInOrder(int total, List<Long> seen) {
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < total; i++) {
            expected.add(i);
        }
        assertEquals(expected, seen, "every completion exactly once, in submission order");
    }
}
