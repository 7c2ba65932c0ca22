package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.ring.FileOpsSupport.ascii;
import static org.uring4j.ring.FileOpsSupport.assertErrno;
import static org.uring4j.ring.FileOpsSupport.assertOk;
import static org.uring4j.ring.FileOpsSupport.awaitCqe;
import static org.uring4j.ring.FileOpsSupport.open;
import static org.uring4j.ring.FileOpsSupport.pattern;
import static org.uring4j.ring.FileOpsSupport.segment;
import static org.uring4j.ring.FileOpsSupport.submitOne;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.Errno;
import org.uring4j.sys.Layouts;

/** READ/WRITE, READV/WRITEV and the registered-buffer variants against a real file (after liburing's read-write.c). */
class ReadWriteTest {
    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    /** Fills {@code n} iovecs from the given segments. */
    private static MemorySegment iovecs(Arena arena, MemorySegment... bufs) {
        MemorySegment iov = arena.allocate(Layouts.IOVEC, bufs.length);
        for (int i = 0; i < bufs.length; i++) {
            iov.set(JAVA_LONG, i * Layouts.IOVEC.byteSize() + Layouts.offsetOf(Layouts.IOVEC, "iov_base"),
                    bufs[i].address());
            iov.set(JAVA_LONG, i * Layouts.IOVEC.byteSize() + Layouts.offsetOf(Layouts.IOVEC, "iov_len"),
                    bufs[i].byteSize());
        }
        return iov;
    }

    private static byte[] concat(MemorySegment... bufs) {
        int n = 0;
        for (MemorySegment b : bufs) {
            n += (int) b.byteSize();
        }
        byte[] out = new byte[n];
        int at = 0;
        for (MemorySegment b : bufs) {
            MemorySegment.copy(b, JAVA_BYTE, 0, out, at, (int) b.byteSize());
            at += (int) b.byteSize();
        }
        return out;
    }

