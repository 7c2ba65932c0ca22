package org.uring4j.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.ring.NetSupport.next;
import static org.uring4j.ring.NetSupport.string;
import static org.uring4j.ring.NetSupport.submitAndWait;
import static org.uring4j.ring.NetSupport.writeFully;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.Errno;
import org.uring4j.ring.NetSupport.OwnedFd;
import org.uring4j.ring.NetSupport.Pipe;

/** READ_MULTISHOT with a provided-buffer ring (liburing test/read-mshot.c, read-mshot-empty.c, buf-ring.c). */
class ReadMultishotTest {
    private static final int GROUP = 1;

    @TempDir
    Path dir;

    @BeforeEach
    void needsReadMultishot() {
        KernelAssumptions.assumeOp(Opcode.READ_MULTISHOT);
    }

    @Test
    void eachWritePostsACompletionWithItsDataUntilTheWriterCloses() throws Exception {
        try (Ring ring = Ring.open(8); Pipe p = Pipe.open(); BufferRing br = ring.registerBufferRing(GROUP, 4, 64)) {
            // Length 0: each read fills at most one provided buffer.
            ring.getSqe().prepReadMultishot(p.read().raw(), 0, 0, GROUP).userData(1);
            ring.submit();
            Set<Integer> bids = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                String msg = "write number " + i;
                writeFully(p.write().fd(), msg);
                Cqe cqe = next(ring);
                assertEquals(1, cqe.userData());
                assertEquals(msg.length(), cqe.check("READ_MULTISHOT"));
                assertTrue(cqe.hasBuffer(), "F_BUFFER: " + cqe);
                assertTrue(cqe.hasMore(), "F_MORE: " + cqe);
                assertEquals(msg, string(br.buffer(cqe.bufferId()), cqe.res()));
                bids.add(cqe.bufferId());
                br.recycle(cqe.bufferId());
            }
            assertEquals(4, bids.size(), "ten reads cycled through all four recycled buffers");
            p.write().close();
            Cqe end = next(ring);
            assertEquals(1, end.userData());
            assertEquals(0, end.res(), "end of file");
            assertFalse(end.hasMore(), "EOF ends the multishot: " + end);
        }
    }

    @Test
    void aWriteLargerThanABufferIsSplitAcrossCompletions() throws Exception {
        try (Ring ring = Ring.open(8); Pipe p = Pipe.open(); BufferRing br = ring.registerBufferRing(GROUP, 4, 8)) {
            ring.getSqe().prepReadMultishot(p.read().raw(), 0, 0, GROUP).userData(1);
            ring.submit();
            writeFully(p.write().fd(), "0123456789abcdef!");
            StringBuilder got = new StringBuilder();
            while (got.length() < 17) {
                Cqe cqe = next(ring);
                int n = cqe.check("READ_MULTISHOT");
                assertTrue(n > 0 && n <= 8, "at most one 8-byte buffer per completion: " + cqe);
                assertTrue(cqe.hasMore(), cqe.toString());
                got.append(string(br.buffer(cqe.bufferId()), n));
                br.recycle(cqe.bufferId());
            }
            assertEquals("0123456789abcdef!", got.toString());
            p.write().close();
            assertEquals(0, next(ring).res());
        }
    }

    @Test
    void runningOutOfBuffersEndsTheMultishotWithEnobufs() throws Exception {
        try (Ring ring = Ring.open(8); Pipe p = Pipe.open(); BufferRing br = ring.registerBufferRing(GROUP, 2, 64)) {
            ring.getSqe().prepReadMultishot(p.read().raw(), 0, 0, GROUP).userData(1);
            ring.submit();
            // Two buffers, never given back.
            for (int i = 0; i < 2; i++) {
                writeFully(p.write().fd(), "msg" + i);
                Cqe cqe = next(ring);
                assertEquals(4, cqe.check("READ_MULTISHOT"));
                assertTrue(cqe.hasMore());
            }
            writeFully(p.write().fd(), "msg2");
            Cqe cqe = next(ring);
            assertEquals(-Errno.ENOBUFS.number(), cqe.res(), cqe.toString());
            assertFalse(cqe.hasMore());
            assertEquals(2, br.head());
        }
    }

    @Test
    void aRegularFileIsRejectedWithEbadfd() throws Exception {
        // Multishot needs a file that can be polled; a regular file cannot.
        Path f = Files.writeString(dir.resolve("f"), "regular file data");
        try (Ring ring = Ring.open(8); OwnedFd fd = NetSupport.open(ring, f, Uapi.O_RDONLY, 0);
             BufferRing br = ring.registerBufferRing(GROUP, 1, 32)) {
            ring.getSqe().prepReadMultishot(fd.raw(), 0, 0, GROUP);
            Cqe cqe = submitAndWait(ring);
            assertEquals(-Errno.EBADFD.number(), cqe.res());
            assertFalse(cqe.hasMore());
            assertEquals(0, br.head(), "no buffer was consumed");
        }
    }

    @Test
    void anUnknownBufferGroupFailsWithEnobufs() throws Exception {
        try (Ring ring = Ring.open(8); Pipe p = Pipe.open()) {
            writeFully(p.write().fd(), "data waiting");
            ring.getSqe().prepReadMultishot(p.read().raw(), 0, 0, 42);
            Cqe cqe = submitAndWait(ring);
            assertEquals(-Errno.ENOBUFS.number(), cqe.res());
            assertFalse(cqe.hasMore());
        }
    }

    @Test
    void dataAlreadyInThePipeIsReadAtOnce() throws Exception {
        try (Ring ring = Ring.open(8); Pipe p = Pipe.open(); BufferRing br = ring.registerBufferRing(GROUP, 2, 64)) {
            writeFully(p.write().fd(), "early");
            ring.getSqe().prepReadMultishot(p.read().raw(), 0, 0, GROUP).userData(3);
            Cqe cqe = submitAndWait(ring);
            assertEquals(5, cqe.check("READ_MULTISHOT"));
            assertTrue(cqe.hasMore());
            assertEquals("early", string(br.buffer(cqe.bufferId()), 5));
            // Cancel: the final completion has no F_MORE.
            ring.getSqe().prepCancel(3, 0).userData(4);
            ring.submit();
            boolean sawFinal = false;
            for (int i = 0; i < 2; i++) {
                Cqe c = next(ring);
                if (c.userData() == 3) {
                    assertEquals(-Errno.ECANCELED.number(), c.res());
                    assertFalse(c.hasMore());
                    sawFinal = true;
                } else {
                    assertEquals(new Cqe(4, 0, 0), c);
                }
            }
            assertTrue(sawFinal);
        }
    }
}
