package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
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
import org.uring4j.sys.Layouts;

/**
 * FUTEX_WAIT, FUTEX_WAKE and FUTEX_WAITV (6.7+) on 32-bit private futex words: the semantics of
 * liburing's futex.c.
 */
class FutexTest {
    private static final int U32_PRIVATE = Uapi.FUTEX2_SIZE_U32 | Uapi.FUTEX2_PRIVATE;
    /** Every bit of a 32-bit futex bitset; the unsigned value, as the kernel validates it against the size. */
    private static final long ANY = 0xffff_ffffL;
    private static final long OFF_VAL = Layouts.offsetOf(Layouts.FUTEX_WAITV, "val");
    private static final long OFF_UADDR = Layouts.offsetOf(Layouts.FUTEX_WAITV, "uaddr");
    private static final long OFF_FLAGS = Layouts.offsetOf(Layouts.FUTEX_WAITV, "flags");

    @BeforeEach
    void needsFutexOps() {
        KernelAssumptions.assumeOp(Opcode.FUTEX_WAIT);
        KernelAssumptions.assumeOp(Opcode.FUTEX_WAKE);
    }

    /** Skips if the kernel has the opcodes but not futex support (CONFIG_FUTEX off): -EOPNOTSUPP or -EINVAL early. */
    private static void assumeWorks(Cqe cqe) {
        assumeTrue(cqe.res() != -Errno.EOPNOTSUPP.number(), "futex ops not supported here: " + cqe);
    }

    private static MemorySegment word(Arena arena, int value) {
        MemorySegment w = arena.allocate(JAVA_INT);
        w.set(JAVA_INT, 0, value);
        return w;
    }

    @Test
    void waitIsWokenByAWakeFromTheSameRing() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            MemorySegment futex = word(arena, 0);
            ring.getSqe().prepFutexWait(futex, 0, ANY, U32_PRIVATE, 0).userData(1);
            assertEquals(1, ring.submit());
            Cqe early = ring.waitCqe(QueueTestSupport.QUIET);
            if (early != null) {
                assumeWorks(early);
            }
            assertEquals(null, early, "the wait must block while the word holds the expected value");

