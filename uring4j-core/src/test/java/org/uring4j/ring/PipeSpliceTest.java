package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.ring.NetSupport.bytes;
import static org.uring4j.ring.NetSupport.readOnce;
import static org.uring4j.ring.NetSupport.string;
import static org.uring4j.ring.NetSupport.submitAndCollect;
import static org.uring4j.ring.NetSupport.submitAndWait;
import static org.uring4j.ring.NetSupport.writeFully;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.Errno;
import org.uring4j.ring.NetSupport.OwnedFd;
import org.uring4j.ring.NetSupport.Pipe;

/** PIPE, SPLICE and TEE (liburing test/pipe.c, pipe-direct-fixed.c, splice.c, tee.c). */
class PipeSpliceTest {

    @TempDir
    Path dir;

    /** Write through [1] and read back through [0], both through the ring; fds are plain or fixed. */
    private static void roundTrip(Ring ring, Arena arena, Fd writeEnd, Fd readEnd) throws Exception {
        MemorySegment src = bytes(arena, "through the ring pipe, 32 bytes");
        MemorySegment dst = arena.allocate(src.byteSize());
        ring.getSqe().prepWrite(writeEnd, src, 0).userData(1);
        ring.getSqe().prepRead(readEnd, dst, 0).userData(2);
        Map<Long, Cqe> cqes = submitAndCollect(ring, 2);
        assertEquals(src.byteSize(), cqes.get(1L).res(), "WRITE " + cqes.get(1L));
        assertEquals(src.byteSize(), cqes.get(2L).res(), "READ " + cqes.get(2L));
        assertEquals(-1, src.mismatch(dst));
    }