    @Test
    void writeAndReadAtExplicitOffsetsLeavesAHole() throws Exception {
        Path file = dir.resolve("offsets");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_RDWR | Uapi.O_CREAT, 0644)) {
            ring.getSqe().prepWrite(fd.raw(), segment(arena, "hello"), 0).userData(1);
            assertEquals(5, submitOne(ring).res());
            ring.getSqe().prepWrite(fd.raw(), segment(arena, "world"), 100).userData(2);
            assertEquals(5, submitOne(ring).res());

            assertEquals(105, Files.size(file));
            MemorySegment buf = arena.allocate(5);
            ring.getSqe().prepRead(fd.raw(), buf, 100).userData(3);
            assertEquals(5, submitOne(ring).res());
            assertEquals("world", ascii(buf, 5));

            // The bytes between the two writes were never written: they read as zeros.
            MemorySegment hole = arena.allocate(95);
            hole.fill((byte) 0x7f);
            ring.getSqe().prepRead(fd.raw(), hole, 5);
            assertEquals(95, submitOne(ring).res());
            assertArrayEquals(new byte[95], hole.toArray(JAVA_BYTE));
        }
    }

    @Test
    void offsetMinusOneUsesAndAdvancesTheFilePosition() throws Exception {
        Path file = dir.resolve("curpos");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            KernelAssumptions.assumeFeature(ring, Feature.RW_CUR_POS);
            try (FileOpsSupport.OwnedFd w = open(ring, arena, file, Uapi.O_WRONLY | Uapi.O_CREAT, 0644)) {
                // One at a time: two -1 writes in flight together have no defined order.
                ring.getSqe().prepWrite(w.raw(), segment(arena, "abc"), -1);
                assertEquals(3, submitOne(ring).res());
                ring.getSqe().prepWrite(w.raw(), segment(arena, "def"), -1);
                assertEquals(3, submitOne(ring).res());
            }
            assertEquals("abcdef", Files.readString(file));

            try (FileOpsSupport.OwnedFd r = open(ring, arena, file, Uapi.O_RDONLY, 0)) {
                MemorySegment buf = arena.allocate(4);
                ring.getSqe().prepRead(r.raw(), buf, -1);
                assertEquals(4, submitOne(ring).res());
                assertEquals("abcd", ascii(buf, 4));
                ring.getSqe().prepRead(r.raw(), buf, -1);
                assertEquals(2, submitOne(ring).res());
                assertEquals("ef", ascii(buf, 2));
                ring.getSqe().prepRead(r.raw(), buf, -1);
                assertEquals(0, submitOne(ring).res(), "the position is at EOF now");
                // An explicit offset neither uses nor moves the position.
                ring.getSqe().prepRead(r.raw(), buf, 1);
                assertEquals(4, submitOne(ring).res());
                assertEquals("bcde", ascii(buf, 4));
                ring.getSqe().prepRead(r.raw(), buf, -1);
                assertEquals(0, submitOne(ring).res());
            }
        }
    }

    @Test
    void offsetBeyondFourGibOnASparseFile() throws Exception {
        Path file = dir.resolve("sparse");
        long offset = 5 * GIB + 3;
        byte[] data = pattern(4096, 5);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_RDWR | Uapi.O_CREAT, 0644)) {
            ring.getSqe().prepWrite(fd.raw(), segment(arena, data), offset);
            int res = submitOne(ring).res();
            assertTrue(res != -Errno.EFBIG.number(), "filesystem refuses a 5 GiB file");
            assertEquals(data.length, res);
            // A 32-bit truncated offset would have written at 1 GiB + 3 and left a 1 GiB file.
            assertEquals(offset + data.length, Files.size(file));

            MemorySegment back = arena.allocate(data.length);
            ring.getSqe().prepRead(fd.raw(), back, offset);
            assertEquals(data.length, submitOne(ring).res());
            assertArrayEquals(data, back.toArray(JAVA_BYTE));

            MemorySegment low = arena.allocate(data.length);
            low.fill((byte) 1);
            ring.getSqe().prepRead(fd.raw(), low, offset - 4 * GIB);
            assertEquals(data.length, submitOne(ring).res());
            assertArrayEquals(new byte[data.length], low.toArray(JAVA_BYTE), "nothing was written at offset - 4 GiB");
        }
    }

    @Test
    void writevAndReadvWithSeveralIovecs() throws Exception {
        Path file = dir.resolve("vectored");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_RDWR | Uapi.O_CREAT, 0644)) {
            MemorySegment a = segment(arena, pattern(100, 1));
            MemorySegment b = segment(arena, pattern(4096, 2));
            MemorySegment c = segment(arena, pattern(7, 3));
            ring.getSqe().prepWritev(fd.raw(), iovecs(arena, a, b, c), 3, 10, 0).userData(1);
            Cqe w = submitOne(ring);
            assertEquals(1, w.userData());
            assertEquals(100 + 4096 + 7, w.res());

            byte[] expected = concat(a, b, c);
            byte[] onDisk = Files.readAllBytes(file);
            assertEquals(10 + expected.length, onDisk.length);
            assertArrayEquals(expected, Arrays.copyOfRange(onDisk, 10, onDisk.length));

            // Read back with a different split: the kernel fills the iovecs in order.
            MemorySegment x = arena.allocate(3000);
            MemorySegment y = arena.allocate(1);
            MemorySegment z = arena.allocate(1202);
            ring.getSqe().prepReadv(fd.raw(), iovecs(arena, x, y, z), 3, 10, 0).userData(2);
            assertEquals(expected.length, submitOne(ring).res());
            assertArrayEquals(expected, concat(x, y, z));
        }
    }

    @Test
    void shortReadAtEndOfFileReturnsTheShortCount() throws Exception {
        Path file = dir.resolve("short");
        Files.write(file, pattern(10, 9));
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_RDONLY, 0)) {
            MemorySegment buf = arena.allocate(4096);
            ring.getSqe().prepRead(fd.raw(), buf, 0);
            assertEquals(10, submitOne(ring).res());
            assertArrayEquals(pattern(10, 9), buf.asSlice(0, 10).toArray(JAVA_BYTE));

            ring.getSqe().prepRead(fd.raw(), buf, 6);
            assertEquals(4, submitOne(ring).res());
            ring.getSqe().prepRead(fd.raw(), buf, 10);
            assertEquals(0, submitOne(ring).res(), "at EOF");
            ring.getSqe().prepRead(fd.raw(), buf, 1 << 20);
            assertEquals(0, submitOne(ring).res(), "past EOF");

            MemorySegment v1 = arena.allocate(8);
            MemorySegment v2 = arena.allocate(8);
            ring.getSqe().prepReadv(fd.raw(), iovecs(arena, v1, v2), 2, 0, 0);
            assertEquals(10, submitOne(ring).res());
        }
    }

    @Test
    void readFromWriteOnlyFdIsEbadfAndWriteToReadOnlyFdToo() throws Exception {
        Path file = dir.resolve("modes");
        Files.writeString(file, "data");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd wo = open(ring, arena, file, Uapi.O_WRONLY, 0);
             FileOpsSupport.OwnedFd ro = open(ring, arena, file, Uapi.O_RDONLY, 0)) {
            MemorySegment buf = arena.allocate(4);
            ring.getSqe().prepRead(wo.raw(), buf, 0);
            assertErrno(Errno.EBADF, submitOne(ring));
            ring.getSqe().prepReadv(wo.raw(), iovecs(arena, buf), 1, 0, 0);
            assertErrno(Errno.EBADF, submitOne(ring));
            ring.getSqe().prepWrite(ro.raw(), buf, 0);
            assertErrno(Errno.EBADF, submitOne(ring));
        }
        assertEquals("data", Files.readString(file));
    }

    @Test
    void readOfAClosedDescriptorIsEbadf() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            // 1 << 30 is far above any fd limit, so it can never name an open file.
            ring.getSqe().prepRead(Fd.raw(1 << 30), arena.allocate(8), 0);
            assertErrno(Errno.EBADF, submitOne(ring));
        }
    }

    @Test
    void readFixedAndWriteFixedUseRegisteredBuffers() throws Exception {
        Path file = dir.resolve("fixed");
        byte[] data = pattern(8192, 4);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_RDWR | Uapi.O_CREAT, 0644)) {
            MemorySegment out = arena.allocate(16384, 4096);
            MemorySegment in = arena.allocate(16384, 4096);
            ring.registerBuffers(out, in);
            try {
                // Any slice of a registered buffer works, not just its start.
                MemorySegment src = out.asSlice(1000, data.length);
                MemorySegment.copy(data, 0, src, JAVA_BYTE, 0, data.length);
                ring.getSqe().prepWriteFixed(fd.raw(), src, 512, 0).userData(1);
                assertEquals(data.length, submitOne(ring).res());
                byte[] onDisk = Files.readAllBytes(file);
                assertArrayEquals(data, Arrays.copyOfRange(onDisk, 512, onDisk.length));

                MemorySegment dst = in.asSlice(3, data.length);
                ring.getSqe().prepReadFixed(fd.raw(), dst, 512, 1).userData(2);
                assertEquals(data.length, submitOne(ring).res());
                assertArrayEquals(data, dst.toArray(JAVA_BYTE));

                // Memory outside the named registered buffer is refused, as is a buffer index that does not exist.
                ring.getSqe().prepReadFixed(fd.raw(), in.asSlice(0, 16), 0, 0);
                assertErrno(Errno.EFAULT, submitOne(ring));
                ring.getSqe().prepReadFixed(fd.raw(), in.asSlice(0, 16), 0, 7);
                assertErrno(Errno.EFAULT, submitOne(ring));
                MemorySegment unregistered = arena.allocate(16);
                ring.getSqe().prepWriteFixed(fd.raw(), unregistered, 0, 0);
                assertErrno(Errno.EFAULT, submitOne(ring));
            } finally {
                ring.unregisterBuffers();
            }
        }
    }

    @Test
    void readvFixedAndWritevFixedUseRegisteredBuffers() throws Exception {
        KernelAssumptions.assumeOp(Opcode.READV_FIXED);
        KernelAssumptions.assumeOp(Opcode.WRITEV_FIXED);
        Path file = dir.resolve("vfixed");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_RDWR | Uapi.O_CREAT, 0644)) {
            MemorySegment reg = arena.allocate(65536, 4096);
            ring.registerBuffers(reg);
            try {
                MemorySegment a = reg.asSlice(0, 300);
                MemorySegment b = reg.asSlice(8192, 5000);
                MemorySegment c = reg.asSlice(20000, 1);
                MemorySegment.copy(pattern(300, 1), 0, a, JAVA_BYTE, 0, 300);
                MemorySegment.copy(pattern(5000, 2), 0, b, JAVA_BYTE, 0, 5000);
                MemorySegment.copy(pattern(1, 3), 0, c, JAVA_BYTE, 0, 1);
                byte[] expected = concat(a, b, c);
                ring.getSqe().prepWritevFixed(fd.raw(), iovecs(arena, a, b, c), 3, 0, 0, 0);
                assertEquals(expected.length, submitOne(ring).res());
                assertArrayEquals(expected, Files.readAllBytes(file));

                MemorySegment x = reg.asSlice(40000, 2000);
                MemorySegment y = reg.asSlice(50000, 3301);
                ring.getSqe().prepReadvFixed(fd.raw(), iovecs(arena, x, y), 2, 0, 0, 0);
                assertEquals(expected.length, submitOne(ring).res());
                assertArrayEquals(expected, concat(x, y));

                // An iovec that leaves the registered buffer is refused.
                MemorySegment outside = arena.allocate(64);
                ring.getSqe().prepReadvFixed(fd.raw(), iovecs(arena, x, outside), 2, 0, 0, 0);
                assertErrno(Errno.EFAULT, submitOne(ring));
            } finally {
                ring.unregisterBuffers();
            }
        }
    }

    @Test
    void manyReadsInOneSubmit() throws Exception {
        int blocks = 100;
        int block = 4096;
        Path file = dir.resolve("batch");
        byte[] content = pattern(blocks * block, 11);
        Files.write(file, content);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(128);
             FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_RDONLY, 0)) {
            MemorySegment bufs = arena.allocate((long) blocks * block, 4096);
            // Queue in reverse so completion order cannot simply mirror file order.
            for (int i = blocks - 1; i >= 0; i--) {
                ring.getSqe().prepRead(fd.raw(), bufs.asSlice((long) i * block, block), (long) i * block).userData(i);
            }
            assertEquals(blocks, ring.submit());
            boolean[] seen = new boolean[blocks];
            for (int n = 0; n < blocks; n++) {
                Cqe cqe = awaitCqe(ring);
                int i = (int) cqe.userData();
                assertTrue(i >= 0 && i < blocks && !seen[i], "unexpected or duplicate user_data " + cqe.userData());
                seen[i] = true;
                assertEquals(block, assertOk(cqe), "block " + i);
            }
            assertEquals(0, ring.cqReady());
            assertArrayEquals(content, bufs.toArray(JAVA_BYTE));
        }
    }

    @Test
    void writeOfZeroBytesIsANoOp() throws Exception {
        Path file = dir.resolve("empty");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_RDWR | Uapi.O_CREAT, 0644)) {
            ring.getSqe().prepWrite(fd.raw(), arena.allocate(0), 0);
            assertEquals(0, submitOne(ring).res());
            assertEquals(0, Files.size(file));
        }
    }
}