            futex.set(JAVA_INT, 0, 1);
            ring.getSqe().prepFutexWake(futex, 1, ANY, U32_PRIVATE, 0).userData(2);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(0, cqes.get(1L).res(), "woken wait");
            assertEquals(1, cqes.get(2L).res(), "wake reports one woken waiter");
        }
    }

    @Test
    void waitWithAMismatchedValueFailsWithEagain() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            MemorySegment futex = word(arena, 5);
            ring.getSqe().prepFutexWait(futex, 4, ANY, U32_PRIVATE, 0).userData(1);
            assertEquals(1, ring.submit());
            Cqe cqe = await(ring);
            assumeWorks(cqe);
            assertCqe(1, -Errno.EAGAIN.number(), cqe);
        }
    }

    @Test
    void wakeWithoutWaitersWakesNobody() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            ring.getSqe().prepFutexWake(word(arena, 0), 1, ANY, U32_PRIVATE, 0).userData(1);
            assertEquals(1, ring.submit());
            Cqe cqe = await(ring);
            assumeWorks(cqe);
            assertCqe(1, 0, cqe);
        }
    }

    @Test
    void wakeCountLimitsHowManyWaitersWake() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            MemorySegment futex = word(arena, 0);
            for (int i = 1; i <= 3; i++) {
                ring.getSqe().prepFutexWait(futex, 0, ANY, U32_PRIVATE, 0).userData(i);
            }
            assertEquals(3, ring.submit());
            assertNothingCompletes(ring);

            ring.getSqe().prepFutexWake(futex, 2, ANY, U32_PRIVATE, 0).userData(10);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> first = awaitAll(ring, 3);
            assertEquals(2, first.get(10L).res());
            assertEquals(2, first.keySet().stream().filter(k -> k != 10L).count());
            first.values().forEach(c -> assertEquals(c.userData() == 10 ? 2 : 0, c.res(), c.toString()));
            assertNothingCompletes(ring);

            ring.getSqe().prepFutexWake(futex, 10, ANY, U32_PRIVATE, 0).userData(11);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> rest = awaitAll(ring, 2);
            assertEquals(1, rest.get(11L).res());
        }
    }

    @Test
    void wakeOnlyWakesWaitersWhoseBitsetMatches() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            MemorySegment futex = word(arena, 0);
            ring.getSqe().prepFutexWait(futex, 0, 0b01, U32_PRIVATE, 0).userData(1);
            ring.getSqe().prepFutexWake(futex, 1, 0b10, U32_PRIVATE, 0).userData(2);
            assertEquals(2, ring.submit());
            assertCqe(2, 0, await(ring));
            assertNothingCompletes(ring);

            ring.getSqe().prepFutexWake(futex, 1, 0b11, U32_PRIVATE, 0).userData(3);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(0, cqes.get(1L).res());
            assertEquals(1, cqes.get(3L).res());
        }
    }

    @Test
    void liburingStyleMatchAnyConstantWorksAsMask() throws Exception {
        // liburing callers pass FUTEX_BITSET_MATCH_ANY (0xffffffff, unsigned) as the mask; so do Java callers.
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            MemorySegment futex = word(arena, 0);
            ring.getSqe().prepFutexWait(futex, 0, Uapi.FUTEX_BITSET_MATCH_ANY, U32_PRIVATE, 0).userData(1);
            assertEquals(1, ring.submit());
            Cqe early = ring.waitCqe(QueueTestSupport.QUIET);
            assertNull(early, "the wait must block, not fail (-EINVAL: mask wider than 32 bits)");

            ring.getSqe().prepFutexWake(futex, 1, Uapi.FUTEX_BITSET_MATCH_ANY, U32_PRIVATE, 0).userData(2);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(0, cqes.get(1L).res(), "wait with mask FUTEX_BITSET_MATCH_ANY");
            assertEquals(1, cqes.get(2L).res(), "wake with mask FUTEX_BITSET_MATCH_ANY");
        }
    }

    @Test
    void waitIsCancellable() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            MemorySegment futex = word(arena, 0);
            ring.getSqe().prepFutexWait(futex, 0, ANY, U32_PRIVATE, 0).userData(1);
            assertEquals(1, ring.submit());
            ring.getSqe().prepCancel(1, 0).userData(2);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(-Errno.ECANCELED.number(), cqes.get(1L).res());
            assertCancelSucceeded(cqes.get(2L));
        }
    }

    /** Futex cancellation reports how many it cancelled (1 on 6.7-6.18), where most ops report 0. */
    private static void assertCancelSucceeded(Cqe cancel) {
        assertTrue(cancel.res() == 0 || cancel.res() == 1, "cancel result " + cancel);
    }

    /** A {@code struct futex_waitv[n]} over the given words, each expecting 0. */
    private static MemorySegment waitv(Arena arena, MemorySegment... words) {
        MemorySegment v = arena.allocate(Layouts.FUTEX_WAITV, words.length);
        long size = Layouts.FUTEX_WAITV.byteSize();
        for (int i = 0; i < words.length; i++) {
            v.set(JAVA_LONG, i * size + OFF_VAL, 0L);
            v.set(JAVA_LONG, i * size + OFF_UADDR, words[i].address());
            v.set(JAVA_INT, i * size + OFF_FLAGS, U32_PRIVATE);
        }
        return v;
    }

    @Test
    void waitvCompletesWithTheIndexOfTheWokenWord() throws Exception {
        KernelAssumptions.assumeOp(Opcode.FUTEX_WAITV);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            MemorySegment a = word(arena, 0);
            MemorySegment b = word(arena, 0);
            MemorySegment c = word(arena, 0);
            ring.getSqe().prepFutexWaitv(waitv(arena, a, b, c), 3, 0).userData(1);
            assertEquals(1, ring.submit());
            assertNothingCompletes(ring);

            b.set(JAVA_INT, 0, 1);
            ring.getSqe().prepFutexWake(b, 1, ANY, U32_PRIVATE, 0).userData(2);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(1, cqes.get(1L).res(), "index of the word that woke the waitv");
            assertEquals(1, cqes.get(2L).res());
        }
    }

    @Test
    void waitvWithAMismatchedValueFailsWithEagain() throws Exception {
        KernelAssumptions.assumeOp(Opcode.FUTEX_WAITV);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            MemorySegment a = word(arena, 0);
            MemorySegment b = word(arena, 9);    // the waitv expects 0
            ring.getSqe().prepFutexWaitv(waitv(arena, a, b), 2, 0).userData(1);
            assertEquals(1, ring.submit());
            assertCqe(1, -Errno.EAGAIN.number(), await(ring));
        }
    }

    @Test
    void waitvIsCancellable() throws Exception {
        KernelAssumptions.assumeOp(Opcode.FUTEX_WAITV);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(4)) {
            ring.getSqe().prepFutexWaitv(waitv(arena, word(arena, 0), word(arena, 0)), 2, 0).userData(1);
            assertEquals(1, ring.submit());
            ring.getSqe().prepCancel(1, 0).userData(2);
            assertEquals(1, ring.submit());
            Map<Long, Cqe> cqes = awaitAll(ring, 2);
            assertEquals(-Errno.ECANCELED.number(), cqes.get(1L).res());
            assertCancelSucceeded(cqes.get(2L));
        }
    }

    @Test
    void wakeFromAnotherThreadsRingWakesTheWait() throws Exception {
        // futex.c: the waker runs on its own ring in another thread.
        try (Arena arena = Arena.ofShared(); Ring ring = Ring.open(4)) {
            MemorySegment futex = word(arena, 0);
            ring.getSqe().prepFutexWait(futex, 0, ANY, U32_PRIVATE, 0).userData(1);
            assertEquals(1, ring.submit());
            int[] woken = {-1};
            Thread waker = Thread.ofPlatform().start(() -> {
                try (Ring other = Ring.open(2)) {
                    futex.set(JAVA_INT, 0, 1);
                    other.getSqe().prepFutexWake(futex, 1, ANY, U32_PRIVATE, 0).userData(2);
                    other.submit();
                    woken[0] = await(other).res();
                } catch (UringException e) {
                    throw new RuntimeException(e);
                }
            });
            assertCqe(1, 0, await(ring));
            waker.join(QueueTestSupport.WAIT.toMillis());
            assertEquals(1, woken[0]);
        }
    }
}
