package org.uring4j.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

/**
 * getSqe no longer zeroes an entry: the prep writes all of it. These check that nothing of a
 * slot's previous op survives into the next one, whichever way the entry is filled.
 */
class SqeReuseTest {

    /** One slot, so every entry reuses the bytes of the one before. */
    private static Ring oneSlot() throws Exception {
        Ring ring = Ring.open(1);
        assertEquals(1, ring.sqEntries());
        return ring;
    }

    /** Fills the slot with an op that sets op flags, len, IOSQE flags and user_data, and reaps it. */
    private static void dirty(Ring ring) throws Exception {
        KernelAssumptions.assumeNopInjectsResults(); // else the dirtied entry's result is 0, as a clean one's
        ring.getSqe().prepNop(7).userData(99).async();
        ring.submitAndWait(1);
        assertEquals(new Cqe(99, 7, 0), ring.waitCqe());
    }

    @Test
    void aPrepOnAReusedSlotStartsFromZero() throws Exception {
        try (Ring ring = oneSlot()) {
            dirty(ring);
            Sqe sqe = ring.getSqe().prepNop();
            assertEquals(0, sqe.flags());
            assertEquals(0, sqe.userData());
            ring.submitAndWait(1);
            assertEquals(new Cqe(0, 0, 0), ring.waitCqe(), "no injected result, no user_data left over");
        }
    }

    @Test
    void anEntryNobodyPreparedIsANopWithUserDataZero() throws Exception {
        try (Ring ring = oneSlot()) {
            dirty(ring);
            ring.getSqe();
            assertEquals(1, ring.submit());
            assertEquals(new Cqe(0, 0, 0), ring.waitCqe());
        }
    }

    @Test
    void settingsBeforeThePrepAreKept() throws Exception {
        try (Ring ring = oneSlot()) {
            dirty(ring);
            Sqe sqe = ring.getSqe().userData(5);
            assertEquals(0, sqe.opcode(), "reading a fresh entry sees zeros");
            sqe.prepNop();
            ring.submitAndWait(1);
            assertEquals(new Cqe(5, 0, 0), ring.waitCqe());
        }
    }

    @Test
    void aSettingAloneStillMakesAZeroedNop() throws Exception {
        try (Ring ring = oneSlot()) {
            dirty(ring);
            ring.getSqe().userData(6);
            ring.submitAndWait(1);
            assertEquals(new Cqe(6, 0, 0), ring.waitCqe());
        }
    }

    @Test
    void theUpperHalfOfA128ByteEntryIsZeroedToo() throws Exception {
        try (Ring ring = Ring.open(new RingOptions(1).sqe128())) {
            Sqe sqe = ring.getSqe().prepNop().userData(1);
            sqe.cmdData().fill((byte) 0x5a);
            ring.submitAndWait(1);
            ring.waitCqe();
            MemorySegment cmd = ring.getSqe().prepNop().cmdData();
            for (long i = 0; i < cmd.byteSize(); i++) {
                assertEquals(0, cmd.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i), "byte " + i);
            }
            ring.submitAndWait(1);
            assertEquals(new Cqe(0, 0, 0), ring.waitCqe());
        }
    }
}