    @Test
    void pipeOpCreatesAConnectedPipe() throws Exception {
        KernelAssumptions.assumeOp(Opcode.PIPE);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            fds.set(JAVA_INT, 0, -1);
            fds.set(JAVA_INT, 4, -1);
            ring.getSqe().prepPipe(fds, 0).userData(9);
            Cqe cqe = submitAndWait(ring);
            assertEquals(new Cqe(9, 0, 0), cqe);
            try (OwnedFd r = new OwnedFd(fds.get(JAVA_INT, 0)); OwnedFd w = new OwnedFd(fds.get(JAVA_INT, 4))) {
                assertNotEquals(r.fd(), w.fd());
                roundTrip(ring, arena, w.raw(), r.raw());
                // And the ends are real descriptors for plain syscalls too.
                writeFully(w.fd(), "plain");
                assertEquals("plain", readOnce(r.fd(), 16));
                assertEquals(0, NetSupport.fdFlags(r.fd()) & Uapi.O_CLOEXEC, "no O_CLOEXEC asked for");
            }
        }
    }

    @Test
    void pipeOpHonoursCloexec() throws Exception {
        KernelAssumptions.assumeOp(Opcode.PIPE);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            ring.getSqe().prepPipe(fds, Uapi.O_CLOEXEC);
            assertEquals(0, submitAndWait(ring).check("PIPE"));
            try (OwnedFd r = new OwnedFd(fds.get(JAVA_INT, 0)); OwnedFd w = new OwnedFd(fds.get(JAVA_INT, 4))) {
                assertEquals(Uapi.O_CLOEXEC, NetSupport.fdFlags(r.fd()) & Uapi.O_CLOEXEC);
                assertEquals(Uapi.O_CLOEXEC, NetSupport.fdFlags(w.fd()) & Uapi.O_CLOEXEC);
            }
        }
    }

    @Test
    void pipeOpWithDirectAllocPutsBothEndsInFixedSlots() throws Exception {
        KernelAssumptions.assumeOp(Opcode.PIPE);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            ring.registerFilesSparse(100);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            ring.getSqe().prepPipe(fds, 0).directAlloc();
            assertEquals(0, submitAndWait(ring).check("PIPE"));
            int readSlot = fds.get(JAVA_INT, 0);
            int writeSlot = fds.get(JAVA_INT, 4);
            assertTrue(readSlot >= 0 && readSlot < 100 && writeSlot >= 0 && writeSlot < 100,
                    "slots " + readSlot + ", " + writeSlot);
            assertNotEquals(readSlot, writeSlot);
            roundTrip(ring, arena, Fd.fixed(writeSlot), Fd.fixed(readSlot));
        }
    }

    @Test
    void pipeOpWithDirectSlotUsesThatSlotAndTheNext() throws Exception {
        KernelAssumptions.assumeOp(Opcode.PIPE);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8); Pipe sentinel = Pipe.open()) {
            ring.registerFilesSparse(20);
            // Slot 0 holds another pipe's read end: installing at 7 and 8 must leave it alone.
            ring.registerFilesUpdate(0, sentinel.read().fd());
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            ring.getSqe().prepPipe(fds, 0).directSlot(7);
            assertEquals(0, submitAndWait(ring).check("PIPE"));
            assertEquals(7, fds.get(JAVA_INT, 0));
            assertEquals(8, fds.get(JAVA_INT, 4));
            roundTrip(ring, arena, Fd.fixed(8), Fd.fixed(7));

            writeFully(sentinel.write().fd(), "s");
            MemorySegment one = arena.allocate(1);
            ring.getSqe().prepRead(Fd.fixed(0), one, 0);
            assertEquals(1, submitAndWait(ring).check("READ"));
            assertEquals("s", string(one, 1));
        }
    }

    @Test
    void pipeOpWithDirectAllocOnATooSmallTableFailsWithEnfile() throws Exception {
        KernelAssumptions.assumeOp(Opcode.PIPE);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            ring.registerFilesSparse(1);
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            ring.getSqe().prepPipe(fds, 0).directAlloc();
            assertEquals(-Errno.ENFILE.number(), submitAndWait(ring).res());
        }
    }

    @Test
    void spliceMovesFileBytesIntoAPipeAndOnIntoAnotherFileAtOffsets() throws Exception {
        KernelAssumptions.assumeOp(Opcode.SPLICE);
        byte[] content = "0123456789abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.US_ASCII);
        Path src = Files.write(dir.resolve("src"), content);
        Path dst = dir.resolve("dst");
        try (Ring ring = Ring.open(8);
             OwnedFd in = NetSupport.open(ring, src, Uapi.O_RDONLY, 0);
             OwnedFd out = NetSupport.open(ring, dst, Uapi.O_WRONLY | Uapi.O_CREAT, 0644);
             Pipe pipe = Pipe.open()) {
            // file [4, 14) -> pipe
            ring.getSqe().prepSplice(in.raw(), 4, pipe.write().raw(), -1, 10, 0);
            assertEquals(10, submitAndWait(ring).check("SPLICE"));
            // pipe -> file at offset 20
            ring.getSqe().prepSplice(pipe.read().raw(), -1, out.raw(), 20, 10, 0);
            assertEquals(10, submitAndWait(ring).check("SPLICE"));

            byte[] written = Files.readAllBytes(dst);
            assertEquals(30, written.length);
            assertArrayEquals(new byte[20], Arrays.copyOf(written, 20), "a hole before offset 20");
            assertArrayEquals(Arrays.copyOfRange(content, 4, 14), Arrays.copyOfRange(written, 20, 30));
        }
    }

    @Test
    void spliceWithoutOffsetUsesAndAdvancesTheFilePosition() throws Exception {
        KernelAssumptions.assumeOp(Opcode.SPLICE);
        Path src = Files.writeString(dir.resolve("src"), "abcdefgh");
        try (Ring ring = Ring.open(8);
             OwnedFd in = NetSupport.open(ring, src, Uapi.O_RDONLY, 0);
             Pipe pipe = Pipe.open()) {
            ring.getSqe().prepSplice(in.raw(), -1, pipe.write().raw(), -1, 3, 0);
            assertEquals(3, submitAndWait(ring).check("SPLICE"));
            ring.getSqe().prepSplice(in.raw(), -1, pipe.write().raw(), -1, 3, 0);
            assertEquals(3, submitAndWait(ring).check("SPLICE"));
            assertEquals("abcdef", readOnce(pipe.read().fd(), 64));
        }
    }

    @Test
    void spliceFromAFixedFileIntoAFixedPipe() throws Exception {
        KernelAssumptions.assumeOp(Opcode.SPLICE);
        Path src = Files.writeString(dir.resolve("src"), "fixed files splice too");
        try (Ring ring = Ring.open(8);
             OwnedFd in = NetSupport.open(ring, src, Uapi.O_RDONLY, 0);
             Pipe pipe = Pipe.open()) {
            ring.registerFiles(in.fd(), pipe.write().fd());
            // SPLICE_F_FD_IN_FIXED for the input, IOSQE_FIXED_FILE for the output: both set by Fd.fixed.
            ring.getSqe().prepSplice(Fd.fixed(0), 6, Fd.fixed(1), -1, 5, 0);
            assertEquals(5, submitAndWait(ring).check("SPLICE"));
            assertEquals("files", readOnce(pipe.read().fd(), 64));
        }
    }

    @Test
    void spliceWithAnOffsetOnAPipeIsEspipe() throws Exception {
        KernelAssumptions.assumeOp(Opcode.SPLICE);
        Path dst = dir.resolve("dst");
        try (Ring ring = Ring.open(8);
             OwnedFd out = NetSupport.open(ring, dst, Uapi.O_WRONLY | Uapi.O_CREAT, 0644);
             Pipe pipe = Pipe.open()) {
            writeFully(pipe.write().fd(), "data");
            ring.getSqe().prepSplice(pipe.read().raw(), 0, out.raw(), 0, 4, 0);
            assertEquals(-Errno.ESPIPE.number(), submitAndWait(ring).res());
        }
    }

    @Test
    void spliceBetweenTwoFilesIsEinval() throws Exception {
        // splice(2) needs a pipe on at least one side.
        KernelAssumptions.assumeOp(Opcode.SPLICE);
        Path src = Files.writeString(dir.resolve("src"), "abc");
        try (Ring ring = Ring.open(8);
             OwnedFd in = NetSupport.open(ring, src, Uapi.O_RDONLY, 0);
             OwnedFd out = NetSupport.open(ring, dir.resolve("dst"), Uapi.O_WRONLY | Uapi.O_CREAT, 0644)) {
            ring.getSqe().prepSplice(in.raw(), 0, out.raw(), 0, 3, 0);
            assertEquals(-Errno.EINVAL.number(), submitAndWait(ring).res());
        }
    }

    @Test
    void teeDuplicatesPipeDataWithoutConsumingIt() throws Exception {
        KernelAssumptions.assumeOp(Opcode.TEE);
        try (Ring ring = Ring.open(8); Pipe a = Pipe.open(); Pipe b = Pipe.open()) {
            writeFully(a.write().fd(), "duplicate me");
            ring.getSqe().prepTee(a.read().raw(), b.write().raw(), 12, 0);
            assertEquals(12, submitAndWait(ring).check("TEE"));
            assertEquals("duplicate me", readOnce(b.read().fd(), 64));
            assertEquals("duplicate me", readOnce(a.read().fd(), 64), "TEE leaves the source pipe's data in place");
        }
    }

    @Test
    void teeWithFixedPipes() throws Exception {
        KernelAssumptions.assumeOp(Opcode.TEE);
        try (Ring ring = Ring.open(8); Pipe a = Pipe.open(); Pipe b = Pipe.open()) {
            ring.registerFiles(a.read().fd(), b.write().fd());
            writeFully(a.write().fd(), "fixed tee");
            ring.getSqe().prepTee(Fd.fixed(0), Fd.fixed(1), 64, 0);
            assertEquals(9, submitAndWait(ring).check("TEE"));
            assertEquals("fixed tee", readOnce(b.read().fd(), 64));
        }
    }

    @Test
    void teeFromAFileIsEinval() throws Exception {
        KernelAssumptions.assumeOp(Opcode.TEE);
        Path src = Files.writeString(dir.resolve("src"), "abc");
        try (Ring ring = Ring.open(8); OwnedFd in = NetSupport.open(ring, src, Uapi.O_RDONLY, 0); Pipe b = Pipe.open()) {
            ring.getSqe().prepTee(in.raw(), b.write().raw(), 3, 0);
            assertEquals(-Errno.EINVAL.number(), submitAndWait(ring).res());
        }
    }
}
