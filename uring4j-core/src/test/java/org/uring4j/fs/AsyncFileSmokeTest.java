package org.uring4j.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.runtime.LoopOptions;

class AsyncFileSmokeTest {
    static UringFiles files;

    @BeforeAll
    static void open() throws Exception {
        files = UringFiles.open(2, new LoopOptions());
    }

    @AfterAll
    static void close() throws Exception {
        files.close();
    }

    @Test
    void writeReadStatClose(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("a.txt");
        byte[] hello = "hello, uring".getBytes(StandardCharsets.UTF_8);
        try (AsyncFile f = files.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            f.writeFully(hello, 0);
            byte[] back = new byte[hello.length];
            f.readFully(back, 0);
            assertArrayEquals(hello, back);
            ByteBuffer direct = ByteBuffer.allocateDirect(5);
            assertEquals(5, f.read(direct, 7));
            assertEquals("uring", StandardCharsets.UTF_8.decode(direct.flip()).toString());
            assertEquals(hello.length, f.stat().size());
            assertEquals(-1, f.read(new byte[4], 0, 4, 100));
        }
        assertArrayEquals(hello, Files.readAllBytes(p));
        assertArrayEquals(hello, files.readAllBytes(p));
    }

    @Test
    void wholeFileWriteThenRead(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("w.bin");
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        files.write(p, data);
        assertArrayEquals(data, files.readAllBytes(p));
        byte[] big = new byte[200_000];
        big[199_999] = 42;
        files.write(p, big);
        assertArrayEquals(big, files.readAllBytes(p));
    }

    @Test
    void missingFileIsNoSuchFile(@TempDir Path dir) {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> files.open(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> files.readAllBytes(dir.resolve("nope")));
    }

    @Test
    void closedFileAndBadArguments(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("c");
        AsyncFile f = files.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        assertThrows(IllegalArgumentException.class, () -> f.write(new byte[1], 0, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> f.read(ByteBuffer.allocate(1).asReadOnlyBuffer(), 0));
        f.close();
        f.close();
        assertThrows(ClosedChannelException.class, () -> f.write(new byte[1], 0, 1, 0));
    }
}
