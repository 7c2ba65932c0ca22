package org.uring4j.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.uring4j.fs.FsTestSupport.await;
import static org.uring4j.fs.FsTestSupport.openFdCount;
import static org.uring4j.fs.FsTestSupport.pattern;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * readAllBytes reads until a read returns end of file, as the JDK does, whatever stat says the
 * size is (procfs and sysfs say 0 or 4096), and whichever path serves it (inline when cached,
 * the ring otherwise), on both backends; compared with Files.readAllBytes.
 */
class WholeFileReadTest extends SharedFilesTest {

    @Test
    void procfsFilesLongerThanTheirStatSizeAreReadWhole() throws Exception {
        for (String name : new String[] {"/proc/self/mountinfo", "/proc/kallsyms", "/proc/self/maps"}) {
            Path p = Path.of(name);
            if (!Files.isReadable(p)) {
                continue;
            }
            byte[] ours = files.readAllBytes(p);
            byte[] jdk = Files.readAllBytes(p);
            // These change between two reads (maps grows with our own allocations): compare sizes loosely.
            assertTrue(ours.length > 4096 || jdk.length <= 4096,
                    name + ": " + ours.length + " bytes, the JDK read " + jdk.length);
            assertTrue(Math.abs(ours.length - jdk.length) < Math.max(64 * 1024, jdk.length / 10),
                    name + ": " + ours.length + " bytes, the JDK read " + jdk.length);
        }
        Path version = Path.of("/proc/version");
        assumeTrue(Files.isReadable(version));
        assertArrayEquals(Files.readAllBytes(version), files.readAllBytes(version));
        assertArrayEquals(Files.readAllBytes(version), await(files.readAllBytesAsync(version)));
    }

    @Test
    void sysfsFilesAreReadWhole() throws Exception {
        Path p = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        assumeTrue(Files.isReadable(p), "no " + p);
        assertArrayEquals(Files.readAllBytes(p), files.readAllBytes(p));
    }

    @Test
    void filesOfEverySizeAroundTheInlineBuffer() throws Exception {
        int fds = openFdCount();
        for (int size : new int[] {0, 1, 4096, 56 * 1024 - 1, 56 * 1024, 56 * 1024 + 1, 64 * 1024, 1 << 20, (1 << 20) + 3}) {
            byte[] data = pattern(size, size);
            Path p = dir.resolve("f" + size);
            Files.write(p, data);
            assertArrayEquals(data, files.readAllBytes(p), "size " + size);
            assertArrayEquals(data, await(files.readAllBytesAsync(p)), "async, size " + size);
            byte[] fromVirtual = CompletableFuture.supplyAsync(() -> {
                try {
                    return files.readAllBytes(p);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r)).get(FsTestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
            assertArrayEquals(data, fromVirtual, "virtual thread, size " + size);
        }
        assertEquals(fds, openFdCount(), "no descriptor outlives a readAllBytes");
    }

    @Test
    void aFifoIsReadUntilItsWriterCloses() throws Exception {
        Path fifo = dir.resolve("fifo");
        FsTestSupport.mkfifo(fifo);
        byte[] data = pattern(100_000, 9);
        Thread writer = Thread.ofPlatform().start(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) {
                out.write(data, 0, 50_000);
                out.flush();
                Thread.sleep(50);
                out.write(data, 50_000, 50_000);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertArrayEquals(data, files.readAllBytes(fifo));
        writer.join();
    }

    @Test
    void aFifoWhoseWriterComesLaterIsWaitedFor() throws Exception {
        Path fifo = dir.resolve("late");
        FsTestSupport.mkfifo(fifo);
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return files.readAllBytes(fifo); // before any writer: as Files.readAllBytes, it waits for one
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        Thread.sleep(100); // let the reader get to the FIFO first
        try (OutputStream out = Files.newOutputStream(fifo)) {
            out.write("late writer".getBytes());
        }
        assertArrayEquals("late writer".getBytes(), read.get(FsTestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void errorsAreTheJdksTypes() throws Exception {
        assertThrows(NoSuchFileException.class, () -> files.readAllBytes(dir.resolve("missing")));
        assertThrows(NoSuchFileException.class, () -> files.stat(dir.resolve("missing")));
        // The JDK: "IOException: Is a directory", from its read.
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> files.readAllBytes(dir));
        assertTrue(e.getMessage().contains("EISDIR") || e.getMessage().contains("Is a directory"), e.getMessage());
    }

    @Test
    void statOfAPathAndOfAnOpenFileAgree() throws Exception {
        Path p = dir.resolve("s");
        Files.write(p, pattern(12345, 1));
        FileStat byPath = files.stat(p);
        try (AsyncFile f = files.open(p)) {
            FileStat byFile = f.stat();
            assertEquals(byPath.inode(), byFile.inode());
            assertEquals(12345, byFile.size());
            assertEquals(12345, f.size());
        }
        assertEquals(12345, byPath.size());
        assertTrue(byPath.isRegularFile());
    }
}
