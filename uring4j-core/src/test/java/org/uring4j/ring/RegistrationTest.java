package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Syscalls;

/**
 * Every {@code register*} call of {@link Ring} against the running kernel: registered files and
 * buffers, provided-buffer rings, personalities, io-wq limits and affinity, eventfd notification,
 * the registered ring fd, restrictions on a disabled ring, synchronous cancel and the probe.
 */
class RegistrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String ALPHA = "alpha file contents";
    private static final String BRAVO = "bravo file contents";

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ registered files

    @Test
    void denseFileTableReadsThroughSlotsAndLeavesMinusOneSlotsEmpty() throws Exception {
        try (Ring ring = Ring.open(8); Arena arena = Arena.ofConfined();
             OwnedFd a = open(write("a", ALPHA), Uapi.O_RDONLY); OwnedFd b = open(write("b", BRAVO), Uapi.O_RDONLY)) {
            ring.registerFiles(a.fd(), -1, b.fd());
            // The table holds its own reference: closing the original descriptor must not matter.
            a.closeEarly();
            assertEquals(ALPHA, readString(ring, arena, Fd.fixed(0)));
            assertEquals(BRAVO, readString(ring, arena, Fd.fixed(2)));
            assertEquals(Errno.EBADF, read(ring, arena, Fd.fixed(1), 16).errno(), "slot registered as -1 is empty");
            assertEquals(Errno.EBADF, read(ring, arena, Fd.fixed(3), 16).errno(), "slot past the table");
        }
    }

    @Test
    void registeringFilesTwiceFailsWithEbusyUntilUnregistered() throws Exception {
        try (Ring ring = Ring.open(8); Arena arena = Arena.ofConfined();
             OwnedFd a = open(write("a", ALPHA), Uapi.O_RDONLY)) {
            ring.registerFiles(a.fd());
            assertErrno(Errno.EBUSY, () -> ring.registerFiles(a.fd()));
            assertErrno(Errno.EBUSY, () -> ring.registerFilesSparse(4));
            ring.unregisterFiles();
            assertEquals(Errno.EBADF, read(ring, arena, Fd.fixed(0), 16).errno(), "no table after unregisterFiles");
            assertErrno(Errno.ENXIO, ring::unregisterFiles);
            ring.registerFiles(a.fd());
            assertEquals(ALPHA, readString(ring, arena, Fd.fixed(0)));
        }
    }

    @Test
    void sparseFileTableIsFilledByUpdate() throws Exception {
        assumeKernel(5, 13, "IORING_REGISTER_FILES2 (sparse tables)");
        try (Ring ring = Ring.open(8); Arena arena = Arena.ofConfined();
             OwnedFd a = open(write("a", ALPHA), Uapi.O_RDONLY); OwnedFd b = open(write("b", BRAVO), Uapi.O_RDONLY)) {
            ring.registerFilesSparse(4);
            assertEquals(Errno.EBADF, read(ring, arena, Fd.fixed(1), 16).errno(), "a sparse slot starts empty");
            assertEquals(1, ring.registerFilesUpdate(1, a.fd()));
            assertEquals(ALPHA, readString(ring, arena, Fd.fixed(1)));
            // FILES_SKIP leaves slot 1 as it is while slot 2 is filled.
            assertEquals(2, ring.registerFilesUpdate(1, Uapi.IORING_REGISTER_FILES_SKIP, b.fd()));
            assertEquals(ALPHA, readString(ring, arena, Fd.fixed(1)));
            assertEquals(BRAVO, readString(ring, arena, Fd.fixed(2)));
            assertEquals(1, ring.registerFilesUpdate(1, -1));
            assertEquals(Errno.EBADF, read(ring, arena, Fd.fixed(1), 16).errno(), "slot emptied by -1");
            ring.unregisterFiles();
        }
    }

    @Test
    void directAllocOpenLandsInTheRegisteredAllocRange() throws Exception {
        assumeKernel(6, 0, "IORING_REGISTER_FILE_ALLOC_RANGE");
        Path file = write("a", ALPHA);
        try (Ring ring = Ring.open(8); Arena arena = Arena.ofConfined()) {
            ring.registerFilesSparse(8);
            ring.registerFileAllocRange(4, 2);
            MemorySegment path = arena.allocateFrom(file.toString());
            Set<Integer> slots = new HashSet<>();
            for (int i = 0; i < 2; i++) {
                ring.getSqe().prepOpenat(Uapi.AT_FDCWD, path, Uapi.O_RDONLY, 0).directAlloc().userData(i);
                Cqe cqe = submitAndWait(ring);
                assertTrue(cqe.res() >= 4 && cqe.res() < 6, "direct slot " + cqe.res() + " outside [4, 6)");
                slots.add(cqe.res());
                assertEquals(ALPHA, readString(ring, arena, Fd.fixed(cqe.res())));
            }
            assertEquals(Set.of(4, 5), slots);
            ring.getSqe().prepOpenat(Uapi.AT_FDCWD, path, Uapi.O_RDONLY, 0).directAlloc();
            assertEquals(Errno.ENFILE, submitAndWait(ring).errno(), "the range is full");
            ring.unregisterFiles();
        }
    }

    // ------------------------------------------------------------------ registered buffers

    @Test
    void registeredBuffersRoundTripThroughWriteFixedAndReadFixed() throws Exception {
        try (Ring ring = Ring.open(8); Arena arena = Arena.ofConfined();
             OwnedFd f = open(dir.resolve("fixed"), Uapi.O_RDWR | Uapi.O_CREAT)) {
            MemorySegment out = arena.allocate(4096, 4096);
            MemorySegment in = arena.allocate(4096, 4096);
            for (int i = 0; i < 4096; i++) {
                out.set(JAVA_BYTE, i, (byte) (i * 31 + 7));
            }
            ring.registerBuffers(out, in);
            assertErrno(Errno.EBUSY, () -> ring.registerBuffers(in));

            ring.getSqe().prepWriteFixed(Fd.raw(f.fd()), out, 0, 0);
            assertEquals(4096, submitAndWait(ring).res());
            ring.getSqe().prepReadFixed(Fd.raw(f.fd()), in, 0, 1);
            assertEquals(4096, submitAndWait(ring).res());
            assertEquals(-1, out.mismatch(in));

            // A part of a registered buffer works too.
            in.fill((byte) 0);
            ring.getSqe().prepReadFixed(Fd.raw(f.fd()), in.asSlice(100, 200), 100, 1);
            assertEquals(200, submitAndWait(ring).res());
            assertEquals(-1, out.asSlice(100, 200).mismatch(in.asSlice(100, 200)));

            // Memory outside buffer 0 cannot be used as buffer 0.
            ring.getSqe().prepReadFixed(Fd.raw(f.fd()), in, 0, 0);
            assertEquals(Errno.EFAULT, submitAndWait(ring).errno());

            ring.unregisterBuffers();
            ring.getSqe().prepReadFixed(Fd.raw(f.fd()), in, 0, 1);
            assertEquals(Errno.EFAULT, submitAndWait(ring).errno(), "no buffers after unregisterBuffers");
            assertErrno(Errno.ENXIO, ring::unregisterBuffers);
        }
    }

    @Test
    void sparseBufferTableIsFilledByUpdate() throws Exception {
        assumeKernel(5, 13, "IORING_REGISTER_BUFFERS2 / BUFFERS_UPDATE");
        try (Ring ring = Ring.open(8); Arena arena = Arena.ofConfined();
             OwnedFd f = open(dir.resolve("fixed"), Uapi.O_RDWR | Uapi.O_CREAT)) {
            MemorySegment out = arena.allocate(4096, 4096);
            MemorySegment in = arena.allocate(4096, 4096);
            out.fill((byte) 0x5a);
            ring.registerBuffersSparse(4);
            ring.getSqe().prepWriteFixed(Fd.raw(f.fd()), out, 0, 2);
            assertEquals(Errno.EFAULT, submitAndWait(ring).errno(), "a sparse buffer slot starts empty");

            assertEquals(1, ring.registerBuffersUpdate(2, out));
            assertEquals(2, ring.registerBuffersUpdate(0, in, in));
            ring.getSqe().prepWriteFixed(Fd.raw(f.fd()), out, 0, 2);
            assertEquals(4096, submitAndWait(ring).res());
            ring.getSqe().prepReadFixed(Fd.raw(f.fd()), in, 0, 1);
            assertEquals(4096, submitAndWait(ring).res());
            assertEquals(-1, out.mismatch(in));
            ring.getSqe().prepReadFixed(Fd.raw(f.fd()), in, 0, 3);
            assertEquals(Errno.EFAULT, submitAndWait(ring).errno(), "slot 3 was never filled");
            ring.unregisterBuffers();
        }
    }

    // ------------------------------------------------------------------ provided-buffer rings

    @Test
    void bufferRingSelectsRecyclesAndUnregistersOnClose() throws Exception {
        assumeKernel(5, 19, "IORING_REGISTER_PBUF_RING");
        boolean hasStatus = kernelAtLeast(6, 8); // IORING_REGISTER_PBUF_STATUS, behind head()
        byte[] data = new byte[4 * 64];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 13 + 1);
        }
        Path file = dir.resolve("data");
        Files.write(file, data);
        try (Ring ring = Ring.open(8); OwnedFd f = open(file, Uapi.O_RDONLY)) {
            MemorySegment expected = MemorySegment.ofArray(data);
            try (BufferRing br = ring.registerBufferRing(7, 4, 64)) {
                Set<Integer> bids = new HashSet<>();
                for (int i = 0; i < 4; i++) {
                    ring.getSqe().prepReadSelect(Fd.raw(f.fd()), 64, 64L * i, 7).userData(i);
                    Cqe cqe = submitAndWait(ring);
                    assertEquals(64, cqe.res(), "read " + i);
                    assertTrue(cqe.hasBuffer(), "completion names no buffer: " + cqe);
                    assertTrue(cqe.bufferId() >= 0 && cqe.bufferId() < 4, "buffer id " + cqe.bufferId());
                    assertEquals(-1, br.buffer(cqe.bufferId()).mismatch(expected.asSlice(64L * i, 64)),
                            "buffer " + cqe.bufferId() + " holds the data read");
                    bids.add(cqe.bufferId());
                    if (hasStatus) {
                        assertEquals(i + 1, br.head(), "the kernel's head counts consumed buffers");
                    }
                }
                assertEquals(4, bids.size(), "each read took a different buffer");
                int firstBid = 0;

                ring.getSqe().prepReadSelect(Fd.raw(f.fd()), 64, 0, 7);
                assertEquals(Errno.ENOBUFS, submitAndWait(ring).errno(), "all buffers are in use");

                br.recycle(firstBid);
                ring.getSqe().prepReadSelect(Fd.raw(f.fd()), 64, 128, 7);
                Cqe cqe = submitAndWait(ring);
                assertEquals(64, cqe.res());
                assertEquals(firstBid, cqe.bufferId(), "the recycled buffer is picked");
                assertEquals(-1, br.buffer(firstBid).mismatch(expected.asSlice(128, 64)));
                if (hasStatus) {
                    assertEquals(5, br.head());
                }
            }
            // close() unregistered group 7: reads from it find no buffers, and the id is free again.
            ring.getSqe().prepReadSelect(Fd.raw(f.fd()), 64, 0, 7);
            assertEquals(Errno.ENOBUFS, submitAndWait(ring).errno());
            try (BufferRing again = ring.registerBufferRing(7, 2, 32)) {
                ring.getSqe().prepReadSelect(Fd.raw(f.fd()), 32, 0, 7);
                Cqe cqe = submitAndWait(ring);
                assertEquals(32, cqe.res());
                assertEquals(-1, again.buffer(cqe.bufferId()).mismatch(expected.asSlice(0, 32)));
            }
        }
    }

    /** A bundle's buffers are the ring entries after its first, whatever order buffers were given back in. */
    @Test
    void bundleBuffersFollowRingOrderNotBufferIds() throws Exception {
        assumeKernel(5, 19, "IORING_REGISTER_PBUF_RING");
        try (Ring ring = Ring.open(8); BufferRing br = ring.registerBufferRing(5, 4, 32)) {
            assertEquals(1, br.bundleBuffer(1, 0));
            assertEquals(3, br.bundleBuffer(1, 2), "registered in id order: entries 1, 2, 3");
            br.recycle(2); // entry 4
            br.recycle(0); // entry 5
            assertEquals(2, br.bundleBuffer(3, 1), "the entry after buffer 3's is buffer 2's");
            assertEquals(0, br.bundleBuffer(3, 2));
            assertEquals(0, br.bundleBuffer(2, 1), "buffer 2 was queued again: its entry is the newer one");
            assertThrows(IllegalStateException.class, () -> br.bundleBuffer(0, 4), "a bundle is never longer than the ring");
            for (int i = 0; i < 8 * 4; i++) {
                br.recycle(1); // the ring comes round: entries far back are forgotten
            }
            assertThrows(IllegalStateException.class, () -> br.bundleBuffer(3, 1));
        }
    }

    @Test
    void registeringABufferGroupTwiceFails() throws Exception {
        assumeKernel(5, 19, "IORING_REGISTER_PBUF_RING");
        try (Ring ring = Ring.open(8); BufferRing br = ring.registerBufferRing(3, 2, 32)) {
            assertErrno(Errno.EEXIST, () -> ring.registerBufferRing(3, 2, 32).close());
            assertEquals(3, br.groupId());
        }
    }

    // ------------------------------------------------------------------ personalities

    @Test
    void personalityIsUsableUntilUnregistered() throws Exception {
        Path file = write("a", ALPHA);
        try (Ring ring = Ring.open(8); Arena arena = Arena.ofConfined()) {
            int id = ring.registerPersonality();
            assertTrue(id > 0, "personality ids start at 1 (0 means none): " + id);
            assertNotEquals(id, ring.registerPersonality(), "each registration gets its own id");

            ring.getSqe().prepNop().personality(id);
            assertEquals(0, submitAndWait(ring).res());
            ring.getSqe().prepOpenat(Uapi.AT_FDCWD, arena.allocateFrom(file.toString()), Uapi.O_RDONLY, 0)
                    .personality(id);
            int fd = submitAndWait(ring).check("OPENAT");
            try (OwnedFd opened = new OwnedFd(fd)) {
                assertEquals(ALPHA, readString(ring, arena, Fd.raw(opened.fd())));
            }

            ring.unregisterPersonality(id);
            ring.getSqe().prepNop().personality(id);
            assertEquals(Errno.EINVAL, submitAndWait(ring).errno(), "an unregistered personality");
            assertErrno(Errno.EINVAL, () -> ring.unregisterPersonality(id));
        }
    }

    @Test
    void unknownPersonalityIsRejected() throws Exception {
        try (Ring ring = Ring.open(8)) {
            ring.getSqe().prepNop().personality(4321);
            assertEquals(Errno.EINVAL, submitAndWait(ring).errno());
            assertErrno(Errno.EINVAL, () -> ring.unregisterPersonality(4321));
        }
    }

    // ------------------------------------------------------------------ io-wq

    @Test
    void ioWqMaxWorkersReadsSetsAndReturnsThePreviousLimits() throws Exception {
        assumeKernel(5, 15, "IORING_REGISTER_IOWQ_MAX_WORKERS");
        try (Ring ring = Ring.open(8)) {
            int[] original = ring.registerIoWqMaxWorkers(0, 0);
            assertEquals(2, original.length);
            assertTrue(original[0] > 0, "bounded worker limit " + original[0]);
            try {
                assertArrayEquals(original, ring.registerIoWqMaxWorkers(0, 0), "(0, 0) only reads");
                assertArrayEquals(original, ring.registerIoWqMaxWorkers(2, 3), "setting returns the previous limits");
                assertArrayEquals(new int[] {2, 3}, ring.registerIoWqMaxWorkers(0, 0));
                assertArrayEquals(new int[] {2, 3}, ring.registerIoWqMaxWorkers(1, 0), "0 leaves unbounded as is");
                assertArrayEquals(new int[] {1, 3}, ring.registerIoWqMaxWorkers(0, 0));
                // Work still runs on the limited pool.
                ring.getSqe().prepNop().async();
                assertEquals(0, submitAndWait(ring).res());
            } finally {
                // The limits belong to this thread's io-wq, which later tests share: put them back.
                ring.registerIoWqMaxWorkers(original[0], original[1] < 0 ? Integer.MAX_VALUE : original[1]);
            }
        }
    }

    @Test
    void ioWqAffinityCanBePinnedToCpu0AndReleased() throws Exception {
        assumeKernel(5, 14, "IORING_REGISTER_IOWQ_AFF");
        try (Ring ring = Ring.open(8)) {
            BitSet cpu0 = new BitSet();
            cpu0.set(0);
            ring.registerIoWqAffinity(cpu0);
            try {
                ring.getSqe().prepNop().async();
                assertEquals(0, submitAndWait(ring).res(), "io-wq work runs with the pinned pool");
            } finally {
                ring.unregisterIoWqAffinity();
            }
            ring.getSqe().prepNop().async();
            assertEquals(0, submitAndWait(ring).res());
            assertThrows(IllegalArgumentException.class, () -> ring.registerIoWqAffinity(new BitSet()));
        }
    }

    // ------------------------------------------------------------------ eventfd

    @Test
    void eventFdIsSignalledOnCompletionUntilUnregistered() throws Exception {
        try (Ring ring = Ring.open(8); OwnedFd efd = eventfd(); Arena arena = Arena.ofConfined()) {
            ring.registerEventFd(efd.fd(), false);
            assertErrno(Errno.EBUSY, () -> ring.registerEventFd(efd.fd(), false));
            ring.getSqe().prepNop();
            submitAndWait(ring);
            assertTrue(readCounter(efd, arena) >= 1, "eventfd counter after a completion");

            ring.unregisterEventFd();
            ring.getSqe().prepNop();
            submitAndWait(ring);
            assertEquals(-Errno.EAGAIN.number(), readCounter(efd, arena), "no signal after unregisterEventFd");
            assertErrno(Errno.ENXIO, ring::unregisterEventFd);
        }
    }

    @Test
    void asyncEventFdIsSignalledOnlyForCompletionsFromIoWq() throws Exception {
        try (Ring ring = Ring.open(8); OwnedFd efd = eventfd(); Arena arena = Arena.ofConfined()) {
            ring.registerEventFd(efd.fd(), true);
            ring.getSqe().prepNop(); // completes inline, in the submitting task
            submitAndWait(ring);
            assertEquals(-Errno.EAGAIN.number(), readCounter(efd, arena), "an inline completion is not signalled");

            ring.getSqe().prepNop().async(); // completes on an io-wq worker
            submitAndWait(ring);
            assertTrue(readCounter(efd, arena) >= 1, "eventfd counter after an io-wq completion");
            ring.unregisterEventFd();
        }
    }

    // ------------------------------------------------------------------ registered ring fd

    @Test
    void registeredRingFdIsIdempotentAndSubmissionGoesThroughIt() throws Exception {
        assumeKernel(5, 18, "IORING_REGISTER_RING_FDS");
        try (Ring ring = Ring.open(8)) {
            assertEquals(-1, ring.registeredRingIndex());
            int index = ring.registerRingFd();
            assertTrue(index >= 0, "registered index " + index);
            assertEquals(index, ring.registerRingFd(), "registering again returns the same index");
            assertEquals(index, ring.registeredRingIndex());
            ring.getSqe().prepNop().userData(1);
            assertEquals(new Cqe(1, 0, 0), submitAndWait(ring));
            ring.getSqe().prepNop().userData(2);
            assertEquals(1, ring.submitAndWait(1));
            assertEquals(new Cqe(2, 0, 0), ring.waitCqe());

            ring.unregisterRingFd();
            assertEquals(-1, ring.registeredRingIndex());
            ring.unregisterRingFd(); // nothing registered: a no-op
            ring.getSqe().prepNop().userData(3);
            assertEquals(new Cqe(3, 0, 0), submitAndWait(ring));
        }
    }

    @Test
    void ringOptionRegistersTheRingFdAtOpen() throws Exception {
        assumeKernel(5, 18, "IORING_REGISTER_RING_FDS");
        try (Ring ring = Ring.open(new RingOptions(8).registerRingFd())) {
            assertTrue(ring.registeredRingIndex() >= 0, "ring fd not registered: " + ring.registeredRingIndex());
            ring.getSqe().prepNop().userData(9);
            assertEquals(new Cqe(9, 0, 0), submitAndWait(ring));
            assertNotNull(ring.probe());
        }
    }

    // ------------------------------------------------------------------ restrictions

    @Test
    void restrictionsLimitADisabledRingOnceEnabled() throws Exception {
        try (Ring ring = Ring.open(new RingOptions(8).disabled())) {
            ring.getSqe().prepNop().userData(1);
            assertErrno(Errno.EBADFD, ring::submit);

            ring.registerRestrictions(Restriction.allowOp(Opcode.NOP));
            assertErrno(Errno.EBUSY, () -> ring.registerRestrictions(Restriction.allowOp(Opcode.READ)));
            ring.enable();

            // The NOP queued before is still in the ring and goes now.
            assertEquals(1, ring.submit());
            assertEquals(new Cqe(1, 0, 0), waitCqe(ring));
            ring.getSqe().prepNop().userData(2);
            assertEquals(new Cqe(2, 0, 0), submitAndWait(ring));

            // ASYNC_CANCEL is harmless either way: ENOENT if it ran, EACCES if it was refused.
            ring.getSqe().prepCancel(12345, 0).userData(3);
            Cqe refused = submitAndWait(ring);
            assertEquals(3, refused.userData());
            assertEquals(Errno.EACCES, refused.errno(), "an op outside the allowed set");

            assertErrno(Errno.EACCES, ring::registerPersonality); // a register op not allowed
        }
    }

    @Test
    void restrictionsNeedADisabledRing() throws Exception {
        try (Ring ring = Ring.open(8)) {
            assertErrno(Errno.EBADFD, () -> ring.registerRestrictions(Restriction.allowOp(Opcode.NOP)));
            assertErrno(Errno.EBADFD, ring::enable);
        }
    }

    @Test
    void restrictedRegisterOpsAreAllowedOnlyWhenListed() throws Exception {
        try (Ring ring = Ring.open(new RingOptions(8).disabled())) {
            ring.registerRestrictions(Restriction.allowOp(Opcode.NOP),
                    Restriction.allowRegisterOp(Uapi.IORING_REGISTER_PERSONALITY),
                    Restriction.allowRegisterOp(Uapi.IORING_UNREGISTER_PERSONALITY));
            ring.enable();
            int id = ring.registerPersonality();
            ring.getSqe().prepNop().personality(id);
            assertEquals(0, submitAndWait(ring).res());
            ring.unregisterPersonality(id);
            assertErrno(Errno.EACCES, ring::probe);
        }
    }

    // ------------------------------------------------------------------ synchronous cancel

    @Test
    void syncCancelCancelsAnInFlightReadByUserData() throws Exception {
        assumeKernel(6, 0, "IORING_REGISTER_SYNC_CANCEL");
        try (Ring ring = Ring.open(8); Pipe pipe = pipe(); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(64);
            ring.getSqe().prepRead(Fd.raw(pipe.read().fd()), buf, -1).userData(7);
            ring.submit();
            assertEquals(null, ring.waitCqe(Duration.ofMillis(50)), "a read of an empty pipe waits");
            ring.syncCancel(7, null, 0, TIMEOUT);
            Cqe cqe = waitCqe(ring);
            assertEquals(7, cqe.userData());
            assertEquals(Errno.ECANCELED, cqe.errno());
        }
    }

    @Test
    void syncCancelCancelsAnInFlightReadByFd() throws Exception {
        assumeKernel(6, 0, "IORING_REGISTER_SYNC_CANCEL");
        try (Ring ring = Ring.open(8); Pipe pipe = pipe(); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(64);
            ring.getSqe().prepRead(Fd.raw(pipe.read().fd()), buf, -1).userData(8);
            ring.submit();
            ring.syncCancel(0, Fd.raw(pipe.read().fd()), 0, TIMEOUT);
            Cqe cqe = waitCqe(ring);
            assertEquals(8, cqe.userData());
            assertEquals(Errno.ECANCELED, cqe.errno());

            // The same through a registered slot (IORING_ASYNC_CANCEL_FD_FIXED).
            ring.registerFiles(pipe.read().fd());
            ring.getSqe().prepRead(Fd.fixed(0), buf, -1).userData(9);
            ring.submit();
            ring.syncCancel(0, Fd.fixed(0), 0, TIMEOUT);
            cqe = waitCqe(ring);
            assertEquals(9, cqe.userData());
            assertEquals(Errno.ECANCELED, cqe.errno());
        }
    }

    @Test
    void syncCancelWithNoMatchFailsWithEnoent() throws Exception {
        assumeKernel(6, 0, "IORING_REGISTER_SYNC_CANCEL");
        try (Ring ring = Ring.open(8); Pipe pipe = pipe()) {
            assertErrno(Errno.ENOENT, () -> ring.syncCancel(99, null, 0, TIMEOUT));
            assertErrno(Errno.ENOENT, () -> ring.syncCancel(0, Fd.raw(pipe.read().fd()), 0, TIMEOUT));
        }
    }

    // ------------------------------------------------------------------ probe

    @Test
    void probeCountsTheSupportedOps() throws Exception {
        try (Ring ring = Ring.open(2)) {
            Probe probe = ring.probe();
            assertTrue(probe.isSupported(Opcode.NOP));
            int known = 0;
            for (Opcode op : Opcode.values()) {
                if (probe.isSupported(op)) {
                    known++;
                }
            }
            assertEquals(known, probe.supportedOps().size());
            if (probe.lastOp() < Opcode.values().length) {
                assertEquals(known, probe.supportedCount(), "the kernel knows no op newer than Opcode");
            } else {
                assertTrue(probe.supportedCount() >= known);
            }
            assumeKernel(6, 16, "IORING_OP_PIPE (op 62)");
            assertTrue(probe.lastOp() >= 62, "lastOp " + probe.lastOp());
            assertTrue(probe.isSupported(Opcode.PIPE));
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A descriptor this test opened, closed once. */
    private static final class OwnedFd implements AutoCloseable {
        private final int fd;
        private boolean closed;

        OwnedFd(int fd) {
            this.fd = fd;
        }

        int fd() {
            return fd;
        }

        /** Closes before the end of the try-with-resources block that owns it. */
        void closeEarly() {
            close();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                Syscalls.close(fd);
            }
        }
    }

    private record Pipe(OwnedFd read, OwnedFd write) implements AutoCloseable {
        @Override
        public void close() {
            read.close();
            write.close();
        }
    }

    private Path write(String name, String contents) throws Exception {
        return Files.writeString(dir.resolve(name), contents);
    }

    private static OwnedFd open(Path path, int flags) throws UringException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment how = a.allocate(Layouts.OPEN_HOW);
            how.set(JAVA_LONG, 0, flags | Uapi.O_CLOEXEC);
            how.set(JAVA_LONG, 8, (flags & Uapi.O_CREAT) != 0 ? 0600 : 0);
            int fd = Syscalls.openat2(Uapi.AT_FDCWD, a.allocateFrom(path.toString()), how);
            return new OwnedFd(Syscalls.check(fd, "openat2 " + path, UringException.NO_FD));
        }
    }

    private static Pipe pipe() throws UringException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(JAVA_INT, 2);
            Syscalls.check(Syscalls.pipe2(fds, Uapi.O_CLOEXEC), "pipe2", UringException.NO_FD);
            return new Pipe(new OwnedFd(fds.get(JAVA_INT, 0)), new OwnedFd(fds.get(JAVA_INT, 4)));
        }
    }

    private static OwnedFd eventfd() throws UringException {
        // Non-blocking, so that reading a zero counter answers EAGAIN instead of hanging the test.
        int fd = Syscalls.eventfd(0, Uapi.EFD_CLOEXEC | Uapi.EFD_NONBLOCK);
        return new OwnedFd(Syscalls.check(fd, "eventfd", UringException.NO_FD));
    }

    /** The eventfd counter (which reading resets), or -errno. */
    private static long readCounter(OwnedFd efd, Arena arena) {
        MemorySegment value = arena.allocate(JAVA_LONG);
        long r = Syscalls.read(efd.fd(), value);
        return r < 0 ? r : value.get(JAVA_LONG, 0);
    }

    private static Cqe waitCqe(Ring ring) throws UringException {
        Cqe cqe = ring.waitCqe(TIMEOUT);
        assertNotNull(cqe, "no completion within " + TIMEOUT);
        return cqe;
    }

    /** Submits what is queued (one entry) and returns its completion. */
    private static Cqe submitAndWait(Ring ring) throws UringException {
        ring.submit();
        return waitCqe(ring);
    }

    private static Cqe read(Ring ring, Arena arena, Fd fd, int length) throws UringException {
        ring.getSqe().prepRead(fd, arena.allocate(length), 0);
        return submitAndWait(ring);
    }

    private static String readString(Ring ring, Arena arena, Fd fd) throws UringException {
        MemorySegment buf = arena.allocate(256);
        ring.getSqe().prepRead(fd, buf, 0);
        int n = submitAndWait(ring).check("READ", fd.value());
        return new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private static void assertErrno(Errno expected, Executable call) {
        UringException e = assertThrows(UringException.class, call);
        assertEquals(expected, e.errnoValue(), e.getMessage());
    }

    private static boolean kernelAtLeast(int major, int minor) {
        String[] v = System.getProperty("os.version").split("[.-]");
        int maj = Integer.parseInt(v[0]);
        int min = v.length > 1 ? Integer.parseInt(v[1].replaceAll("\\D.*", "")) : 0;
        return maj > major || (maj == major && min >= minor);
    }

    /** Skips unless the running kernel is at least {@code major.minor}, which {@code what} needs. */
    private static void assumeKernel(int major, int minor, String what) {
        assumeTrue(kernelAtLeast(major, minor),
                what + " needs Linux " + major + "." + minor + "+; running " + System.getProperty("os.version"));
    }
}
