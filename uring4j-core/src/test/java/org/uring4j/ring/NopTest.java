package org.uring4j.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class NopTest {

    @Test
    void nopCompletesWithItsUserData() throws Exception {
        try (Ring ring = Ring.open(8)) {
            ring.getSqe().prepNop().userData(42);
            assertEquals(1, ring.submit());
            Cqe cqe = ring.waitCqe();
            assertEquals(new Cqe(42, 0, 0), cqe);
        }
    }

    @Test
    void batchOfNopsIsCopiedWithOneHeadUpdate() throws Exception {
        try (Ring ring = Ring.open(32)) {
            for (int i = 0; i < 32; i++) {
                ring.getSqe().prepNop().userData(i);
            }
            assertEquals(32, ring.submitAndWait(32));
            CqeBatch batch = new CqeBatch(64);
            assertEquals(32, ring.copyCqes(batch));
            long sum = 0;
            for (int i = 0; i < batch.count(); i++) {
                sum += batch.userData(i);
            }
            assertEquals(31 * 32 / 2, sum);
            assertEquals(0, ring.cqReady());
        }
    }

    @Test
    void fullSubmissionQueueIsReportedLoudly() throws Exception {
        try (Ring ring = Ring.open(4)) {
            for (int i = 0; i < 4; i++) {
                ring.getSqe().prepNop();
            }
            assertThrows(SubmissionQueueFullException.class, ring::getSqe);
            assertEquals(4, ring.submit());
            ring.getSqe().prepNop();
        }
    }

    @Test
    void waitWithTimeoutReturnsNullWhenNothingCompletes() throws Exception {
        try (Ring ring = Ring.open(4)) {
            assertEquals(null, ring.waitCqe(Duration.ofMillis(20)));
        }
    }

    @Test
    void closedRingThrowsTypedException() throws Exception {
        Ring ring = Ring.open(4);
        ring.close();
        ring.close();
        assertTrue(ring.isClosed());
        assertThrows(RingClosedException.class, ring::getSqe);
        assertThrows(RingClosedException.class, ring::submit);
    }
}
