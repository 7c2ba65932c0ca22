package org.uring4j.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.uring4j.runtime.LoopOptions;

/**
 * Files on tmpfs take the inline pread/pwrite path (io_uring would hand each transfer to an
 * io-wq worker): the same results and errors as through the ring, for every buffer kind, and
 * large transfers still go through the ring.
 */
class InMemoryFileTest {
    static UringFiles files;
    static Path dir;

    @BeforeAll
    static void open() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.getFileStore(shm).type().equals("tmpfs"), "no tmpfs at /dev/shm");
        dir = Files.createTempDirectory(shm, "uring4j-inmem");
        files = UringFiles.open(1, new LoopOptions());
    }

    @AfterAll
    static void close() throws Exception {
        if (files != null) {
            files.close();
        }
        if (dir != null) {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    void everyBufferKindReadsAndWrites() throws Exception {
        Path p = dir.resolve("a");
        byte[] data = new byte[3000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        try (AsyncFile f = files.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            assertEquals(3000, f.write(data, 0, 3000, 0));
            byte[] back = new byte[3000];
            assertEquals(3000, f.read(back, 0, 3000, 0));
            assertArrayEquals(data, back);
            ByteBuffer heap = ByteBuffer.allocate(100);
            assertEquals(100, f.read(heap, 10));
            assertEquals(100, heap.position());
            assertEquals(data[10], heap.get(0));
            ByteBuffer direct = ByteBuffer.allocateDirect(50);
            assertEquals(50, f.read(direct, 2950));
            assertEquals(data[2999], direct.get(49));
            MemorySegment seg = arena.allocate(10);
            assertEquals(-1, f.read(seg, 5000));
            assertEquals(10, f.write(ByteBuffer.wrap(new byte[10]).asReadOnlyBuffer(), 3000));
            assertEquals(3010, f.size());
            // Beyond the inline limit: through the ring.
            MemorySegment big = arena.allocate(2 << 20);
            big.fill((byte) 9);
            f.writeFully(big, 4096);
            MemorySegment bigBack = arena.allocate(2 << 20);
            f.readFully(bigBack, 4096);
            assertEquals(-1L, big.mismatch(bigBack));
            assertThrows(IllegalArgumentException.class, () -> f.read(seg.asReadOnly(), 0));
            assertThrows(IllegalArgumentException.class, () -> f.read(new byte[1], 0, 1, -1));
        }
        AsyncFile f = files.open(p, StandardOpenOption.READ);
        f.close();
        assertThrows(ClosedChannelException.class, () -> f.read(new byte[1], 0, 1, 0));
    }

    @Test
    void errorsNameTheOp() throws Exception {
        Path p = dir.resolve("ro");
        Files.write(p, new byte[10]);
        try (AsyncFile f = files.open(p, StandardOpenOption.READ)) {
            org.uring4j.UringException e = assertThrows(org.uring4j.UringException.class, () -> f.write(new byte[1], 0, 1, 0));
            assertEquals("EBADF", e.errnoName());
            // io_uring does a tmpfs file's small transfers inline with pwrite(2), named as the ring's op would be.
            assertEquals("WRITE", e.operation());
        }
    }
}
